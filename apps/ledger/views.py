"""Ledger pages (template, upload, preview, import) and exports of the item lists, with their job pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.exceptions import ServiceError
from apps.core.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from apps.core.jobs import job_status_response
from apps.items.models import WorkItem
from apps.items.rules import user_can_import_items
from apps.items.selectors import item_filterset
from apps.ledger.exports import EXPORT_FORMATS, export_items
from apps.ledger.models import ExportJob, ImportJob, JobStatus
from apps.ledger.services import (
    LEDGER_EXTENSIONS,
    export_file_stem,
    export_job_create,
    import_job_create,
    import_job_request_check,
    import_job_request_commit,
)
from apps.ledger.template import ledger_template
from apps.org.models import Unit

XLSX_TEMPLATE_NAME = "事项台账导入模板.xlsx"
FINISHED = {JobStatus.INVALID, JobStatus.VALID, JobStatus.DONE, JobStatus.FAILED}


class LedgerUploadForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        help_text=gettext_lazy("The unit whose ledger this is; rows may name units below it."),
    )
    file = forms.FileField(
        label=gettext_lazy("Ledger file"),
        help_text=gettext_lazy("XLSX (the template, or an export of the item list) or CSV."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(LEDGER_EXTENSIONS)}),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.visible_to(user)
        self.fields["unit"].initial = user.unit_id


def _own_import(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(request.user).select_related("unit"), pk=pk)


def _own_export(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.visible_to(request.user), pk=pk)


@login_required
def ledger_template_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(ledger_template(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, XLSX_TEMPLATE_NAME)
    return response


@login_required
def ledger_import_view(request: HttpRequest) -> HttpResponse:
    if not user_can_import_items(request.user):
        raise PermissionDenied
    form = LedgerUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_create(by=request.user, unit=form.cleaned_data["unit"], upload=form.cleaned_data["file"])
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            import_job_request_check(job=job)
            return redirect("ledger:import_job", pk=job.pk)
    recent = ImportJob.objects.visible_to(request.user).select_related("unit")[:10]
    return render(request, "ledger/import.html", {"form": form, "recent": recent})


@login_required
def ledger_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_import(request, pk)
    problems = job.problems or []
    return render(
        request,
        "ledger/import_job.html",
        {
            "job": job,
            "finished": job.status in FINISHED,
            "errors": [problem for problem in problems if not problem.get("warning")],
            "warnings": [problem for problem in problems if problem.get("warning")],
            "shows_sheets": any(problem.get("sheet") for problem in problems),
            "hidden_problems": max(job.problem_count - sum(1 for p in problems if not p.get("warning")), 0),
        },
    )


@login_required
def ledger_job_items_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Exactly the items an import created or changed, a page at a time, each linking to its page."""
    job = _own_import(request, pk)
    if job.status != JobStatus.DONE:
        raise Http404
    page_obj = Paginator(sorted(job.item_ids), settings.ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    items = (
        WorkItem.objects.visible_to(request.user)
        .filter(pk__in=list(page_obj))
        .select_related("responsible_unit", "responsible_person")
        .order_by("pk")
    )
    return render(request, "ledger/import_items.html", {"job": job, "page_obj": page_obj, "items": items})


@login_required
def ledger_job_status_view(request: HttpRequest, pk: int) -> JsonResponse:
    job = _own_import(request, pk)
    return job_status_response(job, finished=job.status in FINISHED, error=job.error)


@login_required
@require_POST
def ledger_commit_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_import(request, pk)
    try:
        import_job_request_commit(job=job, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect("ledger:import_job", pk=job.pk)


@login_required
@require_POST
def ledger_recheck_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_import(request, pk)
    if job.status not in {JobStatus.INVALID, JobStatus.VALID, JobStatus.FAILED}:
        messages.error(request, _("This ledger is being checked or imported; wait until that is finished."))
    else:
        import_job_request_check(job=job)
    return redirect("ledger:import_job", pk=job.pk)


def _export(request: HttpRequest, file_format: str, *, mine: bool) -> HttpResponse:
    """The list page's rows (same filters, same order) as a file; a big list goes to the worker."""
    if file_format not in EXPORT_FORMATS:
        raise Http404
    filterset = item_filterset(user=request.user, data=request.GET, mine=mine)
    if filterset.is_bound and not filterset.is_valid():
        # django-filter would leave a refused filter out and export more rows than the page means.
        problems = "; ".join(
            f"{filterset.filters[name].label if name in filterset.filters else name}: {' '.join(errors)}"
            for name, errors in filterset.errors.items()
        )
        messages.error(
            request, _("Nothing was exported, because a filter does not hold: %(problems)s") % {"problems": problems}
        )
        return redirect(f"{reverse('items:mine' if mine else 'items:list')}?{request.GET.urlencode()}")
    queryset = filterset.qs
    if queryset.count() > settings.EXPORT_INLINE_MAX_ROWS:
        query = request.GET.copy()
        query.pop("page", None)
        job = export_job_create(by=request.user, file_format=file_format, query=query.urlencode(), mine=mine)
        return redirect("ledger:export_job", pk=job.pk)
    return export_items(queryset=queryset, file_format=file_format, filename=export_file_stem(mine=mine))


@login_required
def item_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    return _export(request, file_format, mine=False)


@login_required
def my_items_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    return _export(request, file_format, mine=True)


@login_required
def export_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_export(request, pk)
    return render(request, "ledger/export_job.html", {"job": job, "finished": job.status in FINISHED})


@login_required
def export_job_status_view(request: HttpRequest, pk: int) -> JsonResponse:
    job = _own_export(request, pk)
    return job_status_response(job, finished=job.status in FINISHED, error=job.error)


@login_required
def export_job_download_view(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_export(request, pk)
    if job.status != JobStatus.DONE or not job.file:
        raise Http404
    content_type = CSV_CONTENT_TYPE if job.file_format == "csv" else XLSX_CONTENT_TYPE
    filename = f"{export_file_stem(mine=job.mine, day=timezone.localdate(job.created_at))}.{job.file_format}"
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
