"""Performance-critical (the item list API, issue 17): the list's rows built flat from plain values.

The list endpoint is the API's busiest read. `WorkItemSerializer` (which still documents the rows, and which the
detail extends) walks ~30 fields and six nested serializers per row over a six-table join; here the page is read
as plain values with no joins beyond what the filters need, the units, people and categories named on the page
are read by id with one `in` query each, and each row is a dict with exactly the keys and values the serializer
gives (tests/items/test_api_list_rows.py compares the two).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from rest_framework.fields import DateTimeField

from apps.accounts.models import User
from apps.items.models import Category, Light, Status, counts_as_overdue, light_on, today_local
from apps.org.models import Unit

# The item's own columns a row needs: no text bodies, no history.
LIST_COLUMNS = (
    "id",
    "number",
    "kind",
    "owner_type",
    "title",
    "unit_id",
    "owner_person_id",
    "responsible_unit_id",
    "responsible_person_id",
    "lead_leader_id",
    "category_id",
    "status",
    "progress_percent",
    "start_date",
    "deadline",
    "original_deadline",
    "extension_asked_for",
    "acknowledge_by",
    "acknowledged_at",
    "yellow_from",
    "is_key",
    "key_level",
    "source",
    "is_published",
    "updated_at",
)
UNIT_COLUMNS = ("unit_id", "responsible_unit_id")
PERSON_COLUMNS = ("owner_person_id", "responsible_person_id", "lead_leader_id")

# DRF's own formatting of a datetime (the current time zone, ISO 8601), so rows read exactly as the serializer's.
_datetime_field = DateTimeField()


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime.datetime | None) -> str | None:
    return _datetime_field.to_representation(value) if value else None


def _ids(rows: Sequence[dict[str, Any]], columns: Iterable[str]) -> set[int]:
    return {row[column] for row in rows for column in columns if row[column] is not None}


def _units_by_id(ids: set[int]) -> dict[int, dict[str, Any]]:
    units = Unit.objects.filter(pk__in=ids).values_list("id", "name", "code")
    return {pk: {"id": pk, "name": name, "code": code} for pk, name, code in units}


def _people_by_id(ids: set[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    people = User.objects.filter(pk__in=ids).values_list("id", "username", "full_name")
    return {pk: {"id": pk, "username": username, "full_name": full_name} for pk, username, full_name in people}


def _categories_by_id(ids: set[int]) -> dict[int, dict[str, Any]]:
    # str() of the category is its name in the reader's language, as CategoryRefSerializer gives it.
    return {
        category.pk: {"id": category.pk, "code": category.code, "name": str(category)}
        for category in Category.objects.filter(pk__in=ids).only("id", "code", "name", "name_en")
    }


def item_list_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's JSON rows for a page of `WorkItem` values (LIST_COLUMNS), in the page's order."""
    if not rows:
        return []
    units = _units_by_id(_ids(rows, UNIT_COLUMNS))
    people = _people_by_id(_ids(rows, PERSON_COLUMNS))
    categories = _categories_by_id(_ids(rows, ["category_id"]))
    # Labels in the reader's language, translated once a page rather than once a row.
    status_labels = {value: str(label) for value, label in Status.choices}
    light_labels = {value: str(label) for value, label in Light.choices}
    today = today_local()
    result = []
    for row in rows:
        status, deadline = row["status"], row["deadline"]
        light = light_on(status, deadline, row["yellow_from"], today)
        is_overdue = counts_as_overdue(status, deadline, today)
        result.append(
            {
                "id": row["id"],
                "number": row["number"],
                "kind": row["kind"],
                "owner_type": row["owner_type"],
                "title": row["title"],
                "unit": units[row["unit_id"]],
                "owner_person": people.get(row["owner_person_id"]),
                "responsible_unit": units[row["responsible_unit_id"]],
                "responsible_person": people.get(row["responsible_person_id"]),
                "lead_leader": people.get(row["lead_leader_id"]),
                "category": categories[row["category_id"]],
                "status": status,
                "status_label": status_labels.get(status, status),
                "progress_percent": row["progress_percent"],
                "start_date": _date(row["start_date"]),
                "deadline": _date(deadline),
                "original_deadline": _date(row["original_deadline"]),
                "extension_asked_for": _date(row["extension_asked_for"]),
                "acknowledge_by": _date(row["acknowledge_by"]),
                "acknowledged_at": _datetime(row["acknowledged_at"]),
                "is_overdue": is_overdue,
                "days_overdue": (today - deadline).days if is_overdue else 0,
                "light": str(light),
                "light_label": light_labels.get(light, ""),
                "is_key": row["is_key"],
                "key_level": row["key_level"],
                "source": row["source"],
                "is_published": row["is_published"],
                "updated_at": _datetime(row["updated_at"]),
            }
        )
    return result
