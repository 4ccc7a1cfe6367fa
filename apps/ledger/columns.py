"""The ledger's columns (台账): its file format, the labels its cells carry and the spellings an import accepts.

The headers are the file format offices fill in, so they are Chinese in every language of the interface;
the values may be written as the Chinese labels exports use, as codes, or as the English labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, override

from apps.core.exports import FILE_LANGUAGE, XlsxKind, file_labels
from apps.items.models import ItemKind, KeyLevel, OwnerType, Source, Status

LEDGER_LANGUAGE = FILE_LANGUAGE  # ledgers are office files, filled in and filed in Chinese
LEDGER_SHEET_TITLE = "台账"
GUIDE_SHEET_TITLE = "填写说明"
YES_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "重点"})
NO_WORDS = frozenset({"否", "n", "no", "false", "0", "", "非重点"})


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    header: str  # the Chinese header: part of the file format, the same in every interface language
    guide: Promise
    required: bool = False
    width: int = 14
    kind: XlsxKind = XlsxKind.TEXT
    imported: bool = True  # columns that exports add for the reader and imports ignore


LEDGER_COLUMNS: tuple[LedgerColumn, ...] = (
    LedgerColumn(
        "number",
        "编号",
        gettext_lazy(
            "Leave empty for a new item: it gets the next number of its unit. A number the portal gave "
            "(e.g. WH-2021-0042) names that item, so importing the same file again creates nothing twice."
        ),
        width=16,
    ),
    LedgerColumn("kind", "清单类型", gettext_lazy("May be left empty: the owner type decides it."), width=14),
    LedgerColumn(
        "owner_type",
        "责任主体类型",
        gettext_lazy(
            "Who keeps the item: a unit's leadership team or grassroots party organisation keep livelihood "
            "plans, a leadership-team member or a party member keeps a service list."
        ),
        required=True,
        width=18,
    ),
    LedgerColumn(
        "unit",
        "所属单位",
        gettext_lazy(
            "The unit whose ledger it is: the unit chosen when uploading or a unit below it, by its code "
            "(WH) or its name (五华区). Empty means the unit chosen when uploading."
        ),
        width=16,
    ),
    LedgerColumn(
        "owner_person",
        "清单所属人",
        gettext_lazy(
            "For service-list items, the person whose list it is: a member of the owning unit, by user name or name."
        ),
        width=14,
    ),
    LedgerColumn("title", "事项名称", gettext_lazy("At most 200 characters."), required=True, width=32),
    LedgerColumn("content", "具体内容", gettext_lazy("What will be done, in as much detail as needed."), width=40),
    LedgerColumn("category", "类别", gettext_lazy("One of the categories."), required=True, width=14),
    LedgerColumn("beneficiaries", "服务对象", gettext_lazy("At most 200 characters."), width=20),
    LedgerColumn(
        "responsible_unit",
        "责任单位",
        gettext_lazy("Any unit in your reach, by code or name. Empty means the owning unit."),
        width=16,
    ),
    LedgerColumn(
        "responsible_person",
        "责任人",
        gettext_lazy("A member of the responsible unit, by user name or name. May be empty."),
        width=14,
    ),
    LedgerColumn("requirements", "工作要求", gettext_lazy("May be empty."), width=30),
    LedgerColumn(
        "start_date",
        "开始日期",
        gettext_lazy("A date such as 2021-03-01 or 2021年3月1日. May be empty."),
        width=12,
        kind=XlsxKind.DATE,
    ),
    LedgerColumn(
        "deadline",
        "完成时限",
        gettext_lazy("A date, not before the start date."),
        required=True,
        width=12,
        kind=XlsxKind.DATE,
    ),
    LedgerColumn("is_key", "是否重点", gettext_lazy("是 or 否; empty means 否."), width=10),
    LedgerColumn("key_level", "重点级别", gettext_lazy("Required for key items: the level that lists it."), width=16),
    LedgerColumn("source", "来源", gettext_lazy("Where the item came from; empty means own initiative."), width=12),
    LedgerColumn(
        "status",
        "状态",
        gettext_lazy("Written by exports, ignored by imports: imported items start as drafts."),
        width=10,
        imported=False,
    ),
    LedgerColumn(
        "progress",
        "进度（%）",
        gettext_lazy("Written by exports, ignored by imports."),
        width=10,
        kind=XlsxKind.NUMBER,
        imported=False,
    ),
    LedgerColumn(
        "light",
        "亮灯",
        gettext_lazy("Written by exports, ignored by imports: the item's light on the day of the export."),
        width=18,
        imported=False,
    ),
)
COLUMN_BY_KEY = {column.key: column for column in LEDGER_COLUMNS}
HEADER_TO_KEY = {column.header: column.key for column in LEDGER_COLUMNS}
REQUIRED_KEYS = tuple(column.key for column in LEDGER_COLUMNS if column.required)
CHOICE_COLUMNS: dict[str, type] = {
    "kind": ItemKind,
    "owner_type": OwnerType,
    "key_level": KeyLevel,
    "source": Source,
    "status": Status,
}


def ledger_labels() -> dict[str, dict[str, str]]:
    """For each choice column, the label a ledger shows for each value (in Chinese)."""
    return {key: file_labels(choices) for key, choices in CHOICE_COLUMNS.items()}


def choice_lookup() -> dict[str, dict[str, str]]:
    """For each choice column, every spelling an import accepts (code, Chinese or English label) → value."""
    lookup: dict[str, dict[str, str]] = {}
    for key, choices in CHOICE_COLUMNS.items():
        spellings: dict[str, str] = {}
        for language in ("en", LEDGER_LANGUAGE):
            with override(language):
                spellings.update({str(label).lower(): value for value, label in choices.choices})
        spellings.update({value.lower(): value for value in choices.values})
        lookup[key] = spellings
    return lookup


def normalise_header(text: Any) -> str:
    return re.sub(r"[\s*＊]|[（(]必填[)）]", "", str(text or ""))
