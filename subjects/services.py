"""Finding or creating the data subject a new record belongs to."""

from django.db import IntegrityError, transaction

from subjects.models import Subject
from subjects.normalise import normalise_email, normalise_phone


def find_or_create_subject(*, email: str, phone: str = "") -> Subject:
    """The subject with this email address, created if new; a newly given phone is added to it.

    Safe under concurrent submissions for the same address: the unique email decides.
    """
    email, phone = normalise_email(email), normalise_phone(phone)
    try:
        with transaction.atomic():
            subject, created = Subject.objects.get_or_create(email=email, defaults={"phone": phone})
    except IntegrityError:
        subject, created = Subject.objects.get(email=email), False
    if not created and phone and not subject.phone:
        subject.phone = phone
        subject.save(update_fields=["phone"])
    return subject
