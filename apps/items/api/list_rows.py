"""Performance-critical (the item list API; bench/load.py api-* guards it): the list's rows built flat from values.

The list endpoint is the API's busiest read. `WorkItemSerializer` (which still documents the rows, and which the
detail extends) walks ~30 fields and six nested serializers per row over a six-table join; here the page is read
as plain values with no joins beyond what the filters need, the units, people and categories named on the page
are read by id (an `in` lookup each, sent together), and each row is a dict with exactly the keys and values the
serializer gives (tests/items/test_api_list_rows.py compares the two).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from apps.accounts.models import User
from apps.core.raw_rows import converted, select_by_ids_sql
from apps.items.models import Category, Light, Status, WorkItem, counts_as_overdue, light_on, today_local
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


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _datetime(value: datetime.datetime | None, zone: datetime.tzinfo) -> str | None:
    """DRF's DateTimeField.to_representation (ISO 8601 in the current time zone, "Z" for UTC), without its checks
    of the field's settings for every value."""
    if not value:
        return None
    text = value.astimezone(zone).isoformat()
    return f"{text[:-6]}Z" if text.endswith("+00:00") else text


def _ids(rows: Sequence[dict[str, Any]], columns: Iterable[str]) -> set[int]:
    return {row[column] for row in rows for column in columns if row[column] is not None}


# What a row names, by model: the columns read (three, as one UNION ALL reads them) and the tag of its rows.
NAMED = (("u", Unit, ("name", "code", "code")), ("p", User, ("username", "full_name", "full_name")))
CATEGORY_COLUMNS = ("code", "name", "name_en")


def _names_by_id(
    unit_ids: set[int], person_ids: set[int], category_ids: set[int]
) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """The units, people and categories a page names, by id: three `in` lookups sent as one query.

    One round trip and no model instances: on this endpoint the ORM's per-query work cost more than the lookups.
    """
    selects, params = [], []
    for (tag, model, columns), ids in zip(NAMED, (unit_ids, person_ids), strict=True):
        if ids:
            selects.append(select_by_ids_sql(model, ("id", *columns), len(ids), tag=tag))
            params += sorted(ids)
    selects.append(select_by_ids_sql(Category, ("id", *CATEGORY_COLUMNS), len(category_ids), tag="c"))
    params += sorted(category_ids)
    units: dict[int, dict[str, Any]] = {}
    people: dict[int, dict[str, Any]] = {}
    categories: dict[int, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        for tag, pk, first, second, third in cursor.fetchall():
            if tag == "u":
                units[pk] = {"id": pk, "name": first, "code": second}
            elif tag == "p":
                people[pk] = {"id": pk, "username": first, "full_name": second}
            else:
                # The category's name in the reader's language, by the model's own rule, as CategoryRefSerializer.
                name = str(Category(pk=pk, code=first, name=second, name_en=third))
                categories[pk] = {"id": pk, "code": first, "name": name}
    return units, people, categories


def item_page_values(ids: Sequence[int]) -> list[dict[str, Any]]:
    """The LIST_COLUMNS values of the items of `ids`, in that order (a page's ids, already scoped and filtered).

    Read with the statement written out (apps/core/raw_rows.py): building the ORM's query cost more than running it.
    """
    if not ids:
        return []
    sql = select_by_ids_sql(WorkItem, LIST_COLUMNS, len(ids))
    by_id = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        for row in cursor.fetchall():
            values = dict(zip(LIST_COLUMNS, converted(WorkItem, LIST_COLUMNS, row), strict=True))
            by_id[values["id"]] = values
    return [by_id[pk] for pk in ids if pk in by_id]  # one deleted since its id was read is left out


def item_list_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The list's JSON rows for a page of `WorkItem` values (LIST_COLUMNS), in the page's order."""
    if not rows:
        return []
    units, people, categories = _names_by_id(
        _ids(rows, UNIT_COLUMNS), _ids(rows, PERSON_COLUMNS), _ids(rows, ["category_id"])
    )
    # Labels in the reader's language, translated once a page rather than once a row.
    status_labels = {value: str(label) for value, label in Status.choices}
    light_labels = {value: str(label) for value, label in Light.choices}
    today = today_local()
    zone = timezone.get_current_timezone()
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
                "acknowledged_at": _datetime(row["acknowledged_at"], zone),
                "is_overdue": is_overdue,
                "days_overdue": (today - deadline).days if is_overdue else 0,
                "light": str(light),
                "light_label": light_labels.get(light, ""),
                "is_key": row["is_key"],
                "key_level": row["key_level"],
                "source": row["source"],
                "is_published": row["is_published"],
                "updated_at": _datetime(row["updated_at"], zone),
            }
        )
    return result
