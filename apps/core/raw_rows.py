"""Rows read with the statement written out, given back as the ORM gives them.

For the busiest reads only (the API's token lookup, the item list's page): there, building the ORM's query cost more
than running it. The columns are the models' own (quoted by the backend), every value is a parameter, and each
value goes through the converters the ORM would apply (SQLite's dates, datetimes and booleans; none on PostgreSQL),
so what comes back is what `values()` or a model read would give.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def columns_sql(model: type[Model], names: Sequence[str], alias: str) -> str:
    """`alias."column", ...` for the fields (names or attnames) of `model`."""
    meta, quote = model._meta, connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(meta.get_field(name).column)}" for name in names)


def table_sql(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def select_by_ids_sql(model: type[Model], names: Sequence[str], count: int, *, tag: str = "") -> str:
    """SELECT (the literal `tag` first, when given, then) the `names` columns of the `count` rows of `model` whose
    ids are the statement's parameters."""
    pk = connection.ops.quote_name(model._meta.pk.column)
    first = f"'{tag}', " if tag else ""
    placeholders = ", ".join(["%s"] * count)
    # Only the model's own table and column names (and our own tag) are written in; every id is a parameter.
    return (
        f"SELECT {first}{columns_sql(model, names, 'picked')} FROM {table_sql(model)} picked "  # noqa: S608
        f"WHERE picked.{pk} IN ({placeholders})"
    )


@functools.cache
def _converters(vendor: str, model: type[Model], names: tuple[str, ...]) -> tuple[tuple[int, list, Any], ...]:
    """The ORM's converters of each field read from a database of `vendor`, by position (only those with any)."""
    meta = model._meta
    found = []
    for position, name in enumerate(names):
        column = meta.get_field(name).get_col(meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((position, converters, column))
    return tuple(found)


def converted(model: type[Model], names: tuple[str, ...], values: Sequence[Any]) -> list[Any]:
    """The values of `names` of `model` as read from the database, as the ORM gives them."""
    values = list(values)
    for position, converters, column in _converters(connection.vendor, model, names):
        for converter in converters:
            values[position] = converter(values[position], column, connection)
    return values


def concrete_names(model: type[Model]) -> tuple[str, ...]:
    """The attnames of the model's columns, in the order `Model.from_db` takes them."""
    return tuple(field.attname for field in model._meta.concrete_fields)


def model_from_row(model: type[Model], values: Sequence[Any]) -> Model:
    """A model instance from the values of all its columns (concrete_names' order), as the ORM would load it."""
    names = concrete_names(model)
    return model.from_db(connection.alias, names, converted(model, names, values))


def statement_of(queryset: Any) -> tuple[str, tuple[Any, ...]]:
    """The SQL and parameters the ORM would run for `queryset`: to build once and run many times (dict_rows)."""
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def dict_rows(statement: tuple[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The rows of a statement, each a dict by the names of its columns (for values that need no converter:
    counts, sums, text)."""
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
