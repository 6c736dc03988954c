"""The locked find-or-create of a subject (get_or_create_subject(lock=True)): one
INSERT … ON CONFLICT statement on PostgreSQL and SQLite (issue 23), with the behaviour of the
SELECT … FOR UPDATE and get_or_create it replaced."""

import threading
import time

import pytest
from django.db import connection, transaction

from subjects.models import Subject
from subjects.services import get_or_create_subject


@pytest.mark.django_db
def test_sec_05_the_locked_find_or_create_is_one_statement_and_keeps_what_was_known():
    with transaction.atomic():
        first, created = get_or_create_subject(email="Kari@Example.no", lock=True)
    assert created
    assert first.email == "kari@example.no"
    assert first.phone == ""
    assert first.created_at is not None

    # A phone it lacked is added; the address typed differently is the same person.
    with transaction.atomic():
        again, created = get_or_create_subject(
            email=" kari@example.NO ", phone="912 34 567", lock=True
        )
    assert not created
    assert again.pk == first.pk
    assert again.public_id == first.public_id
    assert again.phone == "+4791234567"

    # A known phone is not overwritten by a later one, nor by none.
    for phone in ("99999999", ""):
        with transaction.atomic():
            subject, created = get_or_create_subject(
                email="kari@example.no", phone=phone, lock=True
            )
        assert not created
        assert subject.phone == "+4791234567"
    stored = Subject.objects.get()
    assert (stored.pk, stored.phone) == (first.pk, "+4791234567")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_sec_05_two_submissions_for_the_same_new_address_give_one_subject_one_at_a_time():
    inserted = threading.Event()
    results, order = {}, []

    def first():
        with transaction.atomic():
            results["first"] = get_or_create_subject(email="ny@klinikk.example", lock=True)
            inserted.set()
            time.sleep(0.5)
            order.append("first commits")
        connection.close()

    def second():
        inserted.wait(5)
        with transaction.atomic():
            # Waits on the first's uncommitted row, as SELECT … FOR UPDATE did.
            results["second"] = get_or_create_subject(
                email="NY@klinikk.example", phone="91234567", lock=True
            )
            order.append("second has the row")
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert order == ["first commits", "second has the row"]
    (one, one_created), (two, two_created) = results["first"], results["second"]
    assert (one_created, two_created) == (True, False)
    assert one.pk == two.pk
    assert Subject.objects.filter(email="ny@klinikk.example").count() == 1
    assert Subject.objects.get().phone == "+4791234567"
