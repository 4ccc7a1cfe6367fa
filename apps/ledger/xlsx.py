# Performance-critical: guarded by bench/ledger.py and bench/ledger_bomb.py; run `make bench` after changing it.
"""An XLSX ledger as the package (a zip) it is: the bomb guard, its sheets' values, and what a reader leaves out.

The values are read with calamine (python-calamine), about ten times faster than openpyxl's streaming reader
(bench/ledger.py prints both). Calamine reports neither the formulas saved without a value (it reads them as
empty cells) nor, cheaply, where each sheet's XML is; the merged ranges and those formulas are read here from
the sheets' XML, streamed once. Nothing reaches calamine before the zip's directory passed the bomb guard, and
calamine reads a copy of the package whose parts Python's zipfile unpacked, each no further than the size the
directory lists, so what the guard checked is all it can be made to unpack.
"""

from __future__ import annotations

import datetime
import html
import posixpath
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
from python_calamine import CalamineWorkbook, SheetTypeEnum

# Parts this small may be packed as tightly as they like (a sheet of empty rows is); bigger ones are held to
# LEDGER_MAX_COMPRESSION_RATIO. Real ledgers pack about 15 times (a 50,000-row ledger: 55 MB in 3.7 MB).
RATIO_CHECKED_FROM_BYTES = 4 * 1024 * 1024
SHEET_READ_CHUNK = 1024 * 1024
MERGE_REF = re.compile(rb'<mergeCell\b[^>]*?\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
# A cell with a formula and no saved value: <c r="H3"><f>…</f></c> (or an empty <v/>).
FORMULA_WITHOUT_VALUE = re.compile(
    rb"<c\b([^>]*?)(?<!/)>\s*(?:<f\b[^>]*/>|<f\b[^>]*>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
CELL_REFERENCE = re.compile(rb'\br="([A-Z]+)(\d+)"')
ATTRIBUTE = re.compile(rb'([\w.:-]+)\s*=\s*"([^"]*)"')
SHEET_END = re.compile(rb"</(?:\w+:)?worksheet>\s*$")


class LedgerFileError(Exception):
    """The file as a whole cannot be read as a ledger."""


@dataclass
class SheetExtras:
    """What the value reader leaves out of a sheet: its merged ranges and its formulas without values."""

    # (first row, first column, last row, last column), 1-based like the spreadsheet's own numbers.
    merges: list[tuple[int, int, int, int]]
    unsaved: set[tuple[int, int]]  # (row, column), 1-based


def _not_xlsx() -> LedgerFileError:
    return LedgerFileError(
        _(
            "The file is not a real XLSX file: open it in Excel or WPS and save it again as .xlsx "
            "(or save it as CSV), then upload that file."
        )
    )


def xlsx_parts(source: IO[bytes]) -> list[zipfile.ZipInfo]:
    """The parts an XLSX file (a zip) lists in its directory; the file is left where it was."""
    start = source.tell()
    try:
        with zipfile.ZipFile(source) as package:
            return package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise _not_xlsx() from error
    finally:
        source.seek(start)


def refuse_bombs(parts: Sequence[zipfile.ZipInfo]) -> None:
    """Refuse a file whose parts would unpack to more than the limits allow, before anything unpacks them.

    The sizes come from the zip's directory; Python's zipfile never unpacks a part past the size listed there,
    and the readers only see parts it unpacked, so what is checked here is all a reader can be made to unpack.
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


def sheet_extras(package: zipfile.ZipFile, part: str) -> SheetExtras:
    """The merged ranges and the formulas without saved values of one sheet, read from its XML in chunks.

    Streams the part once, holding at most a chunk and one unfinished element. A sheet cut short (a damaged
    file) is refused: a reader would otherwise read its first rows as the whole ledger.
    """
    extras = SheetExtras(merges=[], unsaved=set())
    carry = b""
    with package.open(part) as stream:
        while True:
            chunk = stream.read(SHEET_READ_CHUNK)
            text = carry + chunk
            if chunk:
                # Everything before the last element that may still be open is complete.
                cut = max(text.rfind(b"<c "), text.rfind(b"<row"), text.rfind(b"<mergeCell "))
                if cut <= 0:
                    carry = text
                    continue
                text, carry = text[:cut], text[cut:]
            if b"<f" in text:
                for match in FORMULA_WITHOUT_VALUE.finditer(text):
                    reference = CELL_REFERENCE.search(match[1])
                    # t="str" with an empty value is a formula whose result is empty text: saved, and empty.
                    if reference and b't="str"' not in match[1]:
                        extras.unsaved.add((int(reference[2]), column_index_from_string(reference[1].decode())))
            if b"<mergeCell " in text:
                for match in MERGE_REF.finditer(text):
                    first_column, first_row, last_column, last_row = match.groups()
                    extras.merges.append(
                        (
                            int(first_row),
                            column_index_from_string(first_column.decode()),
                            int(last_row),
                            column_index_from_string(last_column.decode()),
                        )
                    )
            if not chunk:
                if not SHEET_END.search(text[-64:]):
                    raise LedgerFileError(
                        _(
                            "The file could not be read: it may be damaged or cut short. Open it in Excel or WPS, "
                            "save it again as .xlsx (or as CSV), then upload that file."
                        )
                    )
                return extras


def _elements(xml: bytes, tag: str) -> Iterator[dict[str, str]]:
    """The attributes of each <tag …> element of a small XML part, without prefixes; no entity is expanded."""
    for element in re.finditer(rb"<(?:[\w.-]+:)?" + tag.encode() + rb"\b([^>]*)>", xml):
        yield {
            name.decode().rsplit(":", 1)[-1]: html.unescape(value.decode())
            for name, value in ATTRIBUTE.findall(element[1])
        }


def _package_layout(package: zipfile.ZipFile) -> tuple[dict[str, str], datetime.datetime]:
    """Each sheet's name → its part in the package, and the workbook's date system (1900, or 1904)."""
    workbook_part = next(
        relation.get("Target", "")
        for relation in _elements(package.read("_rels/.rels"), "Relationship")
        if relation.get("Type", "").endswith("/officeDocument")
    ).lstrip("/")
    folder, name = posixpath.split(workbook_part)
    relations = package.read(posixpath.join(folder, "_rels", f"{name}.rels"))
    targets = {relation.get("Id"): relation.get("Target", "") for relation in _elements(relations, "Relationship")}
    workbook = package.read(workbook_part)
    parts: dict[str, str] = {}
    for sheet in _elements(workbook, "sheet"):
        target = targets.get(sheet.get("id"), "")
        if target:
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
            parts[sheet.get("name", "")] = part
    date_system = next(_elements(workbook, "workbookPr"), {}).get("date1904", "").lower()
    return parts, CALENDAR_MAC_1904 if date_system in {"1", "true"} else CALENDAR_WINDOWS_1900


def _rows_from(sheet: Any) -> Iterator[Sequence[Any]]:
    """A sheet's rows from row 1 and column A: calamine's rows start at row 1 (it yields the empty rows above
    its range), but at the range's first column, so the empty columns on the left are put back."""
    padding = [None] * (sheet.start[1] if sheet.height else 0)
    for values in sheet.iter_rows():
        yield padding + values if padding else values


@contextmanager
def xlsx_sheets(source: IO[bytes]) -> Iterator[tuple[list[tuple[str, Iterator[Sequence[Any]], SheetExtras]], Any]]:
    """The worksheets of an XLSX file as (title, rows from row 1, extras), and the workbook's date system.

    The zip's directory passes the bomb guard first; calamine then reads a copy of the package whose parts
    Python's zipfile unpacked (stored, not packed again), never the upload itself.
    """
    refuse_bombs(xlsx_parts(source))
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as copy:
        with zipfile.ZipFile(source) as package, zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as target:
            for part in package.infolist():
                with package.open(part) as unpacked, target.open(part.filename, "w", force_zip64=True) as packed:
                    shutil.copyfileobj(unpacked, packed, SHEET_READ_CHUNK)
        copy.flush()
        with zipfile.ZipFile(copy.name) as package:
            parts, epoch = _package_layout(package)
            workbook = CalamineWorkbook.from_path(copy.name)
            try:
                tables = [
                    (
                        sheet.name,
                        _rows_from(workbook.get_sheet_by_name(sheet.name)),
                        sheet_extras(package, parts[sheet.name]),
                    )
                    for sheet in workbook.sheets_metadata
                    if sheet.typ == SheetTypeEnum.WorkSheet
                ]
                yield tables, epoch
            finally:
                workbook.close()
