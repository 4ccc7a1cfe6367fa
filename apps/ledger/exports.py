# Performance-critical: guarded by bench/exports.py; run `make bench` after changing it.
"""Exports of item lists: the ledger's columns, so an export can be imported again, as CSV or XLSX.

Every cell is computed by the database from one set of ORM expressions (labels in Chinese, 张敏（owner）,
是/否), so rows arrive ready to write: as tuples from a server-side cursor a few thousand at a time, or,
for CSV on PostgreSQL, as CSV straight from `COPY … TO STDOUT`. Memory stays flat whatever the number of
items, and no model instance is built.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Case, CharField, F, QuerySet, Value, When
from django.db.models.functions import Concat, Ord
from django.db.models.lookups import In
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from apps.core.exports import (
    CSV_CONTENT_TYPE,
    FORMULA_STARTS,
    ProgressCallback,
    XlsxColumn,
    XlsxStreamWriter,
    csv_chunks,
    file_labels,
    table_response,
)
from apps.items.lights import light_q
from apps.items.models import Light, WorkItem, today_local
from apps.ledger.columns import LEDGER_COLUMNS, LEDGER_SHEET_TITLE, ledger_labels

EXPORT_FORMATS = ("xlsx", "csv")
EXPORT_HEADERS = [column.header for column in LEDGER_COLUMNS]
EXPORT_XLSX_COLUMNS = [XlsxColumn(column.header, column.kind, column.width) for column in LEDGER_COLUMNS]
EXPORT_CHUNK_ROWS = 2000  # rows per fetch from the database's cursor
COPY_READ_BYTES = 256 * 1024
# The first character's code (ASCII/UNICODE in SQL) is the cheapest test of "starts like a formula".
FORMULA_CODES = [ord(start) for start in FORMULA_STARTS]


def _label(field: str, labels: dict[str, str]) -> Case:
    """The Chinese label of a choice field, computed by the database."""
    return Case(
        *(When(**{field: value}, then=Value(label)) for value, label in labels.items()),
        default=Value(""),
        output_field=CharField(),
    )


def _guarded(field: str, guard: bool) -> Any:
    """The field, with an apostrophe in front when a spreadsheet would run it as a formula (CSV only)."""
    if not guard:
        return F(field)
    return Case(
        When(In(Ord(field), FORMULA_CODES), then=Concat(Value("'"), F(field))),
        default=F(field),
        output_field=CharField(),
    )


def _named(name: str, key: str, guard: bool) -> Case:
    """张敏（owner）, 五华区（WH）: readable, and unambiguous when imported again; '' when there is none."""
    return Case(
        When(**{f"{key}__isnull": True}, then=Value("")),
        When(**{name: ""}, then=F(key)),
        default=Concat(_guarded(name, guard), Value("（"), F(key), Value("）")),
        output_field=CharField(),
    )


def _light_label(today: datetime.date) -> Case:
    """The item's light on `today` (apps/items/lights.py), in the ledger's language, computed by the database."""
    labels = file_labels(Light)
    return Case(
        *(When(light_q(light, today), then=Value(labels[light])) for light in (Light.RED, Light.YELLOW, Light.GREEN)),
        default=Value(""),
        output_field=CharField(),
    )


def export_values(queryset: QuerySet[WorkItem], *, guard_formulas: bool) -> QuerySet:
    """The queryset's items as rows of the ledger's columns, in order: text, dates and numbers."""
    labels = ledger_labels()
    columns = {
        "number": F("number"),
        "kind": _label("kind", labels["kind"]),
        "owner_type": _label("owner_type", labels["owner_type"]),
        "unit": _named("unit__name", "unit__code", guard_formulas),
        "owner_person": _named("owner_person__full_name", "owner_person__username", guard_formulas),
        "title": _guarded("title", guard_formulas),
        "content": _guarded("content", guard_formulas),
        "category": F("category__name"),
        "beneficiaries": _guarded("beneficiaries", guard_formulas),
        "responsible_unit": _named("responsible_unit__name", "responsible_unit__code", guard_formulas),
        "responsible_person": _named("responsible_person__full_name", "responsible_person__username", guard_formulas),
        "requirements": _guarded("requirements", guard_formulas),
        "start_date": F("start_date"),
        "deadline": F("deadline"),
        "is_key": Case(When(is_key=True, then=Value("是")), default=Value("否"), output_field=CharField()),
        "key_level": _label("key_level", labels["key_level"]),
        "source": _label("source", labels["source"]),
        "status": _label("status", labels["status"]),
        "progress": F("progress_percent"),
        "light": _light_label(today_local()),
    }
    assert list(columns) == [column.key for column in LEDGER_COLUMNS]
    aliases = {f"ledger_{key}": expression for key, expression in columns.items()}
    return queryset.annotate(**aliases).values_list(*aliases)


def item_export_rows(queryset: QuerySet[WorkItem], *, guard_formulas: bool = False) -> Iterator[tuple[Any, ...]]:
    """The rows of an export, straight from a server-side cursor."""
    return export_values(queryset, guard_formulas=guard_formulas).iterator(chunk_size=EXPORT_CHUNK_ROWS)


class _CountingWriter:
    """Passes COPY's output on to a file, counting the lines seen."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.lines = target, 0

    def write(self, data: bytes) -> int:
        self.lines += data.count(b"\n")
        return self.target.write(data)


def _copy_csv(queryset: QuerySet[WorkItem], target: IO[bytes], on_progress: ProgressCallback | None) -> None:
    """PostgreSQL writes the rows as CSV itself (COPY … TO STDOUT): no Python work per row at all."""
    rows = export_values(queryset, guard_formulas=True)
    connection = connections[rows.db]
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        # Django knows there is no row (an empty scope: `.none()`, `pk__in=[]`) and writes no SQL: nothing to copy.
        if on_progress:
            on_progress(0)
        return
    with transaction.atomic(using=rows.db), connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        # COPY writes dates in the session's DateStyle; ISO is what the import and spreadsheets read.
        cursor.execute("SET LOCAL datestyle TO 'ISO, YMD'")
        counter = _CountingWriter(target)
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", counter)
    # Progress only once COPY is over: the connection can run no other statement (the job's progress
    # update) while COPY streams, and COPY writes a million rows in seconds.
    if on_progress:
        on_progress(counter.lines)


def write_items_csv(
    queryset: QuerySet[WorkItem], target: IO[bytes], on_progress: ProgressCallback | None = None
) -> None:
    """Write the items as CSV (UTF-8 with BOM, Chinese headers) into a binary file."""
    if connections[queryset.db].vendor == "postgresql":
        target.write(b"".join(csv_chunks(headers=EXPORT_HEADERS, rows=())))  # the BOM and the header row
        _copy_csv(queryset, target, on_progress)
        return
    for chunk in csv_chunks(
        headers=EXPORT_HEADERS, rows=item_export_rows(queryset, guard_formulas=True), on_progress=on_progress
    ):
        target.write(chunk)


def export_items_csv(queryset: QuerySet[WorkItem]) -> Iterator[bytes]:
    """The items as CSV, a stream of byte chunks for a streaming response."""
    if connections[queryset.db].vendor != "postgresql":
        yield from csv_chunks(headers=EXPORT_HEADERS, rows=item_export_rows(queryset, guard_formulas=True))
        return
    # COPY pushes its output; a temporary file turns it into chunks to pull, in constant memory.
    with tempfile.TemporaryFile() as spool:
        write_items_csv(queryset, spool)
        spool.seek(0)
        while chunk := spool.read(COPY_READ_BYTES):
            yield chunk


def export_items_xlsx(
    queryset: QuerySet[WorkItem],
    target: str | IO[bytes],
    *,
    max_rows_per_sheet: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> int:
    """Write the items into an XLSX file at `target` in constant memory; returns the number of rows."""
    writer = XlsxStreamWriter(
        target, sheet_title=LEDGER_SHEET_TITLE, columns=EXPORT_XLSX_COLUMNS, max_rows_per_sheet=max_rows_per_sheet
    )
    try:
        return writer.write_rows(item_export_rows(queryset), on_progress=on_progress)
    finally:
        writer.close()


def export_items(*, queryset: QuerySet[WorkItem], file_format: str, filename: str) -> HttpResponse:
    """The response downloading the items: CSV as a stream, XLSX from a temporary file.

    Pages and API endpoints call it with the queryset they list (already scoped and filtered);
    `filename` has no extension.
    """
    if file_format == "csv":
        response = StreamingHttpResponse(export_items_csv(queryset), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    return table_response(
        columns=EXPORT_XLSX_COLUMNS,
        rows=item_export_rows(queryset),
        file_format=file_format,
        filename=filename,
        sheet_title=LEDGER_SHEET_TITLE,
    )
