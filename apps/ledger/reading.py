# Performance-critical: guarded by bench/ledger.py; run `make bench` after changing it.
"""Reading a filled ledger: every data row of every ledger sheet of an XLSX file (or of a CSV file)."""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900, from_excel

from apps.core.exports import FORMULA_STARTS, XlsxKind
from apps.ledger.columns import COLUMN_BY_KEY, HEADER_TO_KEY, LEDGER_COLUMNS, REQUIRED_KEYS, normalise_header
from apps.ledger.xlsx import LedgerFileError, SheetExtras, refuse_bombs, xlsx_parts, xlsx_sheets

__all__ = ["LedgerFileError", "LedgerProblem", "LedgerRow", "ledger_count_rows", "ledger_read"]

LEDGER_MAX_ROWS = 50_000
# Formatting often reaches far below the last filled row; this many empty rows in a row end a sheet.
EMPTY_ROWS_ENDING_A_SHEET = 200
# Offices put a title (五华区2021年民生实事计划台账) and blank rows above the headers; this many rows are searched.
HEADER_SEARCH_ROWS = 10
HEADER_MIN_COLUMNS = 3
# Free text is kept as typed; every other cell (codes, names, dates, yes/no) is read through NFKC, so that
# full-width digits and punctuation (２０２１－０６－３０, ＷＨ) read as their ordinary forms.
FREE_TEXT_KEYS = frozenset({"title", "content", "beneficiaries", "requirements"})
# Names may carry full-width brackets as the unit or person was registered (五华区（开发区）), which NFKC would turn
# into ASCII ones the lookup would then miss; only their full-width letters, digits and -._ are made ordinary.
NAME_KEYS = frozenset({"unit", "responsible_unit", "owner_person", "responsible_person", "category"})
FULL_WIDTH_NAME_CHARACTERS = str.maketrans(
    {
        character: chr(ord(character) - 0xFEE0)
        for character in "－．＿０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
        "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
    }
)
FULL_WIDTH_IN_NAMES = re.compile("[－．＿０-９Ａ-Ｚａ-ｚ]")
NOTHING_UNSAVED: frozenset[str] = frozenset()
DATE_KEYS = frozenset(column.key for column in LEDGER_COLUMNS if column.kind == XlsxKind.DATE)
# 44377: a date Excel shows as a number (its serial day), as a CSV saved from such a sheet writes it.
SERIAL_DATE = re.compile(r"\d{5}(?:\.0+)?")
SERIAL_DATE_YEARS = (1950, 2099)


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
    # Keys of the cells holding a formula never calculated: empty here, but not because the office left them so.
    unsaved: frozenset[str] = frozenset()


def _cell_value(value: Any, key: str = "", epoch: datetime.datetime = CALENDAR_WINDOWS_1900) -> Any:
    """A cell as the checks expect it: text stripped, whole numbers as text, dates as dates.

    Date columns also read Excel's serial days (44377 → 2021-06-30), as numbers in XLSX cells not formatted as
    dates and as text in CSV files; `epoch` is the workbook's date system (1900, or 1904 for old Mac files).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        if key in NAME_KEYS:
            if FULL_WIDTH_IN_NAMES.search(value):
                value = value.translate(FULL_WIDTH_NAME_CHARACTERS)
        elif key not in FREE_TEXT_KEYS:
            value = unicodedata.normalize("NFKC", value).strip()
        if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
            value = value[1:]  # the apostrophe exports put before text a spreadsheet would run
        if key in DATE_KEYS and SERIAL_DATE.fullmatch(value):
            return _serial_date(float(value), epoch) or value
        return value
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.time | datetime.timedelta):
        return str(value)  # a time of day or a duration: no date, checked as the text it shows
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in DATE_KEYS and isinstance(value, int | float):
        date = _serial_date(value, epoch)
        if date is not None:
            return date
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value


def _serial_date(serial: float, epoch: datetime.datetime) -> datetime.date | None:
    """The date of Excel's serial day; None for a number no ledger date could be, which is then checked as text.

    Only 1950–2099 count: a year (2030) or a count typed into a date column must be refused, not read as 1905.
    """
    if not 1 <= serial < 2_958_466:
        return None
    try:
        moment = from_excel(serial, epoch)
    except (OverflowError, ValueError):
        return None
    if not isinstance(moment, datetime.datetime) or not SERIAL_DATE_YEARS[0] <= moment.year <= SERIAL_DATE_YEARS[1]:
        return None
    return moment.date()


def _header_keys(values: Sequence[Any]) -> list[str | None]:
    return [HEADER_TO_KEY.get(normalise_header(unicodedata.normalize("NFKC", str(text or "")))) for text in values]


def _rows_of_table(
    sheet: str,
    table: Iterable[Sequence[Any]],
    problems: list[LedgerProblem],
    limit: int,
    *,
    extras: SheetExtras | None = None,
    epoch: datetime.datetime = CALENDAR_WINDOWS_1900,
) -> list[LedgerRow] | None:
    """The data rows of one table; None if it is not a ledger.

    The header row is the first of the first HEADER_SEARCH_ROWS rows that holds the title's column and at least
    HEADER_MIN_COLUMNS of the ledger's headers: a title and blank rows may stand above it. Rows keep the spreadsheet's own numbers, whatever stands above the headers.
    """
    rows = iter(table)
    keys: list[str | None] = []
    header_line = 0
    for line, values in enumerate(rows, start=1):
        keys = _header_keys(values)
        # The guide sheet names one column a row (事项名称 among them): a header row names several.
        if "title" in keys and len({key for key in keys if key}) >= HEADER_MIN_COLUMNS:
            header_line = line
            break
        if line >= HEADER_SEARCH_ROWS:
            break
    if not header_line:
        return None  # not a ledger sheet (the guide, a chart …)
    for key in REQUIRED_KEYS:
        if key not in keys:
            problems.append(
                LedgerProblem(
                    sheet=sheet,
                    row=header_line,
                    column=COLUMN_BY_KEY[key].header,
                    message=_("The sheet lacks the column “%(column)s”.") % {"column": COLUMN_BY_KEY[key].header},
                )
            )
    positions = [(position, key) for position, key in enumerate(keys) if key and COLUMN_BY_KEY[key].imported]
    # Merged cells hold their value in the first cell only; the rest of the range reads it from there.
    # Ranges starting at or above the header row (a merged title, a header over two rows) give data rows nothing.
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    anchors_of_line: dict[int, list[int]] = {}
    anchors: dict[tuple[int, int], Any] = {}
    if extras is not None:
        wanted = {position + 1 for position, _key in positions}
        for first_row, first_column, last_row, last_column in extras.merges:
            if first_row <= header_line:
                continue
            for column in range(first_column, last_column + 1):
                if column not in wanted:
                    continue
                for line in range(first_row, last_row + 1):
                    if (line, column) != (first_row, first_column):
                        covered[(line, column)] = (first_row, first_column)
            anchors_of_line.setdefault(first_row, []).append(first_column)
    unsaved_cells = extras.unsaved if extras is not None else set()
    result: list[LedgerRow] = []
    empty_run = 0
    for line, values in enumerate(rows, start=header_line + 1):
        if covered:  # the slower way, only for sheets with merged ranges below the headers
            raw = [values[position] if position < len(values) else None for position, _key in positions]
            for column in anchors_of_line.get(line, ()):
                anchors[(line, column)] = values[column - 1] if column <= len(values) else None
            for index, (position, _key) in enumerate(positions):
                anchor = covered.get((line, position + 1))
                if anchor is not None:
                    raw[index] = anchors.get(anchor)
            cells = {
                key: _cell_value(value, key, epoch) for (_position, key), value in zip(positions, raw, strict=True)
            }
        else:
            width = len(values)
            cells = {
                key: _cell_value(values[position], key, epoch) if position < width else ""
                for position, key in positions
            }
        unsaved = (
            frozenset(key for position, key in positions if (line, position + 1) in unsaved_cells and cells[key] == "")
            if unsaved_cells
            else NOTHING_UNSAVED
        )
        if not unsaved and not any(value != "" for value in cells.values()):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_ENDING_A_SHEET:
                break
            continue
        empty_run = 0
        if len(result) >= limit:
            raise LedgerFileError(
                _("The file has more than %(limit)s rows; split it into several files.") % {"limit": LEDGER_MAX_ROWS}
            )
        for key in sorted(unsaved):
            problems.append(
                LedgerProblem(
                    sheet=sheet,
                    row=line,
                    column=COLUMN_BY_KEY[key].header,
                    message=_(
                        "This cell is a formula with no saved value; open the file in Excel or WPS, save it, "
                        "then upload it again."
                    ),
                )
            )
        result.append(LedgerRow(sheet=sheet, line=line, cells=cells, unsaved=unsaved))
    return result


def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # what Excel on a Chinese Windows saves "CSV" as
    except UnicodeDecodeError as error:
        raise LedgerFileError(
            _("The CSV file is neither UTF-8 nor GBK text; save it again from Excel or WPS as CSV, or as .xlsx.")
        ) from error


def ledger_read(source: IO[bytes], name: str) -> tuple[list[LedgerRow], list[LedgerProblem]]:
    """Every data row of every ledger sheet of an XLSX file (or of a CSV file), with the file's problems."""
    problems: list[LedgerProblem] = []
    rows: list[LedgerRow] = []
    found = False

    def read_tables(tables: Iterable[tuple[str, Iterable[Sequence[Any]], SheetExtras | None]], epoch: Any) -> None:
        nonlocal found
        for title, table, extras in tables:
            sheet_rows = _rows_of_table(title, table, problems, LEDGER_MAX_ROWS - len(rows), extras=extras, epoch=epoch)
            if sheet_rows is not None:
                found = True
                rows.extend(sheet_rows)

    try:
        if name.lower().endswith(".csv"):
            read_tables([("", csv.reader(io.StringIO(_csv_text(source.read()))), None)], CALENDAR_WINDOWS_1900)
        else:
            with xlsx_sheets(source) as (tables, epoch):  # the bomb guard first, before anything unpacks a byte
                read_tables(tables, epoch)
    except LedgerFileError:
        raise
    except Exception as error:  # calamine, zipfile and the XML parser raise many kinds for a file that is not XLSX
        raise LedgerFileError(
            _(
                "The file could not be read: it may be damaged or cut short. Open it in Excel or WPS, save it "
                "again as .xlsx (or as CSV), then upload that file."
            )
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
        parts = xlsx_parts(source)
    except LedgerFileError:
        return 0  # not a zip at all: the check will say what is wrong with it
    refuse_bombs(parts)
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
