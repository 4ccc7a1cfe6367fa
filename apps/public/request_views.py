"""Citizen requests' pages: the public's form and tracking page, and the handling unit's queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_ratelimit.decorators import ratelimit

from apps.accounts.lockout import client_ip_address
from apps.accounts.models import Role
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.evidence import evidence_response
from apps.org.models import Unit
from apps.public.models import CitizenRequest, Rating, RequestAction
from apps.public.rating import request_rating_open
from apps.public.rating_forms import RatingForm
from apps.public.request_filtersets import CitizenRequestFilterSet
from apps.public.request_forms import (
    AnswerForm,
    CitizenRequestForm,
    DeclineForm,
    ForwardForm,
    LinkItemForm,
    TrackForm,
    TurnIntoItemForm,
)
from apps.public.request_selectors import (
    request_photos_visible_to,
    request_public_get,
    request_queue,
    tracking_code_clean,
)
from apps.public.request_services import (
    REQUEST_ACTION_VERBS,
    request_accept,
    request_answer,
    request_decline,
    request_forward,
    request_link_item,
    request_moves_allowed,
    request_submit,
    request_turn_into_item,
    user_handles_request,
)


def client_address_key(group: str, request: HttpRequest) -> str:
    """The rate limit counts per client address, read as the sign-in lockout reads it (behind the proxies)."""
    return client_ip_address(request) or ""


def public_form_rate(group: str, request: HttpRequest) -> str:
    return settings.PUBLIC_FORM_RATE  # read on each request, so a changed setting applies at once


@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit(key=client_address_key, rate=public_form_rate, method="POST", block=False, group="public:request_new")
def request_new_view(request: HttpRequest) -> HttpResponse:
    if getattr(request, "limited", False):
        response = render(request, "public/request_limited.html", status=429)
        response["Retry-After"] = "600"
        return response
    if request.method == "POST":
        form = CitizenRequestForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sent = request_submit(
                    category=data["category"],
                    unit=data["unit"],
                    text=data["text"],
                    name=data["name"],
                    phone=data["phone"],
                    may_contact=data["may_contact"],
                    photos=data["photos"],
                )
            except ServiceError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                return redirect(reverse("public:request_status", args=[sent.tracking_code]) + "?sent=1")
    else:
        unit = request.GET.get("unit", "")
        form = CitizenRequestForm(initial={"unit": int(unit) if unit.isdigit() else None})
    chosen = Unit.objects.filter(pk=form["unit"].value()).first() if str(form["unit"].value() or "").isdigit() else None
    children = list(chosen.children.order_by("name").only("pk", "name")) if chosen else []
    return render(
        request,
        "public/request_new.html",
        {"form": form, "chosen": chosen, "children": children},
        status=400 if form.is_bound else 200,
    )


@require_safe
def request_track_view(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.GET or None)
    if form.is_valid():
        code = tracking_code_clean(form.cleaned_data["code"])
        if code:
            return redirect("public:request_status", code=code)
        form.add_error("code", _("Enter the tracking code you were given."))
    return render(request, "public/request_track.html", {"form": form})


@never_cache
@require_safe
def request_status_view(request: HttpRequest, code: str) -> HttpResponse:
    shown = request_public_get(code)
    if shown is None:
        # The same answer for a malformed code and one that does not exist: a code's shape tells nothing.
        return render(request, "public/request_not_found.html", {"form": TrackForm()}, status=404)
    return render(
        request,
        "public/request_status.html",
        {"request_shown": shown, "sent": "sent" in request.GET, "rating_choices": Rating.choices},
    )


def _handled_or_refused(user: Any, citizen_request: CitizenRequest) -> None:
    if not user_handles_request(user, citizen_request):
        raise PermissionDenied


@login_required
@require_safe
def queue_list_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.UNIT_ADMIN, Role.SYSTEM_ADMIN):
        raise PermissionDenied
    filterset = CitizenRequestFilterSet(
        request.GET or None, queryset=request_queue(user=request.user), user=request.user
    )
    page = Paginator(filterset.qs.order_by("-created_at", "-pk"), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/queue.html",
        {"filterset": filterset, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


ACTION_FORMS: dict[str, type[forms.Form] | None] = {
    RequestAction.ACCEPT: None,
    RequestAction.FORWARD: ForwardForm,
    RequestAction.TURN_INTO_ITEM: TurnIntoItemForm,
    RequestAction.LINK_ITEM: LinkItemForm,
    RequestAction.ANSWER: AnswerForm,
    RequestAction.DECLINE: DeclineForm,
}
DONE_MESSAGES = {
    RequestAction.ACCEPT: gettext_lazy("The request is accepted."),
    RequestAction.FORWARD: gettext_lazy("The request is forwarded."),
    RequestAction.TURN_INTO_ITEM: gettext_lazy("A work item was logged for the request."),
    RequestAction.LINK_ITEM: gettext_lazy("The request is linked to the work item."),
    RequestAction.ANSWER: gettext_lazy("The reply is sent and the request closed."),
    RequestAction.DECLINE: gettext_lazy("The request is not accepted; the sender reads the reason."),
}


def _action_form(action: str, citizen_request: CitizenRequest, user: Any, data: Any = None) -> forms.Form:
    form_class = ACTION_FORMS[action] or forms.Form
    initial: dict[str, Any] = {}
    if action == RequestAction.TURN_INTO_ITEM:
        initial = {"title": citizen_request.text.splitlines()[0][:60], "content": citizen_request.text}
    if form_class is ForwardForm:
        return ForwardForm(data, user=user, prefix=action)
    return form_class(data, initial=initial, prefix=action)


def _detail(
    request: HttpRequest,
    citizen_request: CitizenRequest,
    bound: forms.Form | None = None,
    status: int = 200,
    problem: str = "",
) -> HttpResponse:
    handles = user_handles_request(request.user, citizen_request)
    actions = []
    if handles:
        for action in request_moves_allowed(citizen_request):
            form = (
                bound
                if bound is not None and bound.prefix == action
                else _action_form(action, citizen_request, request.user)
            )
            actions.append({"action": action, "label": REQUEST_ACTION_VERBS[action], "form": form})
    context = {
        "citizen_request": citizen_request,
        "photos": citizen_request.photos.all(),
        "steps": citizen_request.steps.select_related("by", "from_unit", "to_unit"),
        "actions": actions,
        "overdue": citizen_request.is_acceptance_overdue(),
        "problem": problem,
        # A phone follow-up (回访) may be recorded when the sender could rate it too.
        "rating_open": handles and request_rating_open(citizen_request),
        "follow_up_form": RatingForm(),
    }
    return render(request, "public/queue_detail.html", context, status=status)


def _visible_request(request: HttpRequest, pk: int) -> CitizenRequest:
    return get_object_or_404(request_queue(user=request.user), pk=pk)


@login_required
@require_safe
def queue_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_request(request, pk))


@login_required
@require_POST
def queue_action_view(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404
    citizen_request = _visible_request(request, pk)
    _handled_or_refused(request.user, citizen_request)
    form = _action_form(action, citizen_request, request.user, request.POST)
    if not form.is_valid():
        return _detail(request, citizen_request, bound=form, status=400)
    data = form.cleaned_data
    by = request.user
    try:
        if action == RequestAction.ACCEPT:
            request_accept(request=citizen_request, by=by)
        elif action == RequestAction.FORWARD:
            request_forward(request=citizen_request, by=by, unit=data["unit"], note=data["note"])
        elif action == RequestAction.TURN_INTO_ITEM:
            request_turn_into_item(
                request=citizen_request, by=by, title=data["title"], content=data["content"], deadline=data["deadline"]
            )
        elif action == RequestAction.LINK_ITEM:
            request_link_item(request=citizen_request, by=by, number=data["number"])
        elif action == RequestAction.ANSWER:
            request_answer(request=citizen_request, by=by, reply=data["reply"])
        else:
            request_decline(request=citizen_request, by=by, reason=data["reason"])
    except ServicePermissionError as error:
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return _detail(request, citizen_request, bound=form, status=400)
        raise PermissionDenied(error.message) from error
    except ServiceError as error:
        citizen_request.refresh_from_db()
        if error.field in form.fields:
            form.add_error(error.field, error.message)
            return _detail(request, citizen_request, bound=form, status=400)
        return _detail(request, citizen_request, bound=form, status=400, problem=error.message)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("public:queue_detail", pk=citizen_request.pk)


@login_required
@require_safe
def queue_photo_view(request: HttpRequest, pk: int) -> FileResponse:
    # Scoped in the query: a photo of a request outside the administrator's units is never read.
    return evidence_response(get_object_or_404(request_photos_visible_to(request.user), pk=pk))
