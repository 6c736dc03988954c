"""New rows written with one INSERT, without the ORM's model instance and query compiler, where
those cost more than the INSERT itself: the contact form's lead and its staff-notification task
(issue 23; docs/benchmarks.md, `bench/run perf`).

`insert` stores what `Model.objects.create(**values)` stores: a field left out gets its default
(`Field.get_default`, a new value per row for a callable such as uuid4), an `auto_now` or
`auto_now_add` date the time of the insert, and every value is prepared by its own field as the
ORM would prepare it. What it does not do is send pre_save and post_save, or call a field's own
`pre_save`: a model with receivers of those signals is refused (`ValueError`), and the models
written here are proven to get the same row as through the ORM (wekst/tests/test_rows.py).

`enqueue` is `task.enqueue(*args)` for django-tasks-db's DatabaseBackend: the same validation,
the same row (its one pre_save receiver, the open-ended run_after, included), the same debug
line of the enqueued signal's one receiver; in the caller's transaction, as the backend's own.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.db import connection
from django.db.models import Field, Model, signals
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
    return kind in _AS_IS


def insert[M: Model](model: type[M], values: dict[str, Any]) -> M:
    """Store a new row of `model` with `values` (by attname: `subject_id`, not `subject`) and
    return it as a query would (Model.from_db); what `model.objects.create(**values)` does."""
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        raise ValueError(f"{model.__name__} has save signal receivers: use the ORM")
    return _insert(model, values)


def _insert[M: Model](model: type[M], values: dict[str, Any]) -> M:
    sql, fields, fills, pk_at = _statement(model, connection.vendor)
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


logger = logging.getLogger("django.tasks")


def enqueue(task: Task, *args: Any) -> str:
    """Queue `task` with `args`, as `task.enqueue(*args)` does; the task result's id."""
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
        return task.enqueue(*args).id
    backend.validate_task(task)
    values = {
        "id": backend._get_id(),
        "args_kwargs": normalize_json({"args": args, "kwargs": {}}),
        "priority": task.priority,
        "task_path": task.module_path,
        "queue_name": task.queue_name,
        # set_run_after, the backend's pre_save receiver: no time given is "whenever".
        "run_after": task.run_after if task.run_after is not None else get_date_max(),
        "backend_name": backend.alias,
    }
    _insert(DBTaskResult, values)  # its one pre_save receiver is applied above
    # The enqueued signal's one receiver (checked above) is Django's debug line.
    logger.debug(
        "Task id=%s path=%s enqueued backend=%s", values["id"], task.module_path, backend.alias
    )
    return str(values["id"])
