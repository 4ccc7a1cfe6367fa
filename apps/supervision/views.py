"""The lights settings page: a unit administrator sets the warning window and tolerance of their subtree."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.exceptions import ServiceError
from apps.org.models import Unit
from apps.org.supervision import settings_for
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
