"""A WorkItem field cannot be forgotten: every field is decided, here, for each place that reads items.

Adding a field to WorkItem fails test_every_workitem_field_is_decided until the field is added to
FIELD_PLACES below with the places that carry it; the other test then checks that the code agrees.
"""

from __future__ import annotations

import dataclasses

from apps.dashboards.item_lists import ListedItem
from apps.items.admin import WorkItemAdmin
from apps.items.api.serializers import WorkItemDetailSerializer, WorkItemSerializer
from apps.items.counters.writes import TALLY_FIELDS
from apps.items.models import WorkItem
from apps.ledger.columns import LEDGER_COLUMNS

# Where each place is decided, named in the failure message.
PLACES = {
    "ledger": "the ledger's columns that an import reads (apps/ledger/columns.py, LEDGER_COLUMNS)",
    "export": "the columns of item exports (LEDGER_COLUMNS and apps/ledger/exports.py, export_values)",
    "api_list": "the API's list rows (apps/items/api/serializers.py, WorkItemSerializer)",
    "api_detail": "the API's item detail (apps/items/api/serializers.py, WorkItemDetailSerializer)",
    "admin": "the admin's list, filters and search (apps/items/admin.py, WorkItemAdmin)",
    "counters": "the rollup counters' tally (apps/items/counters/writes.py, TALLY_FIELDS and item_tally)",
    "dashboard_lists": "the dashboard's raw-SQL lists (apps/dashboards/item_lists.py, ListedItem and its SQL)",
}

# Written by hand: the decision for every field. A field absent from a place is left out of it on purpose.
FIELD_PLACES: dict[str, set[str]] = {
    "id": {"api_list", "api_detail", "dashboard_lists"},
    "created_at": {"api_detail"},
    "updated_at": {"api_list", "api_detail"},
    "number": {"ledger", "export", "api_list", "api_detail", "admin", "dashboard_lists"},
    "year": set(),  # part of the number
    "sequence": set(),  # part of the number
    "kind": {"ledger", "export", "api_list", "api_detail", "admin", "counters"},
    "owner_type": {"ledger", "export", "api_list", "api_detail", "admin", "counters"},
    "unit": {"ledger", "export", "api_list", "api_detail", "admin", "counters", "dashboard_lists"},
    "owner_person": {"ledger", "export", "api_list", "api_detail"},
    "title": {"ledger", "export", "api_list", "api_detail", "admin", "dashboard_lists"},
    "content": {"ledger", "export", "api_detail"},
    "category": {"ledger", "export", "api_list", "api_detail", "admin", "counters"},
    "beneficiaries": {"ledger", "export", "api_detail"},
    "responsible_unit": {"ledger", "export", "api_list", "api_detail"},
    "responsible_person": {"ledger", "export", "api_list", "api_detail"},
    "lead_leader": {"api_list", "api_detail", "dashboard_lists"},
    "requirements": {"ledger", "export", "api_detail"},
    "start_date": {"ledger", "export", "api_list", "api_detail"},
    "deadline": {"ledger", "export", "api_list", "api_detail", "admin", "counters", "dashboard_lists"},
    "is_key": {"ledger", "export", "api_list", "api_detail", "admin"},
    "key_level": {"ledger", "export", "api_list", "api_detail", "dashboard_lists"},
    "source": {"ledger", "export", "api_list", "api_detail"},
    "assignment_letter": {"api_detail"},
    "status": {"export", "api_list", "api_detail", "admin", "counters", "dashboard_lists"},
    "progress_percent": {"export", "api_list", "api_detail", "admin", "dashboard_lists"},
    "completed_on": {"api_detail", "counters"},
    "closed_at": {"api_detail"},
    "is_published": {"api_list", "api_detail"},
    "published_at": {"api_detail"},
    "created_by": {"api_detail"},
    # Kept by the services; what people see is the light it gives on the day (WorkItem.light, in the API,
    # the exports and the pages), not the date itself.
    "yellow_from": {"counters"},
    # Extensions (延期申请): the deadline first set, and the date a waiting request asks for.
    "original_deadline": {"api_list", "api_detail"},
    "extension_asked_for": {"api_list", "api_detail"},
    # Acknowledgement (签收) of an assigned item: its time limit and when it was acknowledged; counted for
    # 未签收 and 签收及时率.
    "acknowledge_by": {"api_list", "api_detail", "counters"},
    "acknowledged_at": {"api_list", "api_detail", "counters"},
    # When the responsible unit declined it (退办); the owning side's inbox lists it until it is assigned again.
    "declined_at": {"api_detail"},
}

# Ledger column keys and dashboard list fields that name a model field differently.
LEDGER_KEY_FIELDS = {"progress": "progress_percent"}
LISTED_FIELDS = {"pk": "id", "today": None}
TALLY_FIELD_NAMES = {"unit_id": "unit", "category_id": "category"}


def model_fields() -> list[str]:
    return [field.name for field in WorkItem._meta.get_fields() if field.concrete]


def carried_by_the_code() -> dict[str, set[str]]:
    """For each place, the model fields the code carries there now."""
    admin = WorkItemAdmin
    listed = {LISTED_FIELDS.get(field.name, field.name) for field in dataclasses.fields(ListedItem)} - {None}
    return {
        "ledger": {LEDGER_KEY_FIELDS.get(column.key, column.key) for column in LEDGER_COLUMNS if column.imported},
        "export": {LEDGER_KEY_FIELDS.get(column.key, column.key) for column in LEDGER_COLUMNS},
        "api_list": set(WorkItemSerializer.Meta.fields),
        "api_detail": set(WorkItemDetailSerializer.Meta.fields),
        "admin": {name.split("__")[0] for name in [*admin.list_display, *admin.list_filter, *admin.search_fields]},
        "counters": {TALLY_FIELD_NAMES.get(name, name) for name in TALLY_FIELDS},
        "dashboard_lists": listed,
    }


def test_every_workitem_field_is_decided():
    undecided = [name for name in model_fields() if name not in FIELD_PLACES]
    gone = [name for name in FIELD_PLACES if name not in model_fields()]

    places = "\n".join(f"  - {place}: {where}" for place, where in PLACES.items())
    assert not undecided, (
        f"WorkItem has new fields {undecided}. Decide for each whether these places carry it, change them, "
        f"and add the field to FIELD_PLACES in {__file__}:\n{places}"
    )
    assert not gone, f"FIELD_PLACES names fields WorkItem no longer has: {gone}"


def test_the_code_carries_each_field_where_the_table_says():
    carried = carried_by_the_code()

    for place, where in PLACES.items():
        expected = {name for name, places in FIELD_PLACES.items() if place in places}
        actual = carried[place] & set(model_fields())
        assert actual == expected, (
            f"{where}: carries {sorted(actual - expected)} that FIELD_PLACES leaves out, "
            f"and leaves out {sorted(expected - actual)} that FIELD_PLACES lists"
        )
