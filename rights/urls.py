"""The privacy portal, in English (/privacy-requests/) and Norwegian (/nb/privacy-requests/)."""

from django.urls import path

from rights import views

app_name = "rights"
urlpatterns = [
    path("privacy-requests/", views.portal, name="portal"),
    path("privacy-requests/sent/", views.sent, name="sent"),
    path("privacy-requests/verify/<str:token>/", views.verify, name="verify"),
    path("privacy-requests/<uuid:public_id>/", views.detail, name="detail"),
    path("privacy-requests/<uuid:public_id>/report/", views.report, name="report"),
    path(
        "privacy-requests/<uuid:public_id>/report.<str:format>",
        views.download,
        name="download",
    ),
    path("privacy-requests/<uuid:public_id>/new-link/", views.new_link, name="new_link"),
]
