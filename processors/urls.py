"""Webhook endpoints of the booking providers and of the email provider's delivery events: not
language-prefixed, verified, CSRF-exempt."""

import re

from django.urls import path, re_path

from processors import trafft
from processors.calcom import CalcomWebhookView
from processors.email_events import BrevoEventWebhookView
from processors.trafft import TrafftWebhookView

app_name = "processors"
urlpatterns = [
    # Trafft sends one webhook per event type: each gets its URL, the event in the path.
    re_path(
        r"^webhooks/trafft/(?P<event>" + "|".join(re.escape(e) for e in trafft.EVENTS) + r")/$",
        TrafftWebhookView.as_view(),
        name="trafft_webhook",
    ),
    path("webhooks/calcom/", CalcomWebhookView.as_view(), name="calcom_webhook"),
    # Brevo's delivery events; the secret token is the last part of the URL.
    path(
        "webhooks/brevo/<str:token>/", BrevoEventWebhookView.as_view(), name="brevo_event_webhook"
    ),
]
