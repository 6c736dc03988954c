from django.urls import path

from leads import booking_views, views

app_name = "leads"
urlpatterns = [
    path("growth-meeting/", views.growth_meeting, name="growth_meeting"),
    path("growth-meeting/thanks/", views.growth_meeting_thanks, name="growth_meeting_thanks"),
    path(
        "growth-meeting/booked/", booking_views.growth_meeting_booked, name="growth_meeting_booked"
    ),
    path("contact/", views.contact, name="contact"),
    path("contact/thanks/", views.thanks, name="contact_thanks"),
    path("information/", views.information, name="information"),
    path("information/thanks/", views.thanks, name="information_thanks"),
]
