# Performance-critical: guarded by bench/ledger.py; run `make bench` after changing it.
"""Reading a filled ledger: every data row of every ledger sheet of an XLSX file (or of a CSV file)."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from apps.core.exports import FORMULA_STARTS
from apps.ledger.columns import COLUMN_BY_KEY, HEADER_TO_KEY, REQUIRED_KEYS, normalise_header

LEDGER_MAX_ROWS = 50_000
# Parts this small may be packed as tightly as they like (a sheet of empty rows is); bigger ones are held to
# LEDGER_MAX_COMPRESSION_RATIO. Real ledgers pack about 15 times (a 50,000-row ledger: 55 MB in 3.7 MB).
RATIO_CHECKED_FROM_BYTES = 4 * 1024 * 1024
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


def _xlsx_parts(source: IO[bytes]) -> list[zipfile.ZipInfo]:
    """The parts an XLSX file (a zip) lists in its directory; the file is left where it was."""
    start = source.tell()
    try:
        with zipfile.ZipFile(source) as package:
            return package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise LedgerFileError(
            _(
                "The file is not a real XLSX file: open it in Excel or WPS and save it again as .xlsx "
                "(or save it as CSV), then upload that file."
            )
        ) from error
    finally:
        source.seek(start)


def _refuse_bombs(parts: Sequence[zipfile.ZipInfo]) -> None:
    """Refuse a file whose parts would unpack to more than the limits allow, before anything unpacks them.

    The sizes come from the zip's directory; Python's zipfile (and so openpyxl) never unpacks a part past the
    size listed there, so what is checked here is all a reader can be made to unpack.
    """
    limit = settings.LEDGER_MAX_UNCOMPRESSED_BYTES
    ratio = settings.LEDGER_MAX_COMPRESSION_RATIO
    total = sum(part.file_size for part in parts)
    if total > limit:
        raise LedgerFileError(
            _(
                "The file would unpack to %(size)s, more than the %(limit)s a ledger may; it was not read. "
                "Split the ledger into several files."
            )
            % {"size": filesizeformat(total), "limit": filesizeformat(limit)}
        )
    for part in parts:
        if part.file_size > RATIO_CHECKED_FROM_BYTES and part.file_size > ratio * max(part.compress_size, 1):
            raise LedgerFileError(
                _(
                    "The part “%(part)s” of the file would unpack to %(size)s, %(ratio)s times its packed size, "
                    "which no real spreadsheet is; the file was not read. Open it in Excel or WPS and save it "
                    "again, then upload that file."
                )
                % {
                    "part": part.filename,
                    "size": filesizeformat(part.file_size),
                    "ratio": part.file_size // max(part.compress_size, 1),
                }
            )


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
            _refuse_bombs(_xlsx_parts(source))  # before openpyxl unpacks a byte of it
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
    """The number of rows (header rows included), counted up to `up_to`: enough to choose where to check.

    Raises LedgerFileError for a file too big once unpacked: the upload refuses it before anything reads it.
    """
    if name.lower().endswith(".csv"):
        return max(source.read().count(b"\n") - 1, 0)
    try:
        parts = _xlsx_parts(source)
    except LedgerFileError:
        return 0  # not a zip at all: the check will say what is wrong with it
    _refuse_bombs(parts)
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
