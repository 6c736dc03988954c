"""Reads that a page makes on every request, compiled to SQL once per process (issue 23).

The returning visitor's home page reads two rows (its text, the visitor's logged consent
decision, CON-08). Building each query and compiling it to SQL cost more than running it and
more than the rest of the page (docs/benchmarks.md), and the SQL is the same every time but for
one value. A `OneRowQuery` compiles its query the first time it runs on a database, with
Django's own compiler, and afterwards runs that SQL with the new value, prepared for the
database as the field prepares it, and makes the model instance from the row as the ORM does
(the field's converters, `Model.from_db`). Same statement, same row, same instance.
`first_rows` runs several such reads in one round trip where the database allows it.
"""

from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.lookups import Exact


class _Compiled:
    def __init__(self, queryset: QuerySet, alias: str) -> None:
        if not queryset.ordered:
            queryset = queryset.order_by("pk")  # as QuerySet.first()
        query = queryset[:1].query
        compiler = query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        (lookup,) = query.where.children
        if not isinstance(lookup, Exact) or len(params) != 1 or query.select_related:
            raise ValueError("A OneRowQuery filters one field by one exact value, no more")
        self.field = lookup.lhs.target
        columns = [column for column, _sql, _alias in compiler.select]
        self.attnames = [column.target.attname for column in columns]
        if [f.attname for f in queryset.model._meta.concrete_fields] != self.attnames:
            raise ValueError("A OneRowQuery reads whole rows of its model")
        self.converters = list(compiler.get_converters(columns).items())
        self.model = queryset.model

    def instance(self, row: tuple, alias: str, connection) -> Model:
        """The model instance of a row, as the ORM makes it (the fields' converters, from_db)."""
        if self.converters:
            row = list(row)
            for position, (converters, column) in self.converters:
                for convert in converters:
                    row[position] = convert(row[position], column, connection)
        return self.model.from_db(alias, self.attnames, row)


class OneRowQuery:
    """The first row of `build(value)` (a queryset filtering one field by one value), or None;
    ordered as the queryset is, else by primary key, as QuerySet.first()."""

    def __init__(self, model: type[Model], build: Callable[[Any], QuerySet]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def first(self, value: Any) -> Model | None:
        (row,) = first_rows((self, value))
        return row

    def _statement(self, alias: str, connection, value: Any) -> _Compiled:
        """Its query compiled for this database, the first time with `value`."""
        compiled = self._compiled.get((alias, connection.vendor))
        if compiled is None:
            compiled = _Compiled(self.build(value), alias)
            self._compiled[(alias, connection.vendor)] = compiled
        return compiled


def first_rows(*reads: tuple[OneRowQuery, Any]) -> list[Model | None]:
    """`query.first(value)` of each read, in order. On PostgreSQL with client-side binding
    (Django's default) the statements go in one round trip and each result is read in turn:
    a page that reads its text and the visitor's logged decision waits for the database once,
    not twice (issue 23). Elsewhere, or when the reads' models live in different databases, one
    after the other."""
    aliases = {router.db_for_read(query.model) for query, _value in reads}
    if len(aliases) > 1:
        return [query.first(value) for query, value in reads]
    alias = aliases.pop()
    connection = connections[alias]
    compiled = [query._statement(alias, connection, value) for query, value in reads]
    params = [  # one value each (_Compiled)
        one.field.get_db_prep_value(value, connection, prepared=False)
        for one, (_query, value) in zip(compiled, reads, strict=True)
    ]
    rows = []
    with connection.cursor() as cursor:
        if len(reads) > 1 and _takes_statements_together(connection):
            cursor.execute("; ".join(one.sql for one in compiled), params)
            for position in range(len(reads)):
                if position:
                    cursor.nextset()
                rows.append(cursor.fetchone())
        else:
            for one, param in zip(compiled, params, strict=True):
                cursor.execute(one.sql, [param])
                rows.append(cursor.fetchone())
    return [
        None if row is None else one.instance(row, alias, connection)
        for one, row in zip(compiled, rows, strict=True)
    ]


def _takes_statements_together(connection) -> bool:
    # Server-side binding prepares each statement and refuses several in one (psycopg).
    return connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get(
        "server_side_binding"
    )
