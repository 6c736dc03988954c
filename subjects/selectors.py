"""Reading the subject index: who someone is, and every record about them."""

from django.db.models import Q, QuerySet

from subjects.models import Subject
from wekst.addresses import normalise_email, normalise_phone


def find_subjects(*, email: str = "", phone: str = "") -> QuerySet[Subject]:
    """Subjects matching a normalised email address or phone number (indexed look-ups)."""
    condition = Q()
    if email.strip():
        condition |= Q(email=normalise_email(email))
    phone = normalise_phone(phone)
    # Text without a digit normalises to "", the phone of every subject that has none.
    if phone:
        condition |= Q(phone=phone)
    if not condition:
        return Subject.objects.none()
    return Subject.objects.filter(condition)


def records_of(subject: Subject) -> dict[str, QuerySet]:
    """Every record that points at the subject, per model ("app.Model" -> queryset).

    Found through the foreign keys to Subject, so a new kind of record is included the moment its
    model links to the subject; nothing has to be registered by hand.
    """
    records = {}
    for relation in Subject._meta.related_objects:
        model = relation.related_model
        label = f"{model._meta.app_label}.{model._meta.object_name}"
        records[label] = model._default_manager.filter(**{relation.field.name: subject})
    return records
