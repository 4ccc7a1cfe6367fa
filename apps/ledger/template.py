"""The empty ledger to fill in: the ledger sheet with its headers and drop-downs, and a sheet explaining it."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.exports import XlsxKind
from apps.items.models import Category
from apps.ledger.columns import (
    GUIDE_SHEET_TITLE,
    LEDGER_COLUMNS,
    LEDGER_LANGUAGE,
    LEDGER_SHEET_TITLE,
    ledger_labels,
)
from apps.ledger.reading import LEDGER_MAX_ROWS


def ledger_allowed_values() -> dict[str, list[str]]:
    """The values each choice column accepts, as a ledger writes them."""
    labels = ledger_labels()
    return {
        "kind": list(labels["kind"].values()),
        "owner_type": list(labels["owner_type"].values()),
        "category": list(Category.objects.values_list("name", flat=True)),
        "is_key": ["是", "否"],
        "key_level": list(labels["key_level"].values()),
        "source": list(labels["source"].values()),
        "status": list(labels["status"].values()),
    }


def ledger_template() -> bytes:
    """An empty ledger to fill in: the ledger sheet with its headers and drop-downs, and a sheet explaining it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_SHEET_TITLE
    allowed = ledger_allowed_values()
    columns = [column for column in LEDGER_COLUMNS if column.imported]
    required_fill = PatternFill("solid", fgColor="FDE2E2")
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.header)
        cell.font = Font(bold=True, color="C8102E" if column.required else "000000")
        if column.required:
            cell.fill = required_fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = column.width + 2
        if column.kind is XlsxKind.DATE:
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if column.key in allowed:
            # A drop-down of the allowed values; it accepts other text too, as the import reads codes as well.
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(allowed[column.key]) + '"',
                allow_blank=True,
                showErrorMessage=False,
            )
            validation.add(f"{letter}2:{letter}{LEDGER_MAX_ROWS + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(GUIDE_SHEET_TITLE)
    with override(LEDGER_LANGUAGE):
        guide.append(["列名", "必填", "说明", "可填写的值"])
        for column in LEDGER_COLUMNS:
            guide.append(
                [
                    column.header,
                    "是" if column.required else "",
                    str(column.guide),
                    "、".join(allowed.get(column.key, [])),
                ]
            )
        guide.append([])
        for note in (
            _(
                "A ledger is imported for one unit: every row must be right before anything is written, and then all rows are written at once."
            ),
            _(
                "Rows with a number change the item of that number while it is open, or leave it as it is; rows without a number are new items."
            ),
            _(
                "People are named by user name or name, units by code or name; an export writes both, as 张敏（zhangmin） and 五华区（WH）."
            ),
            _("A file exported from the item list can be imported again as it is."),
        ):
            guide.append([str(note)])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (14, 6, 70, 60), strict=True):
        guide.column_dimensions[letter].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
