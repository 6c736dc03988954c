"""Webhook endpoints of the booking providers: not language-prefixed, signed, CSRF-exempt."""

from django.urls import path

from processors.calcom import CalcomWebhookView
from processors.trafft import TrafftWebhookView

app_name = "processors"
urlpatterns = [
    path("webhooks/trafft/", TrafftWebhookView.as_view(), name="trafft_webhook"),
    path("webhooks/calcom/", CalcomWebhookView.as_view(), name="calcom_webhook"),
]
