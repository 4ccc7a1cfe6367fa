"""Rating a request from its tracking page (满意度), and staff recording a phone follow-up (回访)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from apps.core.exceptions import ServiceError
from apps.public.models import CitizenRequest
from apps.public.rating import request_rate
from apps.public.rating_forms import RatingForm
from apps.public.request_selectors import TRACKING_CODE_PATTERN, requests_visible_to, tracking_code_clean
from apps.public.request_views import client_address_key, public_form_rate


def _say(request: HttpRequest, form: RatingForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@require_POST
@ratelimit(key=client_address_key, rate=public_form_rate, method="POST", block=False, group="public:request_rate")
def request_rate_view(request: HttpRequest, code: str) -> HttpResponse:
    """The sender rates their request, with its tracking code; then back to the tracking page."""
    code = tracking_code_clean(code)
    citizen_request = (
        CitizenRequest.objects.filter(tracking_code=code).first() if TRACKING_CODE_PATTERN.fullmatch(code) else None
    )
    if citizen_request is None:
        raise Http404
    if getattr(request, "limited", False):
        messages.error(request, _("Too many forms were sent from your address; please try again in an hour."))
        return redirect("public:request_status", code=code)
    form = RatingForm(request.POST)
    if not form.is_valid():
        _say(request, form)
        return redirect("public:request_status", code=code)
    try:
        request_rate(request=citizen_request, **form.cleaned_data)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you: your rating is recorded."))
    return redirect("public:request_status", code=code)


@login_required
@require_POST
def request_follow_up_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff record what the sender said on the phone (回访)."""
    citizen_request = requests_visible_to(request.user).filter(pk=pk).first()
    if citizen_request is None:
        raise Http404
    form = RatingForm(request.POST)
    if not form.is_valid():
        _say(request, form)
        return redirect("public:queue_detail", pk=pk)
    try:
        request_rate(request=citizen_request, by=request.user, **form.cleaned_data)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The follow-up is recorded."))
    return redirect("public:queue_detail", pk=pk)
