# Performance-critical: guarded by bench/dashboard.py (generating 2,000,000 items); run `make bench` after changing it.
"""Writing many rows at once: COPY on PostgreSQL, one multi-row INSERT statement per batch elsewhere."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence

from django.db import connection


def copy_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Write the rows (values in `columns` order) into the table, in this transaction."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", cursor)
        if connection.vendor == "postgresql" and hasattr(raw, "copy_expert"):  # psycopg2
            buffer = io.StringIO()
            csv.writer(buffer).writerows(
                [
                    "\\N" if value is None else ("t" if value else "f") if value is True or value is False else value
                    for value in row
                ]
                for row in rows
            )
            buffer.seek(0)
            raw.copy_expert(f"COPY {quote(table)} ({names}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
            return
        adapt = connection.ops.adapt_datetimefield_value
        values = [[adapt(value) if isinstance(value, datetime.datetime) else value for value in row] for row in rows]
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders})", values)  # noqa: S608
