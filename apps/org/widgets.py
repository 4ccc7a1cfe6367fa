"""The unit picker every unit filter and form uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext

from apps.org.models import PATH_SEGMENT_WIDTH

PATH_SEPARATOR = " › "


class UnitTreeSelect(forms.Select):
    """A unit picker: a search box over every unit the user reaches, on top of a select that works without script.

    static/js/unit-picker.js turns the select into a combobox that asks org's unit search (`data-unit-picker`) as
    the user types, and shows each unit with its path; the select stays in the form, hidden, and sends the chosen
    unit's id as before. Without script the select lists the chosen unit's ancestors, the unit and its children,
    not the whole tree: a province's fifteen thousand units in one <select> made the list page take seconds to
    render, and the search finds any of them in one step.
    """

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        everything = self.choices
        units = everything.queryset
        chosen = units.filter(pk=value[0] if isinstance(value, list | tuple) else value).first() if value else None
        above: list[int] = []
        if chosen is not None:
            above = [
                int(chosen.path[end - PATH_SEGMENT_WIDTH : end])
                for end in range(PATH_SEGMENT_WIDTH, len(chosen.path), PATH_SEGMENT_WIDTH)
            ]
            shown = units.filter(Q(pk__in=above) | Q(pk=chosen.pk) | Q(parent=chosen))
        else:
            top = units.order_by("depth").values_list("depth", flat=True).first() or 0
            shown = units.filter(depth__lte=top + 1)
        shown = list(shown.order_by("path").only("pk", "name", "depth"))
        base = min((unit.depth for unit in shown), default=0)
        empty_label = everything.field.empty_label or ""
        self.choices = [("", empty_label)] + [(unit.pk, f"{'　' * (unit.depth - base)}{unit.name}") for unit in shown]
        # The chosen unit's path within the user's reach: its ancestors the queryset holds (it is scoped), then itself.
        path = [unit.name for unit in shown if unit.pk in above] + [chosen.name] if chosen is not None else []
        attrs = {
            **(attrs or {}),
            "data-unit-picker": reverse("org:unit_search"),
            "data-script": static("js/unit-picker.js"),  # portal.js loads it once for the page
            "data-chosen-path": PATH_SEPARATOR.join(path),
            "data-path-separator": PATH_SEPARATOR,
            "data-empty-label": str(empty_label).strip("-").strip() or gettext("Any unit"),
            "data-placeholder": gettext("Type part of a unit's name or code"),
            "data-no-match": gettext("No unit you reach matches."),
            "data-more": gettext("More units match: type more of the name."),
            "data-failed": gettext("The units could not be searched; try again."),
        }
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.choices = everything
