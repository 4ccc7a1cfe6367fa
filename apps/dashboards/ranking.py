"""考评排名: the child units of a unit ranked by one of the dashboard's figures, for the page and its files.

The figures are the dashboard's own (`dashboard_build`, read from the rollup counters); nothing is counted
here. A column from outside those figures is added as a `RankingColumn` with `counts`, a dict of each child
unit's value: the red supervision notices (`red_notices_column`) and the citizens' requests' figures
(`request_columns`) are such columns.
"""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from apps.accounts.models import User
from apps.core.exports import CSV_BOM, FILE_LANGUAGE, csv_guard, xlsx_guard
from apps.core.rates import NO_RATE, format_rate
from apps.dashboards.notice_figures import notice_tallies
from apps.dashboards.request_figures import request_tallies
from apps.dashboards.selectors import Figures, dashboard_build
from apps.items.models import today_local
from apps.org.models import Unit

RANKING_FORMATS = ("xlsx", "csv")
RANKING_FILE_STEM = "考评排名"  # offices file exports under Chinese names, like 考评排名_五华区_2026-11-06.xlsx
DEFAULT_SORT = "-rate"

Value = int | Decimal | None


@dataclass(frozen=True)
class RankingColumn:
    """A column units can be ranked by: a figure of the dashboard (`key` names it), or counts given per unit."""

    key: str
    label: str | Promise
    is_rate: bool = False
    higher_is_better: bool = True  # the first click on the header puts the best first
    # For a column added from elsewhere: each child unit's value by its id (None: the unit's own items; a unit
    # missing counts 0, or has no rate), and the address of the list behind a unit's count.
    counts: Mapping[int | None, Value] | None = None
    link: Callable[[Unit], str] | None = None

    def value(self, unit: Unit | None, figures: Figures) -> Value:
        if self.counts is not None:
            return self.counts.get(unit.pk if unit is not None else None, None if self.is_rate else 0)
        return getattr(figures, self.key)

    @property
    def first_sort(self) -> str:
        return f"-{self.key}" if self.higher_is_better else self.key


# The dashboard's figures, in the order the page and the files show them.
RANKING_COLUMNS = (
    RankingColumn("planned", gettext_lazy("Planned")),
    RankingColumn("completed", gettext_lazy("Completed")),
    RankingColumn("rate", gettext_lazy("Completion rate"), is_rate=True),
    RankingColumn("on_time_rate", gettext_lazy("On-time completion rate"), is_rate=True),
    RankingColumn("acknowledgement_rate", gettext_lazy("Acknowledgement timeliness"), is_rate=True),
    RankingColumn("overdue", gettext_lazy("Overdue"), higher_is_better=False),
    RankingColumn("red", gettext_lazy("Red lights"), higher_is_better=False),
    RankingColumn("waiting", gettext_lazy("Not acknowledged"), higher_is_better=False),
)


def red_notices_column(unit: Unit) -> RankingColumn:
    """红色督办单: each child unit's red notices (on items owned in its subtree), fewer first; linked to the list."""
    tallies = notice_tallies(unit=unit, today=today_local())
    notices = reverse("supervision:notices")
    return RankingColumn(
        "red_notices",
        gettext_lazy("Red notices"),
        higher_is_better=False,
        counts={branch: figures.red for branch, figures in tallies.by_branch.items()},
        link=lambda child: f"{notices}?colour=red&unit={child.pk}",
    )


def request_columns(unit: Unit) -> list[RankingColumn]:
    """群众诉求: each child unit's citizens' requests received, accepted on time and answered, its 满意率 and its
    解决率 beside the completion rate (one query)."""
    branches = request_tallies(unit=unit).by_branch.items()

    def column(key: str, label: Promise, *, is_rate: bool = False) -> RankingColumn:
        counts = {branch: getattr(figures, key) for branch, figures in branches}
        return RankingColumn(f"requests_{key}", label, is_rate=is_rate, counts=counts)

    return [
        column("received", gettext_lazy("Requests received")),
        column("accepted_on_time", gettext_lazy("Requests accepted on time")),
        column("answered", gettext_lazy("Requests answered")),
        column("satisfaction_rate", gettext_lazy("Satisfaction rate"), is_rate=True),
        column("resolution_rate", gettext_lazy("Resolution rate"), is_rate=True),
    ]


@dataclass
class RankingCell:
    """A value of an added column, with the list behind it."""

    value: Value
    url: str = ""
    key: str = ""  # the column's
    is_rate: bool = False


@dataclass
class RankingRow:
    unit: Unit | None  # None for the unit's own items, shown apart and not ranked
    figures: Figures
    rank: int | None = None  # None: no value to rank by ("—")
    has_children: bool = False
    added: list[RankingCell] = field(default_factory=list)

    def values(self, columns: Sequence[RankingColumn]) -> list[Value]:
        return [column.value(self.unit, self.figures) for column in columns]


@dataclass
class RankingHeader:
    column: RankingColumn
    sort: str  # what the header's link sorts by
    state: str  # "descending", "ascending" or "none", for aria-sort


@dataclass
class Ranking:
    unit: Unit
    breadcrumbs: list[Unit]
    today: datetime.date
    sort: str
    columns: list[RankingColumn]
    rows: list[RankingRow]
    own: RankingRow | None = None

    @property
    def sort_column(self) -> RankingColumn:
        return next(column for column in self.columns if column.key == self.sort.removeprefix("-"))

    @property
    def headers(self) -> list[RankingHeader]:
        headers = []
        for column in self.columns:
            if self.sort == f"-{column.key}":
                headers.append(RankingHeader(column, column.key, "descending"))
            elif self.sort == column.key:
                headers.append(RankingHeader(column, f"-{column.key}", "ascending"))
            else:
                headers.append(RankingHeader(column, column.first_sort, "none"))
        return headers


def _ranked(rows: list[RankingRow], column: RankingColumn, descending: bool) -> list[RankingRow]:
    """Rows in order of the column's value, ties sharing a rank (1, 2, 2, 4); rows with no value last, unranked.

    The sort is stable, so rows of equal value keep the tree's order.
    """
    valued = [row for row in rows if column.value(row.unit, row.figures) is not None]
    valued.sort(key=lambda row: column.value(row.unit, row.figures), reverse=descending)
    rank, previous = 0, None
    for position, row in enumerate(valued, start=1):
        value = column.value(row.unit, row.figures)
        if position == 1 or value != previous:
            rank, previous = position, value
        row.rank = rank
    return valued + [row for row in rows if column.value(row.unit, row.figures) is None]


def ranking_build(
    *, user: User, unit: Unit, sort: str = DEFAULT_SORT, added_columns: Sequence[RankingColumn] = ()
) -> Ranking:
    """The unit's child units ranked by the column `sort` names ("-" first: highest first); its own items apart."""
    # The notices' and requests' own figures are not read here: an added column brings what it ranks by.
    dashboard = dashboard_build(user=user, unit=unit, with_notices=False, with_requests=False)
    columns = [*RANKING_COLUMNS, *added_columns]
    keys = {column.key for column in columns}
    sort = sort if sort.removeprefix("-") in keys else DEFAULT_SORT
    rows, own = [], None
    for child in dashboard.child_rows:
        row = RankingRow(child.unit, child.figures, has_children=child.has_children)
        for column in added_columns:
            value = column.value(child.unit, child.figures)
            url = column.link(child.unit) if column.link is not None and child.unit is not None else ""
            row.added.append(RankingCell(value, url, column.key, column.is_rate))
        if child.unit is None:
            own = row
        else:
            rows.append(row)
    ranking = Ranking(unit, dashboard.breadcrumbs, dashboard.today, sort, columns, [], own)
    ranking.rows = _ranked(rows, ranking.sort_column, descending=sort.startswith("-"))
    return ranking


# ---- files -------------------------------------------------------------------------------------


def ranking_title(ranking: Ranking) -> str:
    return _("Ranking of units: %(unit)s, as of %(day)s") % {
        "unit": ranking.unit.name,
        "day": f"{ranking.today:%Y-%m-%d}",
    }


def ranking_file_name(ranking: Ranking, file_format: str) -> str:
    return f"{RANKING_FILE_STEM}_{ranking.unit.name}_{ranking.today:%Y-%m-%d}.{file_format}"


def _table(ranking: Ranking) -> tuple[str, list[str], list[list[Any]]]:
    """The title, headers and rows of the files, in Chinese whatever the reader's language."""
    with override(FILE_LANGUAGE):
        title = ranking_title(ranking)
        headers = [_("Rank"), _("Unit"), *(str(column.label) for column in ranking.columns)]
        rows = [
            [NO_RATE if row.rank is None else row.rank, row.unit.name, *row.values(ranking.columns)]
            for row in ranking.rows
        ]
        if ranking.own is not None:
            own_name = _("%(unit)s itself") % {"unit": ranking.unit.name}
            rows.append(["", own_name, *ranking.own.values(ranking.columns)])
    return title, headers, rows


def _display_width(value: Any) -> int:
    """Columns are sized in Latin character widths; a Chinese character takes two."""
    text = f"{value}%" if isinstance(value, Decimal) else str(value)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def ranking_xlsx(ranking: Ranking) -> bytes:
    """The table under a title row; rates as numbers formatted as percentages, "—" where there is none."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    title, headers, rows = _table(ranking)
    rate_indexes = {index + 2 for index, column in enumerate(ranking.columns) if column.is_rate}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = RANKING_FILE_STEM
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows:
        sheet.append([value / 100 if isinstance(value, Decimal) else value for value in row])
        for index in rate_indexes:
            cell = sheet.cell(row=sheet.max_row, column=index + 1)
            if cell.value is None:
                cell.value = NO_RATE
                cell.alignment = Alignment(horizontal="right")
            else:
                cell.number_format = "0.0%"
    xlsx_guard(sheet)  # a unit's name starting with "=" stays text
    sheet.freeze_panes = "A3"
    for index, header in enumerate(headers):
        longest = max(_display_width(value) for value in [header, *(row[index] for row in rows)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(max(longest + 2, 8), 40)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ranking_csv(ranking: Ranking) -> bytes:
    """The title row, the headers and the rows; rates as "34.6%" or "—"; UTF-8 with a BOM so Excel reads Chinese."""
    title, headers, rows = _table(ranking)
    buffer = io.StringIO()
    buffer.write(CSV_BOM)
    writer = csv.writer(buffer)
    rate_indexes = {index + 2 for index, column in enumerate(ranking.columns) if column.is_rate}
    writer.writerow([csv_guard(title)])
    writer.writerow([csv_guard(header) for header in headers])
    for row in rows:
        writer.writerow(
            [format_rate(value) if index in rate_indexes else csv_guard(value) for index, value in enumerate(row)]
        )
    return buffer.getvalue().encode()
