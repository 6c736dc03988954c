"""Reads that a page makes on every request, compiled to SQL once per process (issue 23).

The returning visitor's home page reads two rows (its text, the visitor's logged consent
decision, CON-08). Building each query and compiling it to SQL cost more than running it and
more than the rest of the page (docs/benchmarks.md), and the SQL is the same every time but for
one value. A `OneRowQuery` compiles its query the first time it runs on a database, with
Django's own compiler, and afterwards runs that SQL with the new value, prepared for the
database as the field prepares it, and makes the model instance from the row as the ORM does
(the field's converters, `Model.from_db`). Same statement, same row, same instance.
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


class OneRowQuery:
    """The first row of `build(value)` (a queryset filtering one field by one value), or None;
    ordered as the queryset is, else by primary key, as QuerySet.first()."""

    def __init__(self, model: type[Model], build: Callable[[Any], QuerySet]) -> None:
        self.model = model
        self.build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def first(self, value: Any) -> Model | None:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        compiled = self._compiled.get((alias, connection.vendor))
        if compiled is None:
            compiled = _Compiled(self.build(value), alias)
            self._compiled[(alias, connection.vendor)] = compiled
        param = compiled.field.get_db_prep_value(value, connection, prepared=False)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [param])
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = list(row)
            for position, (converters, column) in compiled.converters:
                for convert in converters:
                    row[position] = convert(row[position], column, connection)
        return self.model.from_db(alias, compiled.attnames, row)
