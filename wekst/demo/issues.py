"""Demo newsletter issues: one sent to every confirmed subscriber, and next month's draft.

Sent as the back office's "send" action does, then queued at once as the worker would, so its
deliveries are listed before the worker starts; the task the action enqueued finds it sent.
"""

from newsletter.models import Issue
from newsletter.services import send_issue, start_sending_issue

SENT = "Nytt fra Wekst: flere pasienter uten sporing"
DRAFT = "Nytt fra Wekst: samtykke til annonser, steg for steg"


def load_issues() -> None:
    if Issue.objects.filter(subject_line=SENT).exists():
        return
    sent = Issue.objects.create(
        subject_line=SENT,
        body_text="Demo: three ways a clinic can be found by new patients without tracking "
        "anyone: a clear booking page, reviews it asks for, and articles that answer questions.",
    )
    start_sending_issue(issue_id=sent.pk)
    send_issue(issue_id=sent.pk)
    Issue.objects.create(
        subject_line=DRAFT,
        body_text="Demo: how a clinic records explicit consent before a health-related audience "
        "is used in an ad platform (draft).",
    )
