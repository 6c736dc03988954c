from django.urls import path

from newsletter import views

app_name = "newsletter"
urlpatterns = [
    path("newsletter/", views.signup, name="signup"),
    path("newsletter/check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("newsletter/confirm/<str:token>/", views.confirm, name="confirm"),
    path("newsletter/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
