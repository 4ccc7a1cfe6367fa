# Performance-critical: guarded by bench/exports.py; run `make bench` after changing it.
"""Streaming CSV and XLSX writers: any number of rows in constant memory.

The XLSX writer is deliberately small. XlsxWriter in constant-memory mode and openpyxl in write-only
mode both stay well under the memory budget but write only 3,000–4,000 rows of twenty columns a second
here, against the 20,000 an export of a million items needs (`make bench`), because both build a
Python object or several calls per cell. This one formats a whole row as one string of SpreadsheetML
(inline strings, numbers, dates) and streams it through the standard library's zipfile.
"""

from __future__ import annotations

import csv
import datetime
import enum
import io
import operator
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from django.db.models import Choices
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header

CSV_BOM = "\ufeff"  # Excel opens a UTF-8 CSV as UTF-8 only when it starts with the byte-order mark
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"). Every file the
# portal writes keeps such text inert: CSV cells get a leading apostrophe (csv_guard), which spreadsheets take
# as "text" and the ledger import strips; XLSX cells are string cells, never formulas (the streaming writer
# writes text only as inline strings, openpyxl workbooks go through xlsx_guard).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number ("+3", "-0.5": a report's change against the last one) is read as that number and runs
# nothing, so it keeps its sign instead of turning into text.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
# Exported files are office files, filed in Chinese whatever the reader's language.
FILE_LANGUAGE = "zh-hans"

XLSX_MAX_ROWS = 1_048_576  # rows per sheet in Excel, the header row included
XLSX_MAX_CELL_CHARS = 32_767
XLSX_EXCEL_EPOCH = datetime.date(1899, 12, 30).toordinal()  # day 0 of Excel's 1900 date system
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

ROWS_PER_WRITE = 500  # rows gathered before one write: few system calls, little memory (`make bench`)

ProgressCallback = Callable[[int], None]


def csv_guard(value: Any) -> Any:
    """The value as a CSV cell no spreadsheet will run as a formula: an apostrophe before text starting like one."""
    if type(value) is str and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def xlsx_guard(sheet: Any) -> None:
    """Every cell of an openpyxl worksheet that openpyxl took for a formula made a string cell again.

    openpyxl stores any str starting with "=" as a formula; the portal writes none, so such a cell is always
    text that came in (a title, a unit's name) and must stay text. Other starts are string cells already.
    """
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def csv_chunks(
    *, headers: Sequence[str], rows: Iterable[Sequence[Any]], on_progress: ProgressCallback | None = None
) -> Iterator[bytes]:
    """A CSV file (UTF-8 with BOM) as a stream of byte chunks, a few thousand rows each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(CSV_BOM)
    writer.writerow(headers)
    written = 0
    batch: list[list[Any]] = []
    for row in rows:
        batch.append([csv_guard(value) for value in row])
        if len(batch) >= ROWS_PER_WRITE:
            writer.writerows(batch)
            written += len(batch)
            batch.clear()
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            if on_progress:
                on_progress(written)
    writer.writerows(batch)
    written += len(batch)
    yield buffer.getvalue().encode()
    if on_progress:
        on_progress(written)


# --- XLSX -----------------------------------------------------------------------------------------

_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

STYLE_DATE = 1
STYLE_HEADER = 2


class XlsxKind(enum.Enum):
    """What a column holds: text (str, "" when empty), dates (date or None), numbers (int/float/Decimal or None)."""

    TEXT = "text"
    DATE = "date"
    NUMBER = "number"


@dataclass(frozen=True)
class XlsxColumn:
    header: str
    kind: XlsxKind = XlsxKind.TEXT
    width: int = 0  # in characters; 0 leaves Excel's default


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xml_text(value: str) -> str:
    """Text fit for a cell: cut to Excel's limit, characters XML cannot hold dropped, markup escaped."""
    value = value[:XLSX_MAX_CELL_CHARS]
    if _NEEDS_ESCAPE.search(value):
        value = _NOT_XML.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _row_template(letters: Sequence[str], kinds: Sequence[XlsxKind]) -> str:
    """One row of SpreadsheetML as a str.format template: {0} is the row number, {n} the n-th cell.

    Text cells are written in the template, as inline strings: never a formula, whatever the text starts with
    (no formula guard needed here). Date and number cells are formatted per row, because an empty one must be
    left out rather than written empty.
    """
    parts = ['<row r="{0}">']
    for index, (letter, kind) in enumerate(zip(letters, kinds, strict=True), start=1):
        if kind is XlsxKind.TEXT:
            parts.append(f'<c r="{letter}{{0}}" t="inlineStr"><is><t>{{{index}}}</t></is></c>')
        else:
            parts.append(f"{{{index}}}")
    parts.append("</row>")
    return "".join(parts)


_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/>'
)


class XlsxStreamWriter:
    """Write rows into an XLSX file as they come; past a sheet's last row the rows go on in a new sheet."""

    def __init__(
        self,
        target: str | IO[bytes],
        *,
        sheet_title: str,
        columns: Sequence[XlsxColumn],
        max_rows_per_sheet: int | None = None,
    ) -> None:
        # Level 1 compresses a ledger nearly as well as the default level, at twice the speed.
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheet_title = sheet_title
        self._columns = list(columns)
        self._data_rows_per_sheet = (max_rows_per_sheet or XLSX_MAX_ROWS) - 1
        self._letters = [_column_letters(index) for index in range(len(self._columns))]
        kinds = [column.kind for column in self._columns]
        self._format_row = _row_template(self._letters, kinds).format
        self._text_indexes = [index for index, kind in enumerate(kinds) if kind is XlsxKind.TEXT]
        texts = operator.itemgetter(*self._text_indexes) if self._text_indexes else (lambda cells: ())
        # itemgetter of one index returns the value itself, not a 1-tuple
        self._texts_of = texts if len(self._text_indexes) != 1 else (lambda cells: (texts(cells),))
        self._date_cells = [(i, self._letters[i]) for i, kind in enumerate(kinds) if kind is XlsxKind.DATE]
        self._number_cells = [(i, self._letters[i]) for i, kind in enumerate(kinds) if kind is XlsxKind.NUMBER]
        self._sheet_names: list[str] = []
        self._stream: IO[bytes] | None = None
        self._row = 0  # the last row written in the current sheet, 1-based as Excel counts
        self.rows_written = 0

    def _sheet_name(self, number: int) -> str:
        # Sheet names are at most 31 characters: 台账, 台账 (2), 台账 (3) …
        suffix = f" ({number})" if number > 1 else ""
        return self._sheet_title[: 31 - len(suffix)] + suffix

    def _open_sheet(self) -> None:
        self._close_sheet()
        self._sheet_names.append(self._sheet_name(len(self._sheet_names) + 1))
        self._stream = self._zip.open(f"xl/worksheets/sheet{len(self._sheet_names)}.xml", "w", force_zip64=True)
        cols = "".join(
            f'<col min="{index}" max="{index}" width="{column.width}" customWidth="1"/>'
            for index, column in enumerate(self._columns, start=1)
            if column.width
        )
        header = "".join(
            f'<c r="{letter}1" s="{STYLE_HEADER}" t="inlineStr"><is><t>{_xml_text(column.header)}</t></is></c>'
            for letter, column in zip(self._letters, self._columns, strict=True)
        )
        self._stream.write(
            f'{_SHEET_START}{f"<cols>{cols}</cols>" if cols else ""}<sheetData><row r="1">{header}</row>'.encode()
        )
        self._row = 1

    def _close_sheet(self) -> None:
        if self._stream is not None:
            self._stream.write(b"</sheetData></worksheet>")
            self._stream.close()
            self._stream = None

    def _flush(self, batch: list[str], on_progress: ProgressCallback | None) -> None:
        self._stream.write("".join(batch).encode())
        self.rows_written += len(batch)
        batch.clear()
        if on_progress:
            on_progress(self.rows_written)

    def _cells(self, values: Sequence[Any], row: str) -> list[Any]:
        """The row's values ready for the template: text escaped only when it needs it, dates as serials."""
        cells = list(values)
        try:
            joined = "".join(self._texts_of(cells))
        except TypeError:  # a text column got something other than a str
            for index in self._text_indexes:
                cells[index] = "" if cells[index] is None else str(cells[index])
            joined = "".join(self._texts_of(cells))
        if _NEEDS_ESCAPE.search(joined) or len(joined) > XLSX_MAX_CELL_CHARS:
            for index in self._text_indexes:
                cells[index] = _xml_text(cells[index])
        for index, letter in self._date_cells:
            value = cells[index]
            if isinstance(value, datetime.datetime):
                value = value.date()
            cells[index] = (
                f'<c r="{letter}{row}" s="{STYLE_DATE}"><v>{value.toordinal() - XLSX_EXCEL_EPOCH}</v></c>'
                if value
                else ""
            )
        for index, letter in self._number_cells:
            value = cells[index]
            cells[index] = "" if value is None or value == "" else f'<c r="{letter}{row}"><v>{value}</v></c>'
        return cells

    def write_rows(self, rows: Iterable[Sequence[Any]], on_progress: ProgressCallback | None = None) -> int:
        """Append rows; returns how many rows were written in all."""
        if self._stream is None:
            self._open_sheet()
        format_row, cells = self._format_row, self._cells
        batch: list[str] = []
        for values in rows:
            if self._row > self._data_rows_per_sheet:
                self._flush(batch, on_progress)
                self._open_sheet()
            self._row += 1
            row = str(self._row)  # formatted once: the template repeats it in every cell's reference
            batch.append(format_row(row, *cells(values, row)))
            if len(batch) >= ROWS_PER_WRITE:
                self._flush(batch, on_progress)
        self._flush(batch, on_progress)
        return self.rows_written

    def close(self) -> None:
        """Finish the last sheet and write the workbook's parts."""
        if self._stream is None and not self._sheet_names:
            self._open_sheet()  # an export of nothing is still a sheet with its headers
        self._close_sheet()
        count = len(self._sheet_names)
        sheets = "".join(
            f'<sheet name={quoteattr(name)} sheetId="{number}" r:id="rId{number}"/>'
            for number, name in enumerate(self._sheet_names, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        relationships = "".join(
            f'<Relationship Id="rId{number}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{number}.xml"/>'
            for number in range(1, count + 1)
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{relationships}"
            f'<Relationship Id="rId{count + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.writestr("_rels/.rels", _ROOT_RELS)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{number}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for number in range(1, count + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.close()

    @property
    def sheet_names(self) -> list[str]:
        return list(self._sheet_names)


def table_response(
    *, columns: Sequence[XlsxColumn], rows: Iterable[Sequence[Any]], file_format: str, filename: str, sheet_title: str
) -> HttpResponse:
    """A download of the rows: CSV streamed as it is written, XLSX from a temporary file; `filename` has no extension."""
    if file_format == "csv":
        response = StreamingHttpResponse(
            csv_chunks(headers=[column.header for column in columns], rows=rows), content_type=CSV_CONTENT_TYPE
        )
        response["Content-Disposition"] = content_disposition_header(True, f"{filename}.csv")
        return response
    if file_format != "xlsx":
        raise ValueError(f"unknown export format {file_format!r}")
    # The zip's directory is written last, so the file is finished before its first byte is sent;
    # the temporary file goes away when the response closes it.
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    writer = XlsxStreamWriter(spool, sheet_title=sheet_title, columns=columns)
    try:
        writer.write_rows(rows)
    finally:
        writer.close()
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE)


def file_labels(choices: type[Choices]) -> dict[str, str]:
    """Each value of `choices` and its label as files write it (in FILE_LANGUAGE)."""
    with translation.override(FILE_LANGUAGE):
        return {value: str(label) for value, label in choices.choices}


# A column of a plain list export and how to read it from one object: an attribute name or a function.
ExportColumn = tuple[XlsxColumn, "str | Callable[[Any], Any]"]


def queryset_table_response(
    *, queryset: Any, columns: Sequence[ExportColumn], file_format: str, file_stem: str, sheet_title: str
) -> HttpResponse:
    """A download of a queryset's objects, a column each, read from the database a chunk at a time.

    Named like 单位_2021-06-30.xlsx (`file_stem` and today's date): offices file exports under Chinese names.
    """
    getters = [
        (lambda row, name=reader: getattr(row, name)) if isinstance(reader, str) else reader
        for _column, reader in columns
    ]
    return table_response(
        columns=[column for column, _reader in columns],
        rows=([getter(row) for getter in getters] for row in queryset.iterator(chunk_size=2000)),
        file_format=file_format,
        filename=f"{file_stem}_{timezone.localdate():%Y-%m-%d}",
        sheet_title=sheet_title,
    )
