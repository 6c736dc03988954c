"""Finding or creating the data subject a new record belongs to."""

from subjects.models import Subject
from subjects.normalise import normalise_email, normalise_phone


def get_or_create_subject(
    *, email: str, phone: str = "", lock: bool = False
) -> tuple[Subject, bool]:
    """(subject, created): the subject with this email address, created if new; a newly given
    phone is added to it.

    Safe under concurrent submissions for the same address: the unique email decides (a second
    insert fails and get_or_create finds the first). With lock=True, inside a transaction, the
    subject's row stays locked until it ends, so that work for one person runs one at a time (a
    new row is locked by its insert).
    """
    email, phone = normalise_email(email), normalise_phone(phone)
    subjects = Subject.objects.select_for_update() if lock else Subject.objects
    subject, created = subjects.get_or_create(email=email, defaults={"phone": phone})
    if not created and phone and not subject.phone:
        subject.phone = phone
        subject.save(update_fields=["phone"])
    return subject, created


def find_or_create_subject(*, email: str, phone: str = "") -> Subject:
    """The subject with this email address, created if new (get_or_create_subject)."""
    return get_or_create_subject(email=email, phone=phone)[0]
