"""Supervision pages: the lights settings of a subtree, supervision notices (三色督办单) and chasing (催办)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.exceptions import ServiceError
from apps.core.exports import ExportColumn, XlsxColumn, XlsxKind, file_labels, queryset_table_response
from apps.core.feedback import flash_form_errors
from apps.items.evidence import evidence_response
from apps.items.models import WorkItem
from apps.items.selectors import item_get
from apps.org.filtersets import filtered_rows
from apps.org.models import Unit
from apps.org.supervision import settings_for
from apps.supervision.forms import NoticeAcceptForm, NoticeEscalateForm, NoticeIssueForm, NoticeReplyForm
from apps.supervision.models import Notice, NoticeColour, NoticeEvidence, NoticeStatus
from apps.supervision.notices import (
    NOTICE_ROLES,
    chase_send,
    default_reply_by,
    notice_accept,
    notice_actions,
    notice_escalate,
    notice_reply,
    notices_issue,
)
from apps.supervision.selectors import items_to_notice, notice_filterset, notice_get, notices_visible_to
from apps.supervision.services import MOST_WARNING_DAYS, supervision_settings_update, user_may_set_supervision


class SupervisionSettingsForm(forms.Form):
    warning_days = forms.IntegerField(
        label=gettext_lazy("Warning window (working days)"),
        required=False,
        min_value=0,
        max_value=MOST_WARNING_DAYS,
        help_text=gettext_lazy("Empty: as the unit above."),
    )
    lag_tolerance = forms.IntegerField(
        label=gettext_lazy("Schedule tolerance (points)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=gettext_lazy("Empty: as the unit above."),
    )
    acknowledge_days = forms.IntegerField(
        label=gettext_lazy("Acknowledgement limit (working days)"),
        required=False,
        min_value=1,
        max_value=MOST_WARNING_DAYS,
        help_text=gettext_lazy("Empty: as the unit above."),
    )


def _unit_for(request: HttpRequest) -> Unit:
    unit_id = request.GET.get("unit") or request.user.unit_id
    if not str(unit_id or "").isdigit():
        raise Http404
    unit = Unit.objects.visible_to(request.user).filter(pk=int(unit_id)).first()
    if unit is None:
        raise Http404
    if not user_may_set_supervision(request.user, unit):
        raise PermissionDenied
    return unit


@login_required
def supervision_settings_view(request: HttpRequest) -> HttpResponse:
    unit = _unit_for(request)
    form = SupervisionSettingsForm(
        request.POST or None,
        initial={
            "warning_days": unit.warning_days,
            "lag_tolerance": unit.lag_tolerance,
            "acknowledge_days": unit.acknowledge_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            supervision_settings_update(
                unit=unit,
                by=request.user,
                warning_days=form.cleaned_data["warning_days"],
                lag_tolerance=form.cleaned_data["lag_tolerance"],
                acknowledge_days=form.cleaned_data["acknowledge_days"],
            )
        except ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Saved. The items of %(unit)s and below are lit again.") % {"unit": unit})
            return redirect(f"{request.path}?unit={unit.pk}")
    inherited = settings_for(unit.parent) if unit.parent_id else settings_for(Unit(path=""))
    return render(
        request,
        "supervision/settings.html",
        {"unit": unit, "form": form, "in_force": settings_for(unit), "inherited": inherited},
    )


# --- Notices (三色督办单) -----------------------------------------------------------------------------

NOTICE_EXPORT_STEM = "督办单"
NOTICE_EXPORT_SHEET = "督办单"
NOTICES_PAGE_SIZE = 50
# The most items one issue form offers: a unit's items being delivered, soonest deadline first.
MOST_ITEMS_OFFERED = 200


@login_required
def notice_list_view(request: HttpRequest) -> HttpResponse:
    filterset = notice_filterset(user=request.user, data=request.GET)
    notices, problems = filtered_rows(filterset)
    if problems:
        messages.error(
            request, _("No notices are listed, because a filter does not hold: %(problems)s") % {"problems": problems}
        )
    page_obj = Paginator(notices, NOTICES_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # Filtered by a unit, a supervisor is offered to issue notices on that unit's items at once.
    unit = filterset.form.cleaned_data.get("unit") if filterset.is_bound and not problems else None
    return render(
        request,
        "supervision/notices.html",
        {
            "filterset": filterset,
            "page_obj": page_obj,
            "query": query.urlencode(),
            "issue_unit": unit if unit is not None and request.user.has_role(*NOTICE_ROLES) else None,
        },
    )


def notice_export_columns() -> list[ExportColumn]:
    """The columns of the notice list's XLSX and CSV, labelled in Chinese as offices file them."""
    colours, statuses = file_labels(NoticeColour), file_labels(NoticeStatus)
    yes, no = "是", "否"
    return [
        (XlsxColumn("督办单编号", width=20), "number"),
        (XlsxColumn("颜色", width=10), lambda notice: colours[notice.colour]),
        (XlsxColumn("状态", width=10), lambda notice: statuses[notice.status]),
        (XlsxColumn("超过反馈期限", width=8), lambda notice: yes if notice.is_overdue else no),
        (XlsxColumn("事项编号", width=18), lambda notice: notice.item.number),
        (XlsxColumn("事项名称", width=40), lambda notice: notice.item.title),
        (XlsxColumn("主责单位", width=20), lambda notice: notice.item.unit.name),
        (XlsxColumn("责任单位", width=20), lambda notice: notice.item.responsible_unit.name),
        (XlsxColumn("督办要求", width=50), "requirements"),
        (XlsxColumn("反馈期限", XlsxKind.DATE, 12), "reply_by"),
        (XlsxColumn("督办人", width=12), lambda notice: str(notice.issued_by or "")),
        (XlsxColumn("督办日期", XlsxKind.DATE, 12), lambda notice: timezone.localdate(notice.issued_at)),
        (XlsxColumn("升级自", width=20), lambda notice: str(notice.escalated_from or "")),
    ]


@login_required
def notice_export_view(request: HttpRequest, file_format: str) -> HttpResponse:
    """The list's notices, filtered as the page is, as XLSX or CSV; a filter that does not hold exports nothing."""
    if file_format not in ("xlsx", "csv"):
        raise Http404
    filterset = notice_filterset(user=request.user, data=request.GET)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("Nothing was exported, because a filter does not hold."))
        return redirect(f"{reverse('supervision:notices')}?{request.GET.urlencode()}")
    return queryset_table_response(
        queryset=filterset.qs,
        columns=notice_export_columns(),
        file_format=file_format,
        file_stem=NOTICE_EXPORT_STEM,
        sheet_title=NOTICE_EXPORT_SHEET,
    )


def _notice_page(request: HttpRequest, notice: Notice, **forms_given) -> HttpResponse:
    actions = notice_actions(request.user, notice)
    events = notice.events.select_related("by").prefetch_related("evidence")
    chain = []
    earlier = notice.escalated_from
    while earlier is not None:
        chain.append(earlier)
        earlier = earlier.escalated_from
    successor = Notice.objects.filter(escalated_from=notice).first()
    return render(
        request,
        "supervision/notice_detail.html",
        {
            "notice": notice,
            "item": notice.item,
            "events": events,
            "chain": chain,
            "successor": successor,
            "reply_form": forms_given.get("reply_form") or (NoticeReplyForm() if actions["reply"] else None),
            "accept_form": NoticeAcceptForm() if actions["accept"] else None,
            "escalate_form": NoticeEscalateForm() if actions["escalate"] else None,
        },
    )


@login_required
def notice_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _notice_page(request, notice_get(user=request.user, pk=pk))


def _items_offered(request: HttpRequest) -> tuple[QuerySet[WorkItem], list[int], Unit | None]:
    """The items the issue form offers: those named by `?item=` (ticked), and with `?unit=` that unit's items;
    only those the user may issue a notice on (the service checks again)."""
    named = [int(value) for value in request.GET.getlist("item") if value.isdigit()]
    visible = items_to_notice(request.user)
    unit = None
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        unit = Unit.objects.visible_to(request.user).filter(pk=int(unit_id)).first()
    offered = visible.filter(pk__in=named)
    if unit is not None:
        of_unit = visible.filter(unit=unit).order_by("deadline", "id").values("pk")[:MOST_ITEMS_OFFERED]
        offered = visible.filter(pk__in=[*named, *(row["pk"] for row in of_unit)])
    return offered.select_related("responsible_unit").order_by("deadline", "id"), named, unit


@login_required
def notice_issue_view(request: HttpRequest) -> HttpResponse:
    """Issue a notice: `?item=<pk>` for one item (the parameter may repeat), `?unit=<pk>` to choose among a unit's."""
    items, named, unit = _items_offered(request)
    if not items.exists():
        messages.error(request, _("There is no item here on which you may issue a notice."))
        seen = WorkItem.objects.visible_to(request.user).filter(pk__in=named).first()
        return redirect("items:detail", pk=seen.pk) if seen else redirect("supervision:notices")
    form = NoticeIssueForm(
        request.POST or None,
        items=items,
        initial={"items": named, "reply_by": default_reply_by()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            notices = notices_issue(
                items=list(data["items"]),
                by=request.user,
                colour=data["colour"],
                requirements=data["requirements"],
                reply_by=data["reply_by"],
                number=data["number"],
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            if len(notices) == 1:
                messages.success(request, _("The notice was issued."))
                return redirect("supervision:notice", pk=notices[0].pk)
            messages.success(request, _("%(count)s notices were issued.") % {"count": len(notices)})
            return redirect(f"{reverse('supervision:notices')}?unit={unit.pk}" if unit else "supervision:notices")
    return render(request, "supervision/notice_issue.html", {"form": form, "unit": unit})


def _notice_step(request: HttpRequest, pk: int, form: forms.Form, step, done: str) -> HttpResponse:
    """Run one step of a notice from its form on the notice page; a refusal is shown, nothing lost."""
    notice = notice_get(user=request.user, pk=pk)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("supervision:notice", pk=notice.pk)
    try:
        result = step(notice=notice, by=request.user, **form.cleaned_data)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("supervision:notice", pk=notice.pk)
    messages.success(request, done)
    return redirect("supervision:notice", pk=result.pk)


@login_required
@require_POST
def notice_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = NoticeReplyForm(request.POST, request.FILES)
    return _notice_step(request, pk, form, notice_reply, _("Your reply was sent."))


@login_required
@require_POST
def notice_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = NoticeAcceptForm(request.POST)
    return _notice_step(request, pk, form, notice_accept, _("The reply was accepted."))


@login_required
@require_POST
def notice_escalate_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = NoticeEscalateForm(request.POST)
    return _notice_step(request, pk, form, notice_escalate, _("The notice was escalated; this is the new one."))


@login_required
def notice_evidence_view(request: HttpRequest, pk: int) -> FileResponse:
    # Scoped in the query itself: a file of a notice the user may not see is never even read.
    visible = NoticeEvidence.objects.filter(event__notice__in=notices_visible_to(request.user))
    return evidence_response(get_object_or_404(visible, pk=pk))  # inline only for an image that decodes


@login_required
@require_POST
def chase_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Chase (催办) an item from its page: recorded, at most once a day; back to the item with what happened."""
    item = item_get(user=request.user, pk=pk)
    try:
        chase = chase_send(item=item, by=request.user, note=request.POST.get("note", "")[:200])
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        if chase.to is not None:
            messages.success(request, _("%(person)s was chased.") % {"person": chase.to})
        else:
            messages.success(request, _("%(unit)s was chased.") % {"unit": item.responsible_unit})
    return redirect("items:detail", pk=item.pk)
