from django.urls import path

from consent import views

app_name = "consent"
urlpatterns = [
    path("consent/", views.decide, name="decide"),
    path("consent/receipt/<uuid:consent_id>/", views.receipt, name="receipt"),
    path(
        "consent/receipt/<uuid:consent_id>/<uuid:receipt_id>/",
        views.receipt,
        name="decision_receipt",
    ),
]
