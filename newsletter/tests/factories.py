"""Test data for the newsletter: subscriptions in each state and issues, made through services."""

import re

from newsletter import services
from newsletter.models import Issue, Subscription

CONFIRM_LINK = re.compile(r"https?://[^\s/]+(/(?:nb/)?newsletter/confirm/[A-Za-z0-9_-]+/)")


def unconfirmed_subscription(email: str = "kari@example.no", **kwargs) -> Subscription:
    values = {
        "name": "Kari Nordmann",
        "source": services.SOURCE_NEWSLETTER_FORM,
        "consent_wording": "Yes, send me the Wekst newsletter.",
        "language": "en",
    }
    return services.start_subscription(email=email, **(values | kwargs))


def confirmed_subscription(email: str = "kari@example.no", **kwargs) -> Subscription:
    """A subscription confirmed through its link; its confirmation email is then dropped."""
    from mail.models import OutgoingEmail

    subscription = unconfirmed_subscription(email, **kwargs)
    [confirmation] = OutgoingEmail.objects.filter(subject=subscription.subject)
    token = CONFIRM_LINK.search(confirmation.body_text).group(1).rstrip("/").rsplit("/", 1)[1]
    confirmation.delete()
    return services.confirm_subscription(token=token)


def issue(
    subject_line: str = "Growth notes, spring", body: str = "Three ideas for spring."
) -> Issue:
    return Issue.objects.create(subject_line=subject_line, body_text=body)


def confirm_path(message) -> str:
    """The path of the confirmation link in a confirmation email."""
    match = CONFIRM_LINK.search(message.get_content())
    assert match, message.get_content()
    return match.group(1)
