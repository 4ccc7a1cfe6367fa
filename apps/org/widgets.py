"""The unit picker every unit filter and form uses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from apps.org.models import PATH_SEGMENT_WIDTH


class UnitTreeSelect(forms.Select):
    """A unit picker listing the chosen unit's ancestors, the unit and its children, not the whole tree.

    Any unit the field's queryset holds can still be chosen (the dashboards link to any of them, and each
    choice lists the level below it); a province's fifteen thousand units in one <select> made the list
    page take seconds to render.
    """

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict:
        everything = self.choices
        units = everything.queryset
        chosen = units.filter(pk=value[0] if isinstance(value, list | tuple) else value).first() if value else None
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
        self.choices = [("", everything.field.empty_label or "")] + [
            (unit.pk, f"{'　' * (unit.depth - base)}{unit.name}") for unit in shown
        ]
        try:
            return super().get_context(name, value, attrs)
        finally:
            self.choices = everything
