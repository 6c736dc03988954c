from django.urls import path

from leads import views

app_name = "leads"
urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.thanks, name="contact_thanks"),
    path("information/", views.information, name="information"),
    path("information/thanks/", views.thanks, name="information_thanks"),
]
