from django.urls import path

from consent import views

app_name = "consent"
urlpatterns = [
    path("consent/", views.decide, name="decide"),
    path("consent/receipt/<str:consent_id>/", views.receipt, name="receipt"),
    path(
        "consent/receipt/<str:consent_id>/<str:receipt_id>/",
        views.receipt,
        name="decision_receipt",
    ),
]
