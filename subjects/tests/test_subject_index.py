import pytest

from mail.services import queue_email
from subjects.models import Subject
from subjects.selectors import find_subjects, records_of
from subjects.services import find_or_create_subject
from wekst.addresses import normalise_email, normalise_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Kari.Nordmann@Example.NO ", "kari.nordmann@example.no"),
        ("ola@example.com", "ola@example.com"),
        # "İ" lower-cases to two characters; its one-character lower case keeps the length.
        ("\u0130lknur@Example.no", "ilknur@example.no"),
    ],
)
def test_email_is_normalised_to_one_form(raw, expected):
    assert normalise_email(raw) == expected
    assert len(normalise_email(raw)) <= len(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("912 34 567", "+4791234567"),
        ("+47 912 34 567", "+4791234567"),
        ("0047 91234567", "+4791234567"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("", ""),
    ],
)
def test_phone_is_normalised_with_country_code(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.django_db
def test_same_person_typed_differently_is_one_subject():
    first = find_or_create_subject(email="Kari@Example.no")
    second = find_or_create_subject(email=" kari@example.NO ", phone="912 34 567")
    assert first.pk == second.pk
    assert Subject.objects.count() == 1
    second.refresh_from_db()
    assert second.phone == "+4791234567"


@pytest.mark.django_db
def test_a_known_phone_is_not_overwritten_by_a_later_one():
    find_or_create_subject(email="kari@example.no", phone="91234567")
    subject = find_or_create_subject(email="kari@example.no", phone="99999999")
    assert subject.phone == "+4791234567"


@pytest.mark.django_db
def test_subject_is_found_by_email_or_phone():
    kari = find_or_create_subject(email="kari@example.no", phone="91234567")
    find_or_create_subject(email="ola@example.no")
    assert list(find_subjects(email="KARI@example.no")) == [kari]
    assert list(find_subjects(phone="+47 912 34 567")) == [kari]
    assert not find_subjects().exists()
    # Text that is no phone number finds no one, not everyone without a phone.
    assert not find_subjects(phone="ola@example.no").exists()


@pytest.mark.django_db
def test_records_of_finds_every_record_linked_to_the_subject():
    kari = find_or_create_subject(email="kari@example.no")
    ola = find_or_create_subject(email="ola@example.no")
    queue_email(
        to="kari@example.no", subject_line="Hi", body="…", purpose="enquiries", subject=kari
    )
    queue_email(to="ola@example.no", subject_line="Hi", body="…", purpose="enquiries", subject=ola)

    records = records_of(kari)

    assert [e.to_address for e in records["mail.OutgoingEmail"]] == ["kari@example.no"]
