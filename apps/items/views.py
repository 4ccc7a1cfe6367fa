"""Item pages: lists, detail with timeline, create/edit forms, lifecycle buttons, progress and evidence."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.exceptions import ServiceError, StaleVersionError
from apps.core.feedback import flash_form_errors
from apps.items.forms import (
    ActionForm,
    AssignForm,
    ExtensionGrantForm,
    ExtensionRefuseForm,
    ExtensionRequestForm,
    ProgressForm,
    WorkItemForm,
)
from apps.items.models import Action, Evidence, ItemKind, WorkItem
from apps.items.paging import ListTotal, seek_page
from apps.items.rules import allowed_actions, user_can_edit_item, user_can_import_items
from apps.items.selectors import item_filterset, item_get, item_list_total, latest_reason
from apps.items.services import (
    item_apply_action,
    item_assign,
    item_create,
    item_delete_draft,
    item_grant_extension,
    item_post_progress,
    item_refuse_extension,
    item_request_extension,
    item_update,
)
from apps.org.filtersets import filtered_rows

# What a row of the list shows besides the item's own fields (templates/items/list.html).
LIST_ROW_RELATED = ("responsible_unit", "responsible_person")


def _list_page(request: HttpRequest, *, mine: bool) -> HttpResponse:
    filterset = item_filterset(user=request.user, data=request.GET, mine=mine)
    items, problems = filtered_rows(filterset)
    if problems:
        messages.error(
            request, _("No items are listed, because a filter does not hold: %(problems)s") % {"problems": problems}
        )
    # The page's ids along the index of its order, then its rows; the total from the counters where they can
    # say it (apps/items/paging.py): no COUNT over a join, no long OFFSET over joined rows.
    total = item_list_total(filterset, user=request.user, mine=mine) if not problems else ListTotal(0)
    page_obj = seek_page(
        items,
        number=request.GET.get("page"),
        per_page=settings.ITEMS_PAGE_SIZE,
        total=total,
        related=LIST_ROW_RELATED,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "items/list.html",
        {
            "filterset": filterset,
            "page_obj": page_obj,
            "mine": mine,
            "query": query.urlencode(),
            "can_import_ledger": user_can_import_items(request.user),
        },
    )


@login_required
def item_list_view(request: HttpRequest) -> HttpResponse:
    return _list_page(request, mine=False)


@login_required
def my_items_view(request: HttpRequest) -> HttpResponse:
    return _list_page(request, mine=True)


# How the item page draws its buttons: the step forward looks primary; what undoes or ends someone's work looks
# dangerous and asks before it is sent.
PRIMARY_ACTIONS = frozenset(
    {Action.SUBMIT, Action.APPROVE, Action.ACKNOWLEDGE, Action.START, Action.COMPLETE, Action.CLOSE}
)
DANGEROUS_ACTIONS = frozenset({Action.CANCEL, Action.RETURN, Action.REVISE, Action.DECLINE})
# Actions with a form of their own on the item page, not a button of the action form.
PAGE_OWN_FORMS = frozenset(
    {
        Action.POST_PROGRESS,
        Action.ASSIGN,
        Action.DELETE_DRAFT,
        Action.REQUEST_EXTENSION,
        Action.GRANT_EXTENSION,
        Action.REFUSE_EXTENSION,
    }
)


@login_required
def item_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_get(user=request.user, pk=pk)
    actions = allowed_actions(request.user, item)
    return render(
        request,
        "items/detail.html",
        {
            "item": item,
            "actions": [Action(action) for action in actions if action not in PAGE_OWN_FORMS],
            "can_delete_draft": Action.DELETE_DRAFT in actions,
            "primary_actions": PRIMARY_ACTIONS,
            "dangerous_actions": DANGEROUS_ACTIONS,
            "reason_callout": latest_reason(item),
            "can_post_progress": Action.POST_PROGRESS in actions,
            "can_assign": Action.ASSIGN in actions,
            "can_edit": user_can_edit_item(request.user, item),
            "transitions": item.transitions.select_related("by"),
            "updates": item.progress_updates.select_related("by").prefetch_related("evidence"),
            "history": item.history.select_related("history_user")[:50],
            "action_form": ActionForm(),
            "progress_form": ProgressForm(initial={"percent": item.progress_percent}),
            "assign_form": AssignForm(user=request.user) if Action.ASSIGN in actions else None,
            "extension_request_form": ExtensionRequestForm() if Action.REQUEST_EXTENSION in actions else None,
            "extension_grant_form": (
                ExtensionGrantForm(initial={"deadline": item.extension_asked_for})
                if Action.GRANT_EXTENSION in actions
                else None
            ),
            "extension_refuse_form": ExtensionRefuseForm() if Action.REFUSE_EXTENSION in actions else None,
        },
    )


def _kind_from(request: HttpRequest) -> str:
    kind = request.GET.get("kind", ItemKind.LIVELIHOOD_PLAN)
    if kind not in ItemKind.values:
        raise Http404
    return kind


@login_required
def item_create_view(request: HttpRequest) -> HttpResponse:
    kind = _kind_from(request)
    form = WorkItemForm(request.POST or None, user=request.user, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            item = item_create(
                by=request.user,
                unit=form.cleaned_data["unit"],
                kind=kind,
                owner_type=form.cleaned_data["owner_type"],
                **form.service_fields(),
            )
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Item %(number)s was saved as a draft.") % {"number": item.number})
            return redirect("items:detail", pk=item.pk)
    return render(request, "items/form.html", {"form": form, "kind": ItemKind(kind), "item": None})


@login_required
def item_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_get(user=request.user, pk=pk)
    if not user_can_edit_item(request.user, item):
        messages.error(request, _("You cannot edit this item in its current state."))
        return redirect("items:detail", pk=item.pk)
    form = WorkItemForm(request.POST or None, instance=item, user=request.user, kind=item.kind)
    unsaved: list[tuple[str, object]] = []
    conflict = ""
    if request.method == "POST" and form.is_valid():
        try:
            item_update(
                item=item, by=request.user, expected_version=form.cleaned_data["version"], **form.service_fields()
            )
        except StaleVersionError as error:
            # Show the item as it now is, with a fresh version, and what this person tried to save.
            current = item_get(user=request.user, pk=pk)
            unsaved = [
                (form.fields[name].label, value)
                for name, value in form.service_fields().items()
                if value != getattr(current, name)
            ]
            form = WorkItemForm(instance=current, user=request.user, kind=current.kind)
            conflict = error.message
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("items:detail", pk=item.pk)
    return render(
        request,
        "items/form.html",
        {"form": form, "kind": ItemKind(item.kind), "item": item, "unsaved": unsaved, "conflict": conflict},
    )


@login_required
@require_POST
def item_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = item_get(user=request.user, pk=pk)
    form = ActionForm(request.POST)
    form.is_valid()
    try:
        item = item_apply_action(item=item, by=request.user, action=action, reason=form.cleaned_data.get("reason", ""))
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Done: %(action)s. The item is now “%(status)s”.")
            % {"action": Action(action).label, "status": item.get_status_display()},
        )
    return redirect("items:detail", pk=item.pk)


@login_required
@require_POST
def item_delete_draft_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_get(user=request.user, pk=pk)
    try:
        item_delete_draft(item=item, by=request.user)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("items:detail", pk=item.pk)
    messages.success(request, _("The draft %(number)s was deleted.") % {"number": item.number})
    return redirect("items:mine")


@login_required
@require_POST
def item_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_get(user=request.user, pk=pk)
    form = ProgressForm(request.POST, request.FILES)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("items:detail", pk=item.pk)
    try:
        item_post_progress(
            item=item,
            by=request.user,
            note=form.cleaned_data["note"],
            percent=form.cleaned_data["percent"],
            files=form.cleaned_data["files"],
            is_public=form.cleaned_data["is_public"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Progress recorded."))
    return redirect("items:detail", pk=item.pk)


@login_required
@require_POST
def item_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    item = item_get(user=request.user, pk=pk)
    form = AssignForm(request.POST, user=request.user)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("items:detail", pk=item.pk)
    try:
        item_assign(
            item=item,
            by=request.user,
            responsible_unit=form.cleaned_data["responsible_unit"],
            responsible_person=form.cleaned_data["responsible_person"],
            letter=form.cleaned_data["letter"],
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The item was assigned."))
    return redirect("items:detail", pk=item.pk)


def _extension_step(request: HttpRequest, pk: int, form_class: type, step, done: str) -> HttpResponse:
    """Run one step of an extension request from its form on the item page; a refusal is shown, nothing lost."""
    item = item_get(user=request.user, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        flash_form_errors(request, form)
        return redirect("items:detail", pk=item.pk)
    try:
        step(item=item, by=request.user, **form.cleaned_data)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("items:detail", pk=item.pk)


@login_required
@require_POST
def item_extension_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _extension_step(
        request, pk, ExtensionRequestForm, item_request_extension, _("The extension request was sent.")
    )


@login_required
@require_POST
def item_extension_grant_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _extension_step(request, pk, ExtensionGrantForm, item_grant_extension, _("The deadline was extended."))


@login_required
@require_POST
def item_extension_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _extension_step(
        request, pk, ExtensionRefuseForm, item_refuse_extension, _("The extension request was refused.")
    )


@login_required
def evidence_download_view(request: HttpRequest, pk: int) -> FileResponse:
    # Scoped in the query itself: a file of an item the user may not see is never even read from the database.
    visible_evidence = Evidence.objects.filter(update__item__in=WorkItem.objects.visible_to(request.user))
    evidence = get_object_or_404(visible_evidence, pk=pk)
    from apps.items.evidence import evidence_response

    return evidence_response(evidence)  # inline only for an image that decodes; sandboxed either way
