"""Plain-SQL rows for the hot paths: the moderation pipeline and the SLA sweep write
through here, and every signed-in request reads its user through ``get_row``.

The ORM's ``save()`` and ``bulk_create()`` build each statement anew and pass
every value through several layers; on the paths that write thousands of rows
a second that machinery is most of the time. These helpers build each
statement once per model and convert each value with the field's own
conversion to the database (``get_db_prep_save``: JSON, times, UUIDs), skipping
the conversion for the types that need none. No signals fire; the models
written through here have none connected, and must not.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import psycopg
from django.db import connection, models
from django.db.models import Model
from django.db.models.expressions import RawSQL

# Field types whose Python value is already what both databases take.
_AS_IS = (
    models.AutoField,
    models.BigAutoField,
    models.IntegerField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.ForeignKey,
)


def insert_row(instance: Model) -> int:
    """INSERT one new row and return its id."""
    model = instance._meta.model
    sql, fields = _insert_statement(model, _all_names(model), 1)
    params = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def update_row(instance: Model, names: list[str]) -> None:
    """UPDATE just these columns of the instance's row."""
    sql, fields = _update_statement(instance._meta.model, tuple(names))  # a lazy user too
    params = [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, instance.pk])


@contextmanager
def prepared_cursor() -> Iterator[Any]:
    """A cursor for the statements every request runs, prepared once per connection.

    On PostgreSQL its parameters are bound by the server and each statement is
    parsed and planned once per pooled connection, not once per request (Django's
    cursors bind on the client and never prepare). A statement run here must
    cast any parameter whose type the server cannot infer (``%s::inet`` in an
    ``INSERT … SELECT``). Elsewhere it is Django's cursor. Queries are logged and
    wrapped as Django's are, so ``assertNumQueries`` counts them.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()  # as Django's cursor() does
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw: Any = _Preparing(connection.connection)
    connection.validate_thread_sharing()
    logged = connection.queries_logged
    with connection.make_debug_cursor(raw) if logged else connection.make_cursor(raw) as cursor:
        yield cursor


class _Preparing(psycopg.Cursor[Any]):
    """psycopg's server-binding cursor, preparing every statement it runs."""

    def execute(self, query: Any, params: Any = None, **options: Any) -> Any:
        return super().execute(query, params, prepare=True)


def get_row(model: type[Model], pk: Any) -> Any:
    """``model.objects.filter(pk=pk).first()`` from a statement built once per model.

    The same instance the ORM would give (``from_db``, with the fields' and the
    backend's converters applied, so SQLite's text times come back as aware
    datetimes), without compiling a query on each call: the user of every
    signed-in request is read here (``participation.auth``).
    """
    sql, attnames, converters = _select_statement(model, connection.vendor)
    with prepared_cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        values = list(row)
        for index, column, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        row = values
    return model.from_db(connection.alias, attnames, row)


def insert_many(
    model: type[Model], names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> list[int]:
    """INSERT many rows, each a tuple of values for ``names``; their ids, in order.

    Every other column takes its field's default as ``Model()`` would, evaluated
    once per call (so all rows share one ``created_at``: right for one batch); a
    unique column must be named. Values are Python values (a
    foreign key by its id, under the field's name or its ``_id`` name).
    """
    meta = model._meta
    by_name = {f.name: f for f in meta.concrete_fields} | {
        f.attname: f for f in meta.concrete_fields
    }
    given = [by_name[name] for name in names]
    rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
    for field in rest:
        if field.unique:
            raise ValueError(f"{meta.label}.{field.name} must be given to insert_many")
    if connection.vendor == "postgresql":
        return _insert_unnest(model, given, rest, rows)
    constants = [field.get_db_prep_save(field.get_default(), connection) for field in rest]
    convert = [_converter(field) for field in given]
    all_names = tuple(field.name for field in [*given, *rest])
    chunk = max(1, min(1000, _max_params() // len(all_names)))
    ids: list[int] = []
    batch: list[Any] = []
    count = 0

    def flush() -> None:
        sql, _fields = _insert_statement(model, all_names, count)
        with connection.cursor() as cursor:
            cursor.execute(sql, batch)
            ids.extend(row[0] for row in cursor.fetchall())

    for row in rows:
        batch.extend(conv(value) for conv, value in zip(convert, row, strict=True))
        batch.extend(constants)
        count += 1
        if count == chunk:
            flush()
            batch, count = [], 0
    if count:
        flush()
    return ids


def _insert_unnest(
    model: type[Model],
    given: list[models.Field[Any, Any]],
    rest: list[models.Field[Any, Any]],
    rows: Iterable[Sequence[Any]],
) -> list[int]:
    """PostgreSQL: one array per column and ``unnest``: one statement of a few parameters.

    (A statement of thousands of placeholders costs psycopg more to parse than the
    database to run.) ``WITH ORDINALITY`` and ``ORDER BY`` keep the ids in the
    rows' order.
    """
    columns: list[list[Any]] = [[] for _ in given]
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    if not columns or not columns[0]:
        return []
    arrays, selected = [], []
    for n, (field, values) in enumerate(zip(given, columns, strict=True)):
        if isinstance(field, models.JSONField):
            # jsonb arrays do not adapt from lists of Python values; text does.
            encoder = field.encoder
            arrays.append(("%s::text[]", [_json(value, encoder) for value in values]))
            selected.append(f"c{n}::jsonb")
        else:
            cast = field.cast_db_type(connection) or field.db_type(connection)
            if isinstance(field, (*_AS_IS, models.DateTimeField)):
                prepared = values
            else:
                prepared = [field.get_db_prep_save(value, connection) for value in values]
            arrays.append((f"%s::{cast}[]", prepared))
            selected.append(f"c{n}")
    constants = [field.get_db_prep_save(field.get_default(), connection) for field in rest]
    table, pk_column = _table(model)
    names = ", ".join(_quote(field.column) for field in [*given, *rest])
    aliases = ", ".join(f"c{n}" for n in range(len(given)))
    sql = (
        f"INSERT INTO {table} ({names}) "  # noqa: S608  (model names)
        f"SELECT {', '.join([*selected, *(['%s'] * len(rest))])} "
        f"FROM unnest({', '.join(a for a, _ in arrays)}) WITH ORDINALITY AS t({aliases}, n) "
        f"ORDER BY n RETURNING {pk_column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *(v for _, v in arrays)])
        return [row[0] for row in cursor.fetchall()]


def _json(value: Any, encoder: Any) -> str | None:
    return None if value is None else json.dumps(value, cls=encoder)


def ids_in(ids: list[int]) -> Any:
    """For ``pk__in=``: the ids as one array parameter on PostgreSQL, else the list."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", (ids,))
    return ids


def _max_params() -> int:
    """Parameters one statement may carry: SQLite 3.32+ takes 32,766 (Django assumes 999)."""
    if connection.vendor == "sqlite":
        import sqlite3

        return 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return int(connection.features.max_query_params or 65535)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if isinstance(field, _AS_IS):
        return _same
    if isinstance(field, models.DateTimeField):
        return _memo(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return _memo(connection.ops.adapt_datefield_value)
    return functools.partial(field.get_db_prep_save, connection=connection)


def _same(value: Any) -> Any:
    return value


def _memo(adapt: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A batch's rows share few distinct moments; adapt each once."""
    seen: dict[date | datetime | None, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = adapted = adapt(value)
            return adapted

    return convert


def _all_names(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if not f.primary_key)


@functools.cache
def _update_statement(model: type[Model], names: tuple[str, ...]) -> tuple[str, list[Any]]:
    table, pk_column = _table(model)
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{_quote(field.column)} = %s" for field in fields)  # type: ignore[union-attr]
    sql = f"UPDATE {table} SET {assignments} WHERE {pk_column} = %s"  # noqa: S608  (model names)
    return sql, fields


@functools.lru_cache(maxsize=256)
def _insert_statement(
    model: type[Model], names: tuple[str, ...], count: int
) -> tuple[str, list[Any]]:
    table, pk_column = _table(model)
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(_quote(field.column) for field in fields)  # type: ignore[union-attr]
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([one] * count)
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk_column}"  # noqa: S608
    return sql, fields


@functools.cache
def _select_statement(
    model: type[Model], vendor: str
) -> tuple[str, list[str], list[tuple[int, Any, list[Any]]]]:
    """SELECT every column by primary key, and the converters the compiler would apply.

    Keyed by vendor: the backend's converters depend only on it and the settings.
    """
    table, pk_column = _table(model)
    fields = model._meta.concrete_fields
    columns = ", ".join(_quote(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {table} WHERE {pk_column} = %s"  # noqa: S608  (model names)
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, column, functions))
    return sql, [field.attname for field in fields], converters


def _quote(name: str | None) -> str:
    assert name is not None
    return str(connection.ops.quote_name(name))


def _table(model: type[Model]) -> tuple[str, str]:
    meta = model._meta
    assert meta.pk is not None
    return _quote(meta.db_table), _quote(meta.pk.column)
