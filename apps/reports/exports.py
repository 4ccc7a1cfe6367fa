"""The report archive as a list export: one row per report, with its frozen totals once it is complete."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from apps.core.exports import ExportColumn, XlsxColumn, XlsxKind, file_labels
from apps.reports.models import Report, ReportStatus
from apps.reports.periods import ReportKind

REPORT_EXPORT_STEM = REPORT_EXPORT_SHEET = "报表"


def report_export_columns() -> list[ExportColumn]:
    """The archive's columns, with Chinese headers and labels whatever the reader's language (the file's format)."""
    kinds, statuses = file_labels(ReportKind), file_labels(ReportStatus)

    def total(name: str) -> Any:
        # The frozen figures of a complete report; nothing for one not produced yet.
        return lambda report: (report.data or {}).get("total", {}).get(name)

    def rate(report: Report) -> str:
        value = total("rate")(report)
        return f"{value}%" if value is not None else ("—" if report.data else "")

    def generated(report: Report) -> str:
        return timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M") if report.generated_at else ""

    return [
        (XlsxColumn("报表类型", width=10), lambda report: kinds.get(report.kind, report.kind)),
        (XlsxColumn("单位", width=20), lambda report: report.unit.name),
        (XlsxColumn("开始日期", XlsxKind.DATE, 12), "period_start"),
        (XlsxColumn("结束日期", XlsxKind.DATE, 12), "period_end"),
        (XlsxColumn("状态", width=10), lambda report: statuses.get(report.status, report.status)),
        (XlsxColumn("计划数", XlsxKind.NUMBER, 10), total("planned")),
        (XlsxColumn("完成数", XlsxKind.NUMBER, 10), total("completed")),
        (XlsxColumn("完成率", width=10), rate),
        (XlsxColumn("逾期数", XlsxKind.NUMBER, 10), total("overdue")),
        (XlsxColumn("生成时间", width=18), generated),
    ]
