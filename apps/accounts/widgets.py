"""Form widgets for choosing people."""

from __future__ import annotations

from typing import Any

from django import forms


class PersonSelect(forms.Select):
    """A person picker whose options carry their unit, so the page offers only the people of the chosen unit.

    `unit_field` names the unit select of the same form it follows (static/js/portal.js hides the others); the
    services refuse a person of another unit whatever the browser sends.
    """

    def __init__(self, *args: Any, unit_field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.attrs["data-follows-unit"] = unit_field

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        person = getattr(option["value"], "instance", None)
        if person is not None:
            option["attrs"]["data-unit"] = person.unit_id or ""
        return option
