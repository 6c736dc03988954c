"""Webhook endpoints of the booking providers: not language-prefixed, signed, CSRF-exempt."""

import re

from django.urls import path, re_path

from processors import trafft
from processors.calcom import CalcomWebhookView
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
]
