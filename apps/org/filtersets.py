"""FilterSets that know who is asking: the shared scoped base, the unit filter, and the units' own FilterSet.

Every FilterSet refuses a value it does not take rather than leaving the filter out, which would list (or
export) more than was asked for: a yes/no filter takes `true` or `false`, a choice filter one of its choices.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.org.models import Unit, UnitLevel, subtree_q
from apps.org.scope import subtree_units, subtree_units_q, unit_by_id, user_reaches

# What a yes/no filter takes; `True`/`False` too, as Python writes them (the select used to read them).
YES_NO_VALUES = {"true": True, "false": False, "True": True, "False": False}
# What the pages' yes/no select sends for "either" (Django's NullBooleanSelect): no filter, like an empty value.
YES_NO_EITHER = "unknown"


class YesNoSelect(forms.NullBooleanSelect):
    """The pages' yes/no select; it passes on what it was sent, so that a value it does not know is refused."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        # "Either" rather than Django's "Unknown": on a filter it means the question is not asked (不限).
        self.choices = [(YES_NO_EITHER, _("Either")), ("true", _("Yes")), ("false", _("No"))]

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)

    def format_value(self, value: Any) -> str:
        return super().format_value(YES_NO_VALUES.get(value, value) if isinstance(value, str) else value)


class YesNoField(forms.NullBooleanField):
    """`true` or `false`; absent, empty or "unknown" (the select's "either") filter nothing; anything else is refused.

    Django's NullBooleanField reads every other value as "unknown", so `?overdue=yes-please` filtered nothing.
    """

    widget = YesNoSelect
    default_error_messages = {"invalid_choice": _("Give true or false.")}

    def to_python(self, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if value in ("", YES_NO_EITHER):
            return None
        if value in YES_NO_VALUES:
            return YES_NO_VALUES[value]
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class PortalOrderingFilter(django_filters.OrderingFilter):
    """django-filter's sorting, with the descending label in the portal's own catalogue (it ships no zh-hans)."""

    descending_fmt = _("%s (descending)")


@extend_schema_field({"type": "boolean", "enum": [True, False]})
class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter that refuses what is neither yes nor no; the schema lists `true` and `false`."""

    field_class = YesNoField


def _allowed_values(field: forms.Field) -> list[str]:
    """The values a choice or yes/no field takes, as a query string writes them; [] when they are ids of rows."""
    if isinstance(field, YesNoField):
        return ["true", "false"]
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return [str(value) for value, _label in field.choices if value != ""]
    return []


class FilterForm(forms.Form):
    """The form of every FilterSet: its refusals name the query parameter and the values it takes.

    An empty choice (`?level=`, `?overdue=`) means "all" on the pages, because their filter forms send every
    select, chosen or not. Where no form of ours sends the query (the API and its exports), an empty value can
    only be a mistake, and taking it as "all" would answer more than was asked for: `refuse_empty` refuses it.
    """

    refuse_empty = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only a value sent can be refused: the other fields keep their messages (a list read many times a second
        # spells them for the one or two filters asked for).
        for name, field in self.fields.items():
            if self.add_prefix(name) not in self.data:
                continue
            if allowed := _allowed_values(field):
                field.error_messages["invalid_choice"] = gettext("%(parameter)s takes one of: %(allowed)s.") % {
                    "parameter": name,
                    "allowed": ", ".join(allowed),
                }

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        if self.refuse_empty:
            for name, field in self.fields.items():
                if name in self.errors or name not in self.data or not _takes_a_choice(field):
                    continue
                value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
                if value == "" or (isinstance(field, YesNoField) and value == YES_NO_EITHER):
                    self.add_error(name, _empty_refusal(name, field))
        return cleaned_data


def _takes_a_choice(field: forms.Field) -> bool:
    return isinstance(field, YesNoField | forms.ChoiceField | forms.ModelChoiceField)


def _empty_refusal(name: str, field: forms.Field) -> str:
    if allowed := _allowed_values(field):
        return gettext("%(parameter)s is empty: give one of %(allowed)s, or leave it out.") % {
            "parameter": name,
            "allowed": ", ".join(allowed),
        }
    return gettext("%(parameter)s is empty: give a value, or leave it out.") % {"parameter": name}


def filtered_rows(filterset: django_filters.FilterSet) -> tuple[QuerySet, str]:
    """The rows a list page shows, and what is wrong with its filters ("" when nothing is).

    django-filter leaves a refused filter out and would list more than was asked for; a page lists nothing
    instead and says why.
    """
    if filterset.is_bound and not filterset.is_valid():
        return filterset.qs.none(), filter_problems(filterset)
    return filterset.qs, ""


def filter_problems(filterset: django_filters.FilterSet) -> str:
    """The refused filters of a bound FilterSet in one line, each under the label people know it by."""
    return pgettext("between refused filters", "; ").join(
        gettext("%(filter)s: %(problem)s")
        % {"filter": filterset.filters[name].label if name in filterset.filters else name, "problem": " ".join(errors)}
        for name, errors in filterset.errors.items()
    )


class UnitChoiceField(django_filters.fields.ModelChoiceField):
    """A UnitFilter's field. With `reach_of` (a user), the unit sent is one that user reaches: looked up by id with
    the unit tree's cache and checked by the one scoping rule (org.scope), which is what reading it through the
    queryset of their units would give, without the query (and the read of their roles) on each request."""

    def __init__(self, *args: Any, reach_of: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reach_of = reach_of

    def to_python(self, value: Any) -> Any:
        if self.reach_of is None or value in self.empty_values:
            return super().to_python(value)
        unit = unit_by_id(value)
        if unit is None or not user_reaches(self.reach_of, unit):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit


@extend_schema_field(OpenApiTypes.INT)  # a unit's id (the schema could not tell from a `path_field`)
class UnitFilter(django_filters.ModelChoiceFilter):
    """A unit chosen among those the user reaches; with `path_field` (a unit path) or `unit_field` (a unit, never
    null), it matches that unit and every unit below.

    `unit_field` compares the rows' own unit ids (org.scope.subtree_units_q), so the rows are not joined to the
    units and the index on that column serves the filter.
    """

    field_class = UnitChoiceField

    def __init__(self, *args: Any, path_field: str | None = None, unit_field: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Unit.objects.none())  # ScopedFilterSet puts the user's units in
        super().__init__(*args, **kwargs)
        self.path_field = path_field
        self.unit_field = unit_field

    def offer_reach_of(self, user: Any, *, drawn: bool = True) -> None:
        """Offer the units `user` reaches (ScopedFilterSet does, for each of its unit filters). Where no form is
        drawn from the filter (`drawn=False`: the API), it lists none: the unit sent is checked by the rule alone."""
        self.queryset = Unit.objects.visible_to(user) if drawn else Unit.objects.none()
        if user.is_authenticated:
            self.extra["reach_of"] = user

    def offer(self, units: QuerySet) -> None:
        """Offer these units, whoever reads (e.g. a public page's subunits)."""
        self.queryset = units
        self.extra.pop("reach_of", None)

    def filter(self, queryset: QuerySet, value: Unit | None) -> QuerySet:
        if value and self.unit_field:
            return queryset.filter(subtree_units_q(subtree_units(value.path), self.unit_field))
        if value and self.path_field:
            return queryset.filter(subtree_q(value.path, self.path_field))
        return super().filter(queryset, value)


class ScopedFilterSet(django_filters.FilterSet):
    """The base of every FilterSet: it takes the user, and each UnitFilter offers only the units they reach.

    Pages, the API (through core's UserFilterBackend), dashboard links and exports all pass the user; the API
    also passes `refuse_empty=True` (see FilterForm).
    """

    def __init__(
        self, data: Any = None, *args: Any, user: Any = None, refuse_empty: bool = False, **kwargs: Any
    ) -> None:
        if refuse_empty and data is not None:
            # No form is drawn from it (the API, its exports): a filter not sent filters nothing, so only those
            # sent are copied and checked, which spares a busy list the copies of a score of fields.
            self.base_filters = {
                name: filter_
                for name, filter_ in type(self).base_filters.items()
                if any(key == name or key.startswith(f"{name}_") for key in data)
            }
        super().__init__(data, *args, **kwargs)
        self.refuse_empty = refuse_empty
        for unit_filter in self.filters.values():
            if isinstance(unit_filter, UnitFilter):
                if user is not None:
                    unit_filter.offer_reach_of(user, drawn=not refuse_empty)
                else:
                    unit_filter.offer(Unit.objects.none())

    def get_form_class(self) -> type[forms.Form]:
        fields = {name: filter_.field for name, filter_ in self.filters.items()}
        return type(f"{type(self).__name__}Form", (FilterForm,), {**fields, "refuse_empty": self.refuse_empty})


class UnitFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_text")
    level = django_filters.ChoiceFilter(label=_("Level"), choices=UnitLevel.choices)
    parent = UnitFilter(label=_("Parent unit"))
    within = UnitFilter(label=_("Within (the unit and below)"), path_field="path")

    class Meta:
        model = Unit
        fields = ["q", "level", "parent", "within"]

    def filter_text(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset
