"""New rows written with one INSERT, without the ORM's model instance and query compiler, where
those cost more than the INSERT itself: the contact form's lead and its staff-notification task
(issue 23; docs/benchmarks.md, `bench/run perf`).

`insert` stores what `Model.objects.create(**values)` stores: a field left out gets its default
(`Field.get_default`, a new value per row for a callable such as uuid4), an `auto_now` or
`auto_now_add` date the time of the insert, and every value is prepared by its own field as the
ORM would prepare it, or sent as it is where the database stores it the same (`_as_is`). What it
does not do is send pre_save and post_save, or call a field's own `pre_save`: a model with
receivers of those signals is refused (`ValueError`), and the models written here are proven to
get the same row as through the ORM (wekst/tests/test_sec_05_rows.py).

`enqueue` is `task.enqueue(*args)` for django-tasks-db's DatabaseBackend: the same validation,
the same row (its one pre_save receiver, the open-ended run_after, included), the same debug
line of the enqueued signal's one receiver; in the caller's transaction, as the backend's own.

`chain` stores a new row and the rows that point at it (each as `insert` or `enqueue` would) by
ONE statement on PostgreSQL, `WITH … INSERT … RETURNING`, which is atomic without a transaction:
a person new to us, their lead and its staff-notification task (leads.services._first_enquiry);
with `updating`, an UPDATE in the same statement: a known person's lead, its task and the move
of their last contact (leads.services._store_enquiry).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from django.db import NotSupportedError, connection
from django.db.models import Field, Model, QuerySet, signals
from django.db.models.sql import UpdateQuery
from django.tasks import Task
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.json import normalize_json

# Fields whose value goes to the database as Python holds it, whatever the database: their
# get_db_prep_save returns a str or a bool unchanged (as in consent.services).
_AS_IS = {"CharField", "BooleanField", "TextField"}
_LEFT_OUT = object()


@functools.cache
def _statement(model: type[Model], vendor: str) -> tuple[str, tuple[Field, ...], tuple, int]:
    """(the INSERT, its fields, how each is filled, where the primary key goes), built once per
    model and database from the model's own fields."""
    meta = model._meta
    generated_pk = meta.pk.db_returning
    fields = tuple(f for f in meta.concrete_fields if not (f.primary_key and generated_pk))
    quote = connection.ops.quote_name
    # Only the model's own table and column names, quoted, go into the text; values are bound.
    sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
        quote(meta.pk.column),
    )
    fills = tuple((f.attname, _auto_now(f), _as_is(f)) for f in fields)
    pk_at = meta.concrete_fields.index(meta.pk) if generated_pk else -1
    return sql, fields, fills, pk_at


def _auto_now(field: Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _as_is(field: Field) -> bool:
    kind = field.get_internal_type()
    if kind == "UUIDField":  # a uuid.UUID, which PostgreSQL's driver sends as it is
        return connection.features.has_native_uuid_field
    if kind == "DateTimeField":  # an aware datetime from timezone.now()
        return connection.vendor == "postgresql"
    if kind == "GenericIPAddressField":
        # PostgreSQL's inet reads the text and stores it in its one form, as the field's own
        # cleaning would have written it, unless the field unpacks IPv4 carried in IPv6.
        return connection.vendor == "postgresql" and not field.unpack_ipv4
    return kind in _AS_IS


def insert[M: Model](model: type[M], values: dict[str, Any]) -> M:
    """Store a new row of `model` with `values` (by attname: `subject_id`, not `subject`) and
    return it as a query would (Model.from_db); what `model.objects.create(**values)` does."""
    _refuse_save_receivers(model)
    return _insert(model, values)


def _refuse_save_receivers(model: type[Model]) -> None:
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        raise ValueError(f"{model.__name__} has save signal receivers: use the ORM")


def _insert[M: Model](model: type[M], values: dict[str, Any]) -> M:
    sql, fields, fills, pk_at = _statement(model, connection.vendor)
    row = _filled(fields, fills, values)
    params = [
        value if plain else field.get_db_prep_save(value, connection)
        for field, value, (_a, _n, plain) in zip(fields, row, fills, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk = cursor.fetchone()[0]
    if pk_at >= 0:
        row.insert(pk_at, pk)
    return model.from_db(connection.alias, None, row)


def _filled(fields: tuple[Field, ...], fills: tuple, values: dict[str, Any]) -> list:
    """The new row's values, field by field: a field left out gets its default, an auto_now
    date the time (one time for the row), as `objects.create` fills them."""
    now = None
    row = []
    for field, (attname, auto_now, _plain) in zip(fields, fills, strict=True):
        value = values.get(attname, _LEFT_OUT)
        if value is _LEFT_OUT:
            if auto_now:
                now = now or timezone.now()
                value = now
            else:
                value = field.get_default()
        row.append(value)
    return row


logger = logging.getLogger("django.tasks")


def enqueue(task: Task, *args: Any) -> str:
    """Queue `task` with `args`, as `task.enqueue(*args)` does; the task result's id."""
    from django_tasks_db.models import DBTaskResult

    values = task_row(task, args)
    if values is None:
        return task.enqueue(*args).id
    _insert(DBTaskResult, values)  # its one pre_save receiver is applied in task_row
    log_enqueued(task, values)
    return str(values["id"])


def task_row(task: Task, args: tuple) -> dict[str, Any] | None:
    """The row of django-tasks-db's DBTaskResult that `task.enqueue(*args)` stores, after the
    same validation; None when the task is not queued so (another backend, another receiver of
    the model's save signals or of the enqueued signal): then only task.enqueue will do."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult, get_date_max
    from django_tasks_db.signal_handlers import set_run_after

    backend = task.get_backend()
    receivers = signals.pre_save._live_receivers(DBTaskResult)[0]
    if (
        type(backend) is not DatabaseBackend
        or receivers != [set_run_after]
        or signals.post_save.has_listeners(DBTaskResult)
        or len(task_enqueued.receivers) != 1
    ):
        return None
    backend.validate_task(task)
    return {
        "id": backend._get_id(),
        "args_kwargs": normalize_json({"args": args, "kwargs": {}}),
        "priority": task.priority,
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        # set_run_after, the backend's pre_save receiver: no time given is "whenever".
        "run_after": task.run_after if task.run_after is not None else get_date_max(),
        "backend_name": backend.alias,
    }


def log_enqueued(task: Task, values: dict[str, Any]) -> None:
    """The enqueued signal's one receiver (task_row checks it is the only one): Django's debug
    line."""
    logger.debug(
        "Task id=%s path=%s enqueued backend=%s",
        values["id"],
        task.module_path,
        values["backend_name"],
    )


# Chains: a new row and the rows that point at it, in ONE statement --------------------------


class _Previous:
    def __repr__(self) -> str:
        return "rows.PREVIOUS"


PREVIOUS = _Previous()
"""A value of a chained row (or an argument of a task queued in a chain): the primary key of the
row stored just before it in the chain."""


@dataclass(frozen=True)
class New:
    """One row of a chain: `model`'s, with `values` by attname, filled as `insert` fills them.

    `unless_taken`, on the chain's first row only: a unique field whose value, already stored,
    stops the chain (`ON CONFLICT … DO NOTHING`). `task`: the row queues it (`queued`)."""

    model: type[Model]
    values: dict[str, Any]
    unless_taken: str = ""
    task: Task | None = None


@dataclass(frozen=True)
class _InJson:
    """A JSON value with the previous row's primary key put at `path` (the null there)."""

    value: Any
    path: tuple[str, ...]


@dataclass(frozen=True)
class Update:
    """An UPDATE of a chain (`chain(…, updating=…)`): what `queryset.update(**values)` does."""

    queryset: QuerySet
    values: dict[str, Any]

    def compiled(self) -> tuple[str, list]:
        """The UPDATE and its values, as the ORM's own update compiler writes them."""
        query = self.queryset.query.chain(UpdateQuery)
        query.add_update_values(self.values)
        sql, params = query.get_compiler(self.queryset.db).as_sql()
        return sql, list(params)


def queued(task: Task, *args: Any) -> New | None:
    """The row `enqueue(task, *args)` stores, as a row of a chain (one of `args` may be
    PREVIOUS); None when only task.enqueue will do (task_row), or where no chain can run (a
    database other than PostgreSQL)."""
    from django_tasks_db.models import DBTaskResult

    at = [i for i, arg in enumerate(args) if arg is PREVIOUS]
    if len(at) > 1:
        raise ValueError("a task in a chain takes the previous row's key once")
    if connection.vendor != "postgresql":
        return None
    values = task_row(task, tuple(None if arg is PREVIOUS else arg for arg in args))
    if values is None:
        return None
    if at:
        values["args_kwargs"] = _InJson(values["args_kwargs"], ("args", str(at[0])))
    return New(DBTaskResult, values, task=task)


def chain(first: New, *then: New, updating: Update | None = None) -> list[Model] | None:
    """Store `first` and then each row of `then`, each pointing at the row before it, by ONE
    statement: `WITH row_0 AS (INSERT … ON CONFLICT … DO NOTHING RETURNING pk), row_1 AS
    (INSERT … SELECT …, row_0.pk, … FROM row_0 RETURNING pk), … SELECT … FROM row_0, row_1, …`
    (PostgreSQL's data-modifying WITH; it runs to the end or not at all). Returns the rows as a
    query would (Model.from_db), or None, with nothing stored, when the first row's
    `unless_taken` value was taken: no later row is stored without the one it points at.

    Each row is what `insert` (or, for a task, `enqueue`) would store; the same refusal of save
    signal receivers, and the enqueued debug line once stored. `updating`, the same statement
    also runs that UPDATE, as `queryset.update(**values)` would, on the rows as they were
    before the chain's (`WITH updated AS (UPDATE …), row_0 AS …`); a chain that may stop
    (`unless_taken`) takes none, so that it never runs alone."""
    if connection.vendor != "postgresql":
        raise NotSupportedError("a chain of INSERTs in one statement needs PostgreSQL")
    if updating is not None and first.unless_taken:
        raise ValueError("a chain that may stop updates nothing")
    links = (first, *then)
    for link in links:
        if link.task is None:  # a task's row is checked by task_row
            _refuse_save_receivers(link.model)
    shape = tuple((link.model, *_linked(link.values), link.unless_taken) for link in links)
    if any(shape[0][1:3]) or any(link.unless_taken for link in then):
        raise ValueError("a chain's first row points at none, and only it may be stopped")
    sql, statements = _chain_statement(shape, connection.vendor)
    filled, params = [], []
    if updating is not None:
        update_sql, update_params = updating.compiled()
        sql = f"WITH updated AS ({update_sql}), {sql.removeprefix('WITH ')}"
        params += update_params  # its values come first, as its text does
    for link, (_sql, fields, fills, _pk_at) in zip(links, statements, strict=True):
        row = _filled(fields, fills, link.values)
        for field, value, (_a, _n, plain) in zip(fields, row, fills, strict=True):
            if isinstance(value, _InJson):
                params += [field.get_db_prep_save(value.value, connection), list(value.path)]
            elif value is not PREVIOUS:
                params.append(value if plain else field.get_db_prep_save(value, connection))
        filled.append(row)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pks = cursor.fetchone()
    if pks is None:
        return None
    stored, previous = [], None
    for link, row, pk, (_sql, _f, _fills, pk_at) in zip(
        links, filled, pks, statements, strict=True
    ):
        row = [_with_key(value, previous) for value in row]
        if pk_at >= 0:
            row.insert(pk_at, pk)
        stored.append(link.model.from_db(connection.alias, None, row))
        if link.task is not None:
            log_enqueued(link.task, link.values)
        previous = pk
    return stored


def _linked(values: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    """(the fields given the previous row's key, the JSON fields it is put in)."""
    return (
        frozenset(name for name, value in values.items() if value is PREVIOUS),
        frozenset(name for name, value in values.items() if isinstance(value, _InJson)),
    )


def _with_key(value: Any, key: Any) -> Any:
    if value is PREVIOUS:
        return key
    if isinstance(value, _InJson):
        return _put(value.value, value.path, key)
    return value


def _put(value: Any, path: tuple[str, ...], key: Any) -> Any:
    """A copy of the JSON `value` with `key` at `path`, as PostgreSQL's jsonb_set puts it."""
    if not path:
        return key
    head, rest = path[0], path[1:]
    if isinstance(value, list):
        copy, at = list(value), int(head)
    else:
        copy, at = dict(value), head
    copy[at] = _put(copy[at], rest, key)
    return copy


@functools.cache
def _chain_statement(shape: tuple, vendor: str) -> tuple[str, tuple]:
    """The statement of a chain of this shape (its models, which fields take the previous row's
    key, which first value stops it) and each row's own INSERT parts, built once per database."""
    quote = connection.ops.quote_name
    ctes, statements, names = [], [], []
    for i, (model, previous, in_json, unless_taken) in enumerate(shape):
        statement = _statement(model, vendor)
        statements.append(statement)
        fields, meta = statement[1], model._meta
        names.append(f"row_{i}.{quote(meta.pk.column)}")
        key = names[i - 1] if i else ""
        values = ", ".join(
            key
            if f.attname in previous
            else f"jsonb_set(%s, %s, to_jsonb({key}))"
            if f.attname in in_json
            else "%s"
            for f in fields
        )
        source = f"SELECT {values} FROM row_{i - 1}" if i else f"VALUES ({values})"  # noqa: S608
        if unless_taken:
            source += f" ON CONFLICT ({quote(meta.get_field(unless_taken).column)}) DO NOTHING"
        # Only the models' own table and column names, quoted, go into the text; values are bound.
        ctes.append(
            "row_{} AS (INSERT INTO {} ({}) {} RETURNING {})".format(  # noqa: S608
                i,
                quote(meta.db_table),
                ", ".join(quote(f.column) for f in fields),
                source,
                quote(meta.pk.column),
            )
        )
    tables = ", ".join(f"row_{i}" for i in range(len(shape)))
    sql = f"WITH {', '.join(ctes)} SELECT {', '.join(names)} FROM {tables}"  # noqa: S608
    return sql, tuple(statements)
