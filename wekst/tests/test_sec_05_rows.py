"""Rows written without the ORM (wekst.rows, issue 23) are the rows the ORM writes: a lead as
`Lead.objects.create` stores it, a task as `task.enqueue` queues it."""

import datetime
import uuid

import pytest
from django.db import NotSupportedError, connection
from django.db.models import signals
from django.forms.models import model_to_dict
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consent.models import ConsentDecision
from leads import tasks
from leads.models import Lead
from subjects.models import Subject
from wekst import rows

pytestmark = pytest.mark.django_db

# What differs between two rows written the same way: their own ids and the time of writing.
OWN = {"id", "public_id", "created_at", "enqueued_at"}


def _row(model, pk) -> dict:
    return {k: v for k, v in model.objects.filter(pk=pk).values().get().items() if k not in OWN}


def test_sec_05_a_lead_written_with_one_insert_is_the_row_the_orm_writes():
    subject = Subject.objects.create(email="kari@klinikk.example")
    values = {
        "kind": Lead.Kind.CONTACT,
        "name": "Kari Nordmann",
        "email": "kari@klinikk.example",
        "phone": "+4791234567",
        "company": "Nordmann Tannklinikk",
        "role": "Clinic manager",
        "message": "Hello\nthere",
        "purpose": "leads",
        "legal_basis": "legitimate_interests",
        "source": "contact_form",
        "policy_version": "3",
        "language": "nb",
        "marketing_consent": True,
        "marketing_consent_wording": "Yes, please",
        "last_contact_at": timezone.now(),
    }

    written = rows.insert(Lead, {"subject_id": subject.pk, **values})
    created = Lead.objects.create(subject=subject, **values)

    assert _row(Lead, written.pk) == _row(Lead, created.pk)
    assert model_to_dict(written, exclude=OWN) == model_to_dict(created, exclude=OWN)
    assert isinstance(written.public_id, uuid.UUID)
    assert written.public_id != created.public_id
    assert Lead.objects.get(pk=written.pk).created_at <= timezone.now()


@pytest.mark.parametrize(
    "address", ["203.0.113.0", "2001:db8:85a3::", "2001:0DB8:85A3:0000::", "::ffff:192.0.2.0", None]
)
def test_sec_05_a_consent_decision_written_with_one_insert_is_the_row_the_orm_writes(address):
    """The address goes to PostgreSQL's inet as text, without the field's own cleaning (issue
    23): the stored and the read value are the ORM's all the same, in every form of address."""
    values = {
        "consent_id": uuid.uuid4(),
        "decided_at": timezone.now(),
        "action": "accept_all",
        "method": "banner",
        "analytics": True,
        "marketing": True,
        "embedded": False,
        "gpc": False,
        "banner_version": "1",
        "policy_version": "3",
        "language": "en",
        "banner_text_hash": "0" * 64,
        "truncated_ip": address,
    }

    written = rows.insert(ConsentDecision, values)
    created = ConsentDecision.objects.create(**values)

    assert _row(ConsentDecision, written.pk) == _row(ConsentDecision, created.pk)


def test_sec_05_a_model_with_save_receivers_is_not_written_without_the_orm():
    def receiver(**kwargs):
        pass

    signals.post_save.connect(receiver, sender=Subject)
    try:
        with pytest.raises(ValueError, match="save signal receivers"):
            rows.insert(Subject, {"email": "kari@klinikk.example"})
    finally:
        signals.post_save.disconnect(receiver, sender=Subject)
    assert not Subject.objects.exists()


def test_sec_05_a_task_enqueued_with_one_insert_is_the_row_task_enqueue_writes(caplog):
    with caplog.at_level("DEBUG", logger="django.tasks"):
        written = rows.enqueue(tasks.tell_staff, 7, None)
    queued = tasks.tell_staff.enqueue(7, None).id

    assert _row(DBTaskResult, written) == _row(DBTaskResult, queued)
    assert _row(DBTaskResult, written)["run_after"].year == 9999  # whenever the worker can
    assert f"Task id={written} path=leads.tasks.tell_staff enqueued backend=default" in caplog.text
    assert {str(r.task_result.id) for r in DBTaskResult.objects.all()} == {written, queued}


def _lead_values(subject_id) -> dict:
    return {
        "subject_id": subject_id,
        "kind": Lead.Kind.CONTACT,
        "name": "Kari Nordmann",
        "email": "Kari@klinikk.example",
        "message": "Hello",
        "purpose": "leads",
        "legal_basis": "legitimate_interests",
        "source": "contact_form",
        "policy_version": "3",
        "language": "nb",
        "last_contact_at": datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC),
    }


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a chain is one PostgreSQL statement (WITH … INSERT)"
)
def test_sec_05_rows_chained_in_one_statement_are_the_rows_insert_and_enqueue_write(caplog):
    def chained(email):
        return rows.chain(
            rows.New(Subject, {"email": email, "phone": "+4791234567"}, unless_taken="email"),
            rows.New(Lead, _lead_values(rows.PREVIOUS)),
            rows.queued(tasks.tell_staff, rows.PREVIOUS, None),
        )

    with caplog.at_level("DEBUG", logger="django.tasks"):
        subject, lead, task = chained("kari@klinikk.example")
    other = rows.insert(Subject, {"email": "ola@klinikk.example", "phone": "+4791234567"})
    written = rows.insert(Lead, _lead_values(other.pk))
    queued = rows.enqueue(tasks.tell_staff, written.pk, None)

    assert _row(Subject, subject.pk) == {**_row(Subject, other.pk), "email": subject.email}
    assert _row(Lead, lead.pk) == {**_row(Lead, written.pk), "subject_id": subject.pk}
    assert _row(DBTaskResult, task.pk) == {
        **_row(DBTaskResult, queued),
        "args_kwargs": {"args": [lead.pk, None], "kwargs": {}},
    }
    for made in (subject, lead, task):  # as a query returns them
        stored = type(made).objects.get(pk=made.pk)
        assert model_to_dict(made) == model_to_dict(stored)
    assert f"Task id={task.pk} path=leads.tasks.tell_staff enqueued backend=default" in caplog.text

    # The address taken: nothing of the chain is stored.
    assert chained("kari@klinikk.example") is None
    assert (Subject.objects.count(), Lead.objects.count(), DBTaskResult.objects.count()) == (
        2,
        2,
        2,
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a chain is one PostgreSQL statement (WITH … INSERT)"
)
def test_sec_05_a_chain_updates_the_rows_as_they_were_before_it():
    """`updating`: the UPDATE `queryset.update` makes, in the chain's statement, on the rows the
    chain found (not the one it stores); the rows outside the query are left as they were."""
    subject = Subject.objects.create(email="kari@klinikk.example")
    other = Subject.objects.create(email="ola@klinikk.example")
    earlier = rows.insert(Lead, _lead_values(subject.pk))
    elsewhere = rows.insert(Lead, _lead_values(other.pk))
    at = earlier.last_contact_at + datetime.timedelta(days=30)
    moved = Lead.objects.filter(subject=subject, last_contact_at__lt=at)

    lead, task = rows.chain(
        rows.New(Lead, {**_lead_values(subject.pk), "last_contact_at": at}),
        rows.queued(tasks.tell_staff, rows.PREVIOUS, None),
        updating=rows.Update(moved, {"last_contact_at": at}),
    )

    assert Lead.objects.get(pk=earlier.pk).last_contact_at == at
    assert Lead.objects.get(pk=lead.pk).last_contact_at == at
    assert Lead.objects.get(pk=elsewhere.pk).last_contact_at == elsewhere.last_contact_at
    assert DBTaskResult.objects.get(pk=task.pk).args_kwargs["args"] == [lead.pk, None]
    with pytest.raises(ValueError, match="may stop updates nothing"):
        rows.chain(
            rows.New(Subject, {"email": "per@x.example"}, unless_taken="email"),
            updating=rows.Update(moved, {"last_contact_at": at}),
        )


def test_sec_05_a_chain_is_refused_where_it_cannot_be_one_statement():
    first = rows.New(Subject, {"email": "kari@klinikk.example"}, unless_taken="email")
    if connection.vendor != "postgresql":
        with pytest.raises(NotSupportedError):
            rows.chain(first)
        return
    with pytest.raises(ValueError, match="first row points at none"):
        rows.chain(rows.New(Lead, _lead_values(rows.PREVIOUS)))
    with pytest.raises(ValueError, match="only it may be stopped"):
        rows.chain(first, rows.New(Subject, {"email": "ola@x.example"}, unless_taken="email"))
    assert not Subject.objects.exists()
