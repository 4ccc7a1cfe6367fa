"""A report's tables and their XLSX, CSV and PDF files, all drawn from the frozen snapshot."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from apps.core.exports import FILE_LANGUAGE, csv_guard
from apps.items.models import ItemKind, KeyLevel, OwnerType, Status
from apps.reports.periods import ReportKind

REPORT_LANGUAGE = FILE_LANGUAGE


@dataclass
class ReportTable:
    """One table of a report: a title, column headers, rows; `percent_columns` hold rates (34.6 = 34.6%)."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    percent_columns: set[int] = field(default_factory=set)
    note: str = ""
    # Columns a spreadsheet should hold as numbers with a sign (changes), date-times or dates, not as text.
    change_columns: set[int] = field(default_factory=set)
    moment_columns: set[int] = field(default_factory=set)
    date_columns: set[int] = field(default_factory=set)
    # The id of each row's item where a row is an item: its number links to the item on the report's page.
    row_items: list[int | None] = field(default_factory=list)

    def rows_with_items(self) -> list[tuple[list[Any], int | None]]:
        return list(zip(self.rows, self.row_items or [None] * len(self.rows), strict=True))


def _rate(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _signed(value: int | str | None) -> str:
    if value is None:
        return "—"
    number = Decimal(str(value))
    return f"+{value}" if number > 0 else str(value)


def _figure_cells(row: dict[str, Any], with_change: bool) -> list[Any]:
    cells = [row["planned"], row["completed"], _rate(row["rate"]), row["overdue"]]
    if with_change:
        change = row.get("change") or {}
        cells += [
            _signed(change.get("planned")),
            _signed(change.get("completed")),
            _signed(change.get("rate")),
            _signed(change.get("overdue")),
        ]
    return cells


def report_title(data: dict[str, Any]) -> str:
    return _("%(unit)s %(kind)s (%(start)s to %(end)s)") % {
        "unit": data["unit"]["name"],
        "kind": ReportKind(data["kind"]).label,
        "start": data["period"]["start"],
        "end": data["period"]["end"],
    }


def report_tables(data: dict[str, Any]) -> list[ReportTable]:
    """The tables every rendering of the report shows, in order, with headers in the active language."""
    change_headers = [_("Planned change"), _("Completed change"), _("Rate change (points)"), _("Overdue change")]
    figure_headers = [_("Planned"), _("Completed"), _("Completion rate"), _("Overdue")]
    summary = ReportTable(
        title=_("Completion by list kind and owner type"),
        headers=[_("Owner type"), _("List kind"), *figure_headers, *change_headers],
        rows=[
            [str(OwnerType(row["owner_type"]).label), str(ItemKind(row["kind"]).label), *_figure_cells(row, True)]
            for row in data["owner_types"]
        ]
        + [[_("Total"), "", *_figure_cells(data["total"], True)]],
        percent_columns={4},
        change_columns={6, 7, 8, 9},
        note="" if data["has_previous"] else _("There is no previous report of this kind to compare with."),
    )
    unit_rows = [[row["name"], *_figure_cells(row, True)] for row in data["children"]]
    if data.get("own"):
        unit_rows.insert(
            0,
            [_("%(unit)s itself") % {"unit": data["unit"]["name"]}, *_figure_cells(data["own"], False), "", "", "", ""],
        )
    by_unit = ReportTable(
        title=_("Completion by unit"),
        headers=[_("Unit"), *figure_headers, *change_headers],
        rows=unit_rows,
        percent_columns={3},
        change_columns={5, 6, 7, 8},
    )
    list_names = {
        "completed": _("Completed in the period"),
        "closed": _("Closed in the period"),
        "newly_overdue": _("Newly overdue in the period"),
        "returned": _("Returned in the period"),
        "key": _("Key items"),
        "extended": _("Extensions granted in the period"),
        "completed_late": _("Completed late in the period"),
        "not_acknowledged": _("Not acknowledged past the time limit at the end of the period"),
    }
    # Reports produced before extensions were listed have no such list.
    list_names = {key: name for key, name in list_names.items() if f"{key}_count" in data}
    # Reports produced before the lists had a change have no "list_changes": shown as "—".
    list_changes = data.get("list_changes") or {}
    period_lists = ReportTable(
        title=_("Items of the period"),
        headers=[_("Period list"), _("Number of items"), _("Change against the previous report")],
        rows=[[name, data[f"{key}_count"], _signed(list_changes.get(key))] for key, name in list_names.items()],
        change_columns={2},
        note=summary.note,
    )

    def item_table(title: str, key: str, columns: list[tuple[str, str]]) -> ReportTable:
        count = data[f"{key}_count"]
        rows = [[_cell(row, name) for _header, name in columns] for row in data[f"{key}_items"]]
        note = ""
        if count > len(rows):
            note = _("%(shown)s of %(count)s items are listed.") % {"shown": len(rows), "count": count}
        names = [name for _header, name in columns]
        return ReportTable(
            title=_("%(list)s (%(count)s)") % {"list": title, "count": count},
            headers=[header for header, _name in columns],
            rows=rows,
            note=note,
            moment_columns={index for index, name in enumerate(names) if name == "at"},
            date_columns={index for index, name in enumerate(names) if name in ("deadline", "due")},
            row_items=[row.get("id") for row in data[f"{key}_items"]],
        )

    def per_unit(section: dict[str, Any], cells: Callable[[dict[str, Any]], list[Any]]) -> list[list[Any]]:
        """A row per child unit, the unit's own items first when it has any, the total last."""
        rows = [[row["name"], *cells(row)] for row in section["children"]]
        if section.get("own"):
            rows.insert(0, [_("%(unit)s itself") % {"unit": data["unit"]["name"]}, *cells(section["own"])])
        rows.append([_("Total"), *cells(section["total"])])
        return rows

    lights = data.get("lights")  # reports produced before lights were kept have none
    light_tables = []
    if lights:
        light_rows = per_unit(lights, lambda row: [row["red"], row["yellow"], row["green"]])
        light_tables.append(
            ReportTable(
                title=_("Lights at the end of the period"),
                headers=[
                    _("Unit"),
                    _("Red (overdue)"),
                    _("Yellow (deadline near or behind schedule)"),
                    _("Green (on track)"),
                ],
                rows=light_rows,
                note=_("The items being delivered on the period's last day, lit as the item page showed them then."),
            )
        )

    timeliness = data.get("timeliness")  # reports produced before timeliness was kept have none
    timeliness_tables = []
    if timeliness:

        def timeliness_cells(row: dict[str, Any]) -> list[Any]:
            return [
                row["completed"],
                row["completed_on_time"],
                _rate(row["on_time_rate"]),
                row["acknowledged"],
                row["acknowledged_on_time"],
                row["waiting_late"],
                _rate(row["acknowledgement_rate"]),
            ]

        timeliness_rows = per_unit(timeliness, timeliness_cells)
        timeliness_tables.append(
            ReportTable(
                title=_("Timeliness in the period"),
                headers=[
                    _("Unit"),
                    _("Completed"),
                    _("Completed on time"),
                    _("On-time completion rate"),
                    _("Acknowledged"),
                    _("Acknowledged on time"),
                    _("Not acknowledged past the time limit"),
                    _("Acknowledgement timeliness"),
                ],
                rows=timeliness_rows,
                percent_columns={3, 7},
                note=_(
                    "On-time completion rate = completed in the period on or before the deadline in force then ÷ "
                    "completed in the period. Acknowledgement timeliness = acknowledged in the period within the "
                    "time limit ÷ (acknowledged in the period + still not acknowledged past the limit at its end)."
                ),
            )
        )

    notices = data.get("notices")  # reports produced before notices were counted have none
    notice_tables = []
    if notices:

        def notice_cells(row: dict[str, Any]) -> list[Any]:
            return [row["issued"], row["answered"], row["overdue"], row["red"]]

        notice_rows = per_unit(notices, notice_cells)
        notice_tables.append(
            ReportTable(
                title=_("Supervision notices in the period"),
                headers=[
                    _("Unit"),
                    _("Notices issued"),
                    _("Notices answered"),
                    _("Past the reply deadline at the end of the period"),
                    _("Red notices issued"),
                ],
                rows=notice_rows,
                note=_(
                    "Supervision notices on the items each unit owns: issued in the period (an escalation is a new "
                    "notice), answered in the period, still waiting for a reply after the day it was due at the end "
                    "of the period, and red ones issued in the period."
                ),
            )
        )

    citizen_requests = data.get("requests")  # reports produced before requests were counted have none
    request_tables = []
    if citizen_requests:

        def request_cells(row: dict[str, Any]) -> list[Any]:
            return [
                row["received"],
                row["accepted_on_time"],
                row["answered"],
                row["rated"],
                _rate(row["satisfaction_rate"]),
                _rate(row["resolution_rate"]),
                row["reopened"],
            ]

        request_tables.append(
            ReportTable(
                title=_("Citizens' requests in the period"),
                headers=[
                    _("Unit"),
                    _("Requests received"),
                    _("Accepted on time"),
                    _("Answered and closed"),
                    _("Rated"),
                    _("Satisfaction rate"),
                    _("Resolution rate"),
                    _("Reopened"),
                ],
                rows=per_unit(citizen_requests, request_cells),
                percent_columns={5, 6},
                note=_(
                    "Citizens' requests (群众诉求) counted by the unit handling them: received in the period, taken on "
                    "in the period by the day it was due, closed in the period by a reply or by their work item's "
                    "closing, and rated in the period. Satisfaction rate = satisfied and basically satisfied ÷ rated; "
                    "resolution rate = confirmed solved by the citizen ÷ rated; reopened: second rounds opened."
                ),
            )
        )

    number, title, unit, responsible = (
        (_("Number"), "number"),
        (_("Item"), "title"),
        (_("Owning unit"), "unit"),
        (_("Responsible unit"), "responsible_unit"),
    )
    return [
        summary,
        by_unit,
        period_lists,
        item_table(
            list_names["completed"],
            "completed",
            [number, title, unit, responsible, (_("Lead leader"), "lead_leader"), (_("Completed at"), "at")],
        ),
        item_table(list_names["closed"], "closed", [number, title, unit, responsible, (_("Closed at"), "at")]),
        item_table(
            list_names["newly_overdue"],
            "newly_overdue",
            [number, title, unit, responsible, (_("Deadline"), "deadline"), (_("Status"), "status")],
        ),
        item_table(
            list_names["returned"],
            "returned",
            [number, title, responsible, (_("Returned at"), "at"), (_("Reason"), "reason")],
        ),
        item_table(
            list_names["key"],
            "key",
            [
                number,
                title,
                (_("Level"), "key_level"),
                (_("Lead leader"), "lead_leader"),
                (_("Status"), "status"),
                (_("Progress (%)"), "progress"),
                (_("Deadline"), "deadline"),
            ],
        ),
        *(
            [
                item_table(
                    list_names["extended"],
                    "extended",
                    [number, title, responsible, (_("Granted at"), "at"), (_("Decision"), "reason")],
                )
            ]
            if "extended" in list_names
            else []
        ),
        *light_tables,
        *timeliness_tables,
        *(
            [
                item_table(
                    list_names["completed_late"],
                    "completed_late",
                    [number, title, responsible, (_("Deadline"), "deadline"), (_("Completed at"), "at")],
                ),
                item_table(
                    list_names["not_acknowledged"],
                    "not_acknowledged",
                    [number, title, responsible, (_("Acknowledge by"), "due"), (_("Status"), "status")],
                ),
            ]
            if "completed_late" in list_names
            else []
        ),
        *notice_tables,
        *request_tables,
    ]


def _cell(row: dict[str, Any], name: str) -> Any:
    value = row.get(name, "")
    if name == "status":
        return str(Status(value).label)
    if name == "key_level":
        return str(KeyLevel(value).label) if value else ""
    return value


# ---- XLSX ---------------------------------------------------------------------------------------


def _display_width(value: Any) -> int:
    """Columns are sized in Latin character widths; a Chinese character takes two."""
    text = f"{value:.1%}" if isinstance(value, Decimal) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


SIGNED_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _xlsx_cell(value: Any, table: ReportTable, index: int) -> tuple[Any, str, bool]:
    """A data cell's value as a spreadsheet should hold it, its number format, and whether it is set to the right.

    Rates as percentages ("—" where there is none), changes as signed numbers, times as date-times and deadlines
    as dates, so a spreadsheet can sum and sort.
    """
    if index in table.percent_columns:
        if value is None:
            return "—", "0.0%", True
        return (value / 100 if isinstance(value, Decimal) else value), "0.0%", False
    if not isinstance(value, str):
        return value, "General", False
    if index in table.change_columns and SIGNED_NUMBER.fullmatch(value):
        if "." in value:
            return Decimal(value), "+0.0;-0.0;0.0", False
        return int(value), "+0;-0;0", False
    if index in table.moment_columns:
        with contextlib.suppress(ValueError):
            return datetime.datetime.strptime(value, "%Y-%m-%d %H:%M"), "yyyy-mm-dd hh:mm", False
    elif index in table.date_columns:
        with contextlib.suppress(ValueError):
            return datetime.datetime.strptime(value, "%Y-%m-%d").date(), "yyyy-mm-dd", False
    return value, "General", False


class _XlsxCells:
    """Cells of a write-only workbook, each kind styled once: a cell takes a copy of its kind's style array instead
    of looking each of its style objects up in the workbook's tables again."""

    def __init__(self, workbook: Any) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.workbook = workbook
        thin = Side(style="thin", color="999999")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.title_font = Font(bold=True, size=14)
        self.title_alignment = Alignment(horizontal="center", vertical="center")
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="F2DCDB")
        self.header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.right = Alignment(horizontal="right")
        self.styles: dict[tuple[str, str, bool], Any] = {}

    def _style(self, sheet: Any, kind: str, number_format: str = "General", right: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell

        key = (kind, number_format, right)
        if key not in self.styles:
            prototype = WriteOnlyCell(sheet)
            if kind == "title":
                prototype.font, prototype.alignment = self.title_font, self.title_alignment
            elif kind == "header":
                prototype.font, prototype.fill = self.header_font, self.header_fill
                prototype.alignment, prototype.border = self.header_alignment, self.border
            elif kind == "data":
                prototype.border = self.border
                prototype.number_format = number_format
                if right:
                    prototype.alignment = self.right
            self.styles[key] = prototype._style
        return self.styles[key]

    def cell(self, sheet: Any, value: Any, kind: str = "", number_format: str = "General", right: bool = False) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles.cell_style import StyleArray

        cell = WriteOnlyCell(sheet, value)
        if cell.data_type == "f":
            cell.data_type = "s"  # the portal writes no formulas: text starting with "=" (a unit's name) stays text
        if kind:
            cell._style = StyleArray(self._style(sheet, kind, number_format, right))
        return cell


def render_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    with override(REPORT_LANGUAGE):
        title = report_title(data)
        tables = report_tables(data)
        sheet_names = [
            _("Summary"),
            _("By unit"),
            _("Period lists"),
            _("Completed items"),
            _("Closed items"),
            _("Newly overdue items"),
            _("Returned items"),
            _("Key items"),
            *([_("Extensions")] if "extended_count" in data else []),
            *([_("Lights")] if data.get("lights") else []),
            *([_("Timeliness")] if data.get("timeliness") else []),
            *([_("Completed late"), _("Not acknowledged")] if "completed_late_count" in data else []),
            *([_("Notices of the period")] if data.get("notices") else []),
            *([_("Requests of the period")] if data.get("requests") else []),
        ]
    # Write-only: each row is written out as it is appended, not kept as cells to style and walk again.
    workbook = Workbook(write_only=True)
    cells = _XlsxCells(workbook)
    for sheet_name, table in zip(sheet_names, tables, strict=True):
        sheet = workbook.create_sheet(sheet_name[:31])
        width = len(table.headers)
        # What a write-only sheet writes before its rows is set first: the frozen panes and the columns' widths.
        sheet.freeze_panes = "A3"
        for index, header in enumerate(table.headers):
            values = [header, *(row[index] for row in table.rows)]
            longest = max(_display_width(value) for value in values)
            sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest + 2, 8), 60)
        sheet.row_dimensions[1].height = 28
        sheet.merged_cells.add(f"A1:{get_column_letter(width)}1")
        sheet.append([cells.cell(sheet, f"{title} · {table.title}", "title")])
        sheet.append([cells.cell(sheet, header, "header") for header in table.headers])
        for row in table.rows:
            written = []
            for index, value in enumerate(row):
                value, number_format, right = _xlsx_cell(value, table, index)
                written.append(cells.cell(sheet, value, "data", number_format, right))
            sheet.append(written)
        if table.note:
            sheet.append([])
            sheet.append([cells.cell(sheet, table.note)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---- CSV ----------------------------------------------------------------------------------------


def _csv_value(value: Any, percent: bool) -> Any:
    if percent:
        return "—" if value is None else f"{value}%"
    return value


def render_csv(data: dict[str, Any]) -> bytes:
    """All tables one after another, each under its title; UTF-8 with a BOM so Excel reads the Chinese."""
    with override(REPORT_LANGUAGE):
        title = report_title(data)
        tables = report_tables(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def write(row: list[Any]) -> None:
        writer.writerow([csv_guard(value) for value in row])  # titles and names a spreadsheet would run

    write([title])
    for table in tables:
        write([])
        write([table.title])
        write(table.headers)
        for row in table.rows:
            write([_csv_value(value, index in table.percent_columns) for index, value in enumerate(row)])
        if table.note:
            write([table.note])
    return buffer.getvalue().encode("utf-8-sig")


# ---- PDF ----------------------------------------------------------------------------------------

PDF_FONT_NAME = "ReportCJK"


class ReportFontMissing(RuntimeError):
    """The Chinese font the PDF embeds is not installed."""


@cache
def _register_pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = Path(settings.REPORT_PDF_FONT)
    if not path.exists():
        raise ReportFontMissing(
            f"Chinese font not found at {path}; install it with 'make system-deps' (Debian: fonts-wqy-zenhei) "
            "or point REPORT_PDF_FONT at a TrueType font with Chinese glyphs."
        )
    pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, str(path), subfontIndex=0))
    return PDF_FONT_NAME


def _pdf_text(value: Any) -> str:
    """Plain text for a ReportLab Paragraph, which reads its text as markup: a title with "<" or "&" is text."""
    return escape(str(value))


def _numbered_canvas(font: str, label: str) -> type:
    """A canvas that writes "page N of M" at the foot of every page once it knows how many pages there are."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:
            # Keep the page for later instead of writing it: the count of pages is known only at the end.
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._page_states)
            for state in self._page_states:
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.drawRightString(
                    self._pagesize[0] - 12 * mm, 6 * mm, label % {"page": self._pageNumber, "pages": pages}
                )
                super().showPage()
            super().save()

    return NumberedCanvas


PDF_CELL_PADDING = 6  # ReportLab's default left and right padding of a table cell
PDF_CELL_FONT_SIZE = 8


def _pdf_column_widths(texts: list[list[str]], font: str, available: float) -> list[float]:
    """Widths filling the page's width: each column as wide as its longest text where they all fit, the narrow
    ones kept whole and the wide ones sharing what is left otherwise (their texts wrap)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    columns = len(texts[0])
    natural = [
        max(stringWidth(row[index], font, PDF_CELL_FONT_SIZE) for row in texts) + 2 * PDF_CELL_PADDING
        for index in range(columns)
    ]
    if sum(natural) <= available:
        spare = (available - sum(natural)) / columns
        return [width + spare for width in natural]
    share = available / columns
    narrow = [index for index, width in enumerate(natural) if width <= share]
    left = available - sum(natural[index] for index in narrow)
    wide_total = sum(width for index, width in enumerate(natural) if index not in narrow)
    return [natural[index] if index in narrow else left * natural[index] / wide_total for index in range(columns)]


def render_pdf(data: dict[str, Any]) -> bytes:
    """An A4 landscape document with every table; the Chinese font is embedded (subset)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _register_pdf_font()
    with override(REPORT_LANGUAGE):
        title = report_title(data)
        tables = report_tables(data)
        page_label = _("Page %(page)s of %(pages)s")
    heading = ParagraphStyle("heading", fontName=font, fontSize=16, leading=22, spaceAfter=6)
    # keepWithNext: a table's title never stands alone at the foot of a page, apart from its table.
    subheading = ParagraphStyle(
        "subheading", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4, keepWithNext=1
    )
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=PDF_CELL_FONT_SIZE, leading=10)
    note_style = ParagraphStyle("note", fontName=font, fontSize=8, leading=10, textColor=colors.grey)
    story: list[Any] = [Paragraph(_pdf_text(title), heading)]
    # the frame's width: the page less its margins and the frame's own padding (6 points a side)
    page_width = landscape(A4)[0] - 24 * mm - 12
    for table in tables:
        story.append(Paragraph(_pdf_text(table.title), subheading))
        texts = [list(table.headers)]
        for row in table.rows:
            texts.append([str(_csv_value(value, index in table.percent_columns)) for index, value in enumerate(row)])
        if len(texts) == 1:
            texts.append(["—"] + [""] * (len(table.headers) - 1))
        widths = _pdf_column_widths(texts, font, page_width)
        # A text that fits its column is drawn as it is; only one that must wrap is laid out as a Paragraph (a
        # report of a province has some twenty thousand cells, and a Paragraph is parsed, wrapped and drawn as
        # markup, many times the cost of a string).
        rows = [
            [
                text
                if "\n" not in text and stringWidth(text, font, PDF_CELL_FONT_SIZE) <= width - 2 * PDF_CELL_PADDING
                else Paragraph(_pdf_text(text), cell_style)
                for text, width in zip(row, widths, strict=True)
            ]
            for row in texts
        ]
        grid = Table(rows, colWidths=widths, repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, PDF_CELL_FONT_SIZE, cell_style.leading),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F2DCDB")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(grid)
        if table.note:
            story.append(Paragraph(_pdf_text(table.note), note_style))
        story.append(Spacer(1, 4 * mm))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    document.build(story, canvasmaker=_numbered_canvas(font, page_label))
    return buffer.getvalue()


RENDERERS = {"xlsx": render_xlsx, "csv": render_csv, "pdf": render_pdf}
