from django.urls import path

from declaration import views

app_name = "declaration"
urlpatterns = [
    path("privacy/", views.privacy_policy, name="privacy_policy"),
    path("cookies/", views.cookie_policy, name="cookie_policy"),
]
