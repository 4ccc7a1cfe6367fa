"""The report archive, one report in the browser, its progress while it is produced, and its files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ServiceError
from apps.core.exports import queryset_table_response
from apps.core.jobs import job_status_response
from apps.org.filtersets import filtered_rows
from apps.reports.exports import REPORT_EXPORT_SHEET, REPORT_EXPORT_STEM, report_export_columns
from apps.reports.filtersets import ReportFilterSet
from apps.reports.forms import ReportRequestForm
from apps.reports.models import REPORT_PRODUCER_ROLES, Report, ReportStatus
from apps.reports.periods import period_containing
from apps.reports.renderers import report_tables, report_title
from apps.reports.services import report_production_refusal, report_request

DOWNLOAD_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def _visible_report(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(Report.objects.visible_to(request.user).select_related("unit"), pk=pk)


@login_required
def report_archive_view(request: HttpRequest) -> HttpResponse:
    return _archive_page(request)


def _archive_page(
    request: HttpRequest, request_form: ReportRequestForm | None = None, status: int = 200
) -> HttpResponse:
    """The archive, with the production form as the user last filled it when it was refused."""
    reports = Report.objects.visible_to(request.user).select_related("unit", "requested_by")
    filterset = ReportFilterSet(request.GET or None, queryset=reports, user=request.user)
    listed, problems = filtered_rows(filterset)
    if problems:
        messages.error(
            request, _("No reports are listed, because a filter does not hold: %(problems)s") % {"problems": problems}
        )
    page_obj = Paginator(listed, 30).get_page(request.GET.get("page"))
    can_produce = request.user.has_role(*REPORT_PRODUCER_ROLES)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reports/archive.html",
        {
            "filterset": filterset,
            "page_obj": page_obj,
            "export_query": query.urlencode(),
            "request_form": (request_form or ReportRequestForm(user=request.user)) if can_produce else None,
        },
        status=status,
    )


@login_required
def report_archive_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    """The archive's rows, filtered as the page is, as XLSX or CSV; a filter that does not hold exports nothing."""
    if file_format not in ("xlsx", "csv"):
        raise Http404
    reports = Report.objects.visible_to(request.user).select_related("unit")
    filterset = ReportFilterSet(request.GET or None, queryset=reports, user=request.user)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Nothing was exported, because a filter does not hold."))
        return redirect(f"{reverse('reports:archive')}?{request.GET.urlencode()}")
    return queryset_table_response(
        queryset=filterset.qs,
        columns=report_export_columns(),
        file_format=file_format,
        file_stem=REPORT_EXPORT_STEM,
        sheet_title=REPORT_EXPORT_SHEET,
    )


@login_required
@require_POST
def report_request_view(request: HttpRequest) -> HttpResponse:
    form = ReportRequestForm(request.POST, user=request.user)
    if not form.is_valid():
        # The archive again, with the form as filled in and its errors beside the fields.
        return _archive_page(request, form, status=400)
    kind, day, unit = form.cleaned_data["kind"], form.cleaned_data["day"], form.cleaned_data["unit"]
    period = period_containing(kind, day)
    already = Report.objects.filter(kind=kind, period_start=period.start, unit=unit).exists()
    try:
        report = report_request(kind=kind, day=day, unit=unit, by=request.user)
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _archive_page(request, form, status=400)
    if already:
        messages.info(
            request,
            _("The %(kind)s of %(unit)s for %(start)s to %(end)s had already been asked for; here it is.")
            % {"kind": report.get_kind_display(), "unit": unit, "start": period.start, "end": period.end},
        )
    return redirect("reports:detail", pk=report.pk)


@login_required
@require_POST
def report_produce_again_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Produce a failed report again, or one whose worker stopped, through the same service as a new request."""
    report = _visible_report(request, pk)
    try:
        report_request(kind=report.kind, day=report.period_start, unit=report.unit, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("reports:detail", pk=report.pk)


def _is_finished(report: Report) -> bool:
    """Nothing more will happen to the report unless someone produces it again: the page stops following it."""
    return report.status in (ReportStatus.COMPLETE, ReportStatus.FAILED) or report.is_stalled


@login_required
def report_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _visible_report(request, pk)
    can_produce_again = (report.status == ReportStatus.FAILED or report.is_stalled) and not report_production_refusal(
        user=request.user, unit=report.unit
    )
    context = {"report": report, "follow_progress": not _is_finished(report), "can_produce_again": can_produce_again}
    if report.is_complete:
        data = report.data
        context.update(
            title=report_title(data),
            tables=report_tables(data),
            data=data,
            chart={
                "units": [row["name"] for row in data["children"]],
                "rates": [None if row["rate"] is None else float(row["rate"]) for row in data["children"]],
            },
        )
    return render(request, "reports/detail.html", context)


@login_required
def report_status_view(request: HttpRequest, pk: int) -> JsonResponse:
    report = _visible_report(request, pk)
    return job_status_response(
        report,
        finished=_is_finished(report),
        error=report.failure_message if report.status == ReportStatus.FAILED else "",
    )


@login_required
def report_download_view(request: HttpRequest, pk: int, extension: str) -> FileResponse:
    report = _visible_report(request, pk)
    if extension not in DOWNLOAD_TYPES or not report.is_complete:
        raise Http404
    stored = getattr(report, f"{extension}_file")
    if not stored:
        raise Http404(_("This file was not produced."))
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=f"{report.file_stem()}.{extension}",
        content_type=DOWNLOAD_TYPES[extension],
    )
