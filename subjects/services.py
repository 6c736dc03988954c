"""Finding or creating the data subject a new record belongs to."""

import functools
import uuid

from django.db import connection
from django.db.models import Field, QuerySet
from django.utils import timezone

from subjects.models import Subject
from wekst.addresses import normalise_email, normalise_phone


def get_or_create_subject(
    *, email: str, phone: str = "", lock: bool = False
) -> tuple[Subject, bool]:
    """(subject, created): the subject with this email address, created if new; a newly given
    phone is added to it.

    Safe under concurrent submissions for the same address: the unique email decides (a second
    insert fails and get_or_create finds the first). With lock=True, inside a transaction, the
    subject's row stays locked until it ends, so that work for one person runs one at a time (a
    new row is locked by its insert): one statement then (_upsert_locked).
    """
    if lock:
        return _upsert_locked(new_subject_values(email=email, phone=phone))
    email, phone = normalise_email(email), normalise_phone(phone)
    subject, created = Subject.objects.get_or_create(email=email, defaults={"phone": phone})
    if not created and phone and not subject.phone:
        subject.phone = phone
        subject.save(update_fields=["phone"])
    return subject, created


def new_subject_values(*, email: str, phone: str = "") -> dict:
    """The row of a subject new to us, by attname: a new public id, the address and phone
    normalised, the time now. Stored by _upsert_locked, or first with the person's lead in one
    statement (leads.services)."""
    return {
        "public_id": uuid.uuid4(),
        "email": normalise_email(email),
        "phone": normalise_phone(phone),
        "created_at": timezone.now(),
    }


def _upsert_locked(values: dict) -> tuple[Subject, bool]:
    """Insert the subject, or on its address's conflict update the existing row (a phone it
    lacked is added): one `INSERT … ON CONFLICT (email) DO UPDATE … RETURNING` on PostgreSQL and
    SQLite alike, in place of a locking SELECT, a savepoint and an INSERT (issue 23;
    docs/benchmarks.md).

    The update, even when it changes nothing, locks the row until the transaction ends, as
    SELECT … FOR UPDATE did; two transactions inserting the same new address meet on the unique
    index and the second waits, then updates the first's row: one subject. The row is new when
    it carries the public id of `values` (new_subject_values).
    """
    sql, fields, converters = _upsert_statement(connection.vendor)
    params = [field.get_db_prep_save(values[field.attname], connection) for field in fields]
    # The row as a query returns it, converted as the ORM converts it (a UUID stored as text on
    # SQLite), without the raw query set's machinery (issue 23).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = list(cursor.fetchone())
    for position, column, convert in converters:
        row[position] = convert(row[position], column, connection)
    subject = Subject.from_db(connection.alias, None, row)
    return subject, subject.public_id == values["public_id"]


@functools.cache
def _upsert_statement(vendor: str) -> tuple[str, tuple[Field, ...], list]:
    """The statement of _upsert_locked, the fields it is given and the converters of the row it
    returns (as a query's compiler finds them), built once per database."""
    by_name = {f.attname: f for f in Subject._meta.concrete_fields}
    fields = tuple(by_name[name] for name in ("public_id", "email", "phone", "created_at"))
    q = connection.ops.quote_name
    table = q(Subject._meta.db_table)
    columns = ", ".join(q(f.column) for f in fields)
    returning = ", ".join(q(f.column) for f in Subject._meta.concrete_fields)
    phone_column = q("phone")
    keep_or_add_phone = (
        f"CASE WHEN {table}.{phone_column} = '' THEN excluded.{phone_column} "
        f"ELSE {table}.{phone_column} END"
    )
    placeholders = ", ".join(["%s"] * len(fields))
    # Only quoted names of this model's table and columns are put in; the values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {} = {} RETURNING {}".format(  # noqa: S608, E501
        table, columns, placeholders, q("email"), phone_column, keep_or_add_phone, returning
    )
    converters = [
        (position, field.cached_col, convert)
        for position, field in enumerate(Subject._meta.concrete_fields)
        for convert in connection.ops.get_db_converters(field.cached_col)
        + field.cached_col.get_db_converters(connection)
    ]
    return sql, fields, converters


def lock_subject_of(record: QuerySet) -> int | None:
    """Lock the row of the person `record` (a request, a lead, an account, filtered by its key)
    is about until the transaction ends, and return its id; None when it is about no one. The
    first lock any change to a person's records takes (docs/security.md, "One person at a time"):
    two changes to one person then queue on it, instead of each holding a row of theirs the other
    waits for (a deadlock). One statement: the record's subject is read inside it."""
    about = record.values("subject_id")
    return (
        Subject.objects.select_for_update()
        .filter(pk__in=about)
        .values_list("pk", flat=True)
        .first()
    )


def find_or_create_subject(*, email: str, phone: str = "") -> Subject:
    """The subject with this email address, created if new (get_or_create_subject)."""
    return get_or_create_subject(email=email, phone=phone)[0]
