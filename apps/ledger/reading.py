# Performance-critical: guarded by bench/ledger.py; run `make bench` after changing it.
"""Reading a filled ledger: every data row of every ledger sheet of an XLSX file (or of a CSV file)."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from apps.core.exports import FORMULA_STARTS
from apps.ledger.columns import COLUMN_BY_KEY, HEADER_TO_KEY, REQUIRED_KEYS, normalise_header

LEDGER_MAX_ROWS = 50_000
# Formatting often reaches far below the last filled row; this many empty rows in a row end a sheet.
EMPTY_ROWS_ENDING_A_SHEET = 200


@dataclass
class LedgerProblem:
    """One problem of the file, named by sheet, row and column (the column's Chinese header)."""

    row: int
    column: str
    message: str
    sheet: str = ""
    warning: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "warning": self.warning,
        }


@dataclass
class LedgerRow:
    """One row of the file as read: where it is, and its cells by column key."""

    sheet: str
    line: int
    cells: dict[str, Any]


class LedgerFileError(Exception):
    """The file as a whole cannot be read as a ledger."""


def _cell_value(value: Any) -> Any:
    """A cell as the checks expect it: text stripped, whole numbers as text, dates as dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
            value = value[1:]  # the apostrophe exports put before text a spreadsheet would run
        return value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _rows_of_table(
    sheet: str, table: Iterable[Sequence[Any]], problems: list[LedgerProblem], limit: int
) -> list[LedgerRow] | None:
    """The data rows of one table whose first row holds the ledger's headers; None if it is not a ledger."""
    rows = iter(table)
    header = next(rows, None)
    if header is None:
        return None
    keys = [HEADER_TO_KEY.get(normalise_header(text)) for text in header]
    if "title" not in keys:
        return None  # not a ledger sheet (the guide, a chart …)
    for key in REQUIRED_KEYS:
        if key not in keys:
            problems.append(
                LedgerProblem(
                    sheet=sheet,
                    row=1,
                    column=COLUMN_BY_KEY[key].header,
                    message=_("The sheet lacks the column “%(column)s”.") % {"column": COLUMN_BY_KEY[key].header},
                )
            )
    positions = [(position, key) for position, key in enumerate(keys) if key and COLUMN_BY_KEY[key].imported]
    result: list[LedgerRow] = []
    empty_run = 0
    for line, values in enumerate(rows, start=2):
        cells = {key: _cell_value(values[position]) if position < len(values) else "" for position, key in positions}
        if not any(value != "" for value in cells.values()):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_ENDING_A_SHEET:
                break
            continue
        empty_run = 0
        if len(result) >= limit:
            raise LedgerFileError(
                _("The file has more than %(limit)s rows; split it into several files.") % {"limit": LEDGER_MAX_ROWS}
            )
        result.append(LedgerRow(sheet=sheet, line=line, cells=cells))
    return result


def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")  # what Excel on a Chinese Windows saves "CSV" as


def ledger_read(source: IO[bytes], name: str) -> tuple[list[LedgerRow], list[LedgerProblem]]:
    """Every data row of every ledger sheet of an XLSX file (or of a CSV file), with the file's problems."""
    problems: list[LedgerProblem] = []
    rows: list[LedgerRow] = []
    found = False
    try:
        if name.lower().endswith(".csv"):
            tables = [("", csv.reader(io.StringIO(_csv_text(source.read()))))]
            workbook = None
        else:
            workbook = load_workbook(source, read_only=True, data_only=True)
            tables = [(sheet.title, sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]
        try:
            for title, table in tables:
                sheet_rows = _rows_of_table(title, table, problems, LEDGER_MAX_ROWS - len(rows))
                if sheet_rows is not None:
                    found = True
                    rows.extend(sheet_rows)
        finally:
            if workbook is not None:
                workbook.close()
    except LedgerFileError:
        raise
    except Exception as error:  # openpyxl and zipfile raise many kinds for a file that is not XLSX
        raise LedgerFileError(
            _("The file could not be read as XLSX or CSV (%(error)s).") % {"error": type(error).__name__}
        ) from error
    if not found:
        raise LedgerFileError(_("No sheet of the file has the ledger's columns; please start from the template."))
    # Only the sheets' names tell rows apart when there are several (an export past a sheet's last row).
    if len({row.sheet for row in rows}) <= 1:
        for row in [*rows, *problems]:
            row.sheet = ""
    return rows, problems


def ledger_count_rows(source: IO[bytes], name: str, *, up_to: int) -> int:
    """The number of rows (header rows included), counted up to `up_to`: enough to choose where to check."""
    if name.lower().endswith(".csv"):
        return max(source.read().count(b"\n") - 1, 0)
    try:
        workbook = load_workbook(source, read_only=True)
    except Exception:
        return 0  # the check will say what is wrong with it
    try:
        counted = 0
        for sheet in workbook.worksheets:
            if sheet.max_row:  # the size the sheet declares
                counted += sheet.max_row
            else:  # streamed files (exports) declare none: count, but only as far as needed
                for _row in sheet.iter_rows(values_only=True):
                    counted += 1
                    if counted > up_to:
                        break
            if counted > up_to:
                break
        return counted
    finally:
        workbook.close()


def ledger_rows_dump(rows: Sequence[LedgerRow]) -> bytes:
    """The rows as read, kept between the preview and the import (gzipped JSON; dates as ISO text)."""
    data = [[row.sheet, row.line, row.cells] for row in rows]
    return gzip.compress(json.dumps(data, ensure_ascii=False, default=str).encode(), compresslevel=1)


def ledger_rows_load(data: bytes) -> list[LedgerRow]:
    return [LedgerRow(sheet=sheet, line=line, cells=cells) for sheet, line, cells in json.loads(gzip.decompress(data))]
