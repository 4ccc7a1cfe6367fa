# Performance-critical: guarded by bench/ledger.py; run `make bench` after changing it.
"""Creating many items in one go (ledger imports): the same records item_create leaves, written in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.exceptions import ServiceError, ServicePermissionError
from apps.items.counters.writes import counters_add_items
from apps.items.lights import items_set_yellow_from
from apps.items.models import KIND_OF_OWNER_TYPE, Action, ItemTransition, Status, WorkItem, today_local
from apps.items.services import item_number
from apps.org.models import Unit
from apps.org.scope import user_reaches

BULK_BATCH_SIZE = 1000

# Checked here without a query per row: foreign keys were resolved by the caller, numbers are set below,
# and the lifecycle fields start as every new item's do (a draft, nothing done, nothing published).
_NOT_CLEANED_HERE = [
    "unit",
    "owner_person",
    "category",
    "responsible_unit",
    "responsible_person",
    "lead_leader",
    "created_by",
    "number",
    "year",
    "sequence",
    "status",
    "progress_percent",
    "completed_on",
    "closed_at",
    "is_published",
    "published_at",
    "assignment_letter",
    "created_at",
    "updated_at",
]


def _in_reach(by: User, unit: Unit) -> bool:
    return user_reaches(by, unit)


def _check_item(item: WorkItem, by: User, position: int) -> None:
    """The rules item_create applies to one item, with the item's position in the batch in the message."""
    for unit, field in ((item.unit, "unit"), (item.responsible_unit, "responsible_unit")):
        if not _in_reach(by, unit):
            raise ServicePermissionError(
                _("Item %(position)s: “%(unit)s” is not your unit or a unit below it.")
                % {"position": position, "unit": unit},
                field=field,
            )
    if KIND_OF_OWNER_TYPE.get(item.owner_type) != item.kind:
        raise ServiceError(
            _("Item %(position)s: this owner type does not keep this list kind.") % {"position": position},
            field="owner_type",
        )
    try:
        item.full_clean(exclude=_NOT_CLEANED_HERE, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise ServiceError(
            _("Item %(position)s: %(problem)s") % {"position": position, "problem": messages[0]}, field=field
        ) from error


def _number_items(items: Sequence[WorkItem], year: int) -> None:
    """Give numbers to the items without one: per unit and year, after every number taken so far."""
    unit_ids = sorted({item.unit_id for item in items})
    # Serialises numbering per unit on PostgreSQL, as item_create does; ids in order, so no deadlock.
    list(Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk").values_list("pk", flat=True))
    years = {item.year for item in items if item.number} | {year}
    taken: dict[tuple[int, int], int] = defaultdict(int)
    for start in range(0, len(unit_ids), BULK_BATCH_SIZE):
        rows = (
            WorkItem.objects.filter(unit_id__in=unit_ids[start : start + BULK_BATCH_SIZE], year__in=years)
            .values("unit_id", "year")
            .annotate(last=Max("sequence"))
        )
        for row in rows:
            taken[(row["unit_id"], row["year"])] = row["last"]
    seen: set[tuple[int, int, int]] = set()
    for item in items:
        if item.number:
            key = (item.unit_id, item.year, item.sequence)
            if key in seen:
                raise ServiceError(_("The number %(number)s is given twice.") % {"number": item.number})
            seen.add(key)
            taken[key[:2]] = max(taken[key[:2]], item.sequence)
    for item in items:
        if not item.number:
            taken[(item.unit_id, year)] += 1
            item.year, item.sequence = year, taken[(item.unit_id, year)]
            item.number = item_number(unit=item.unit, year=year, sequence=item.sequence)


def _insert_selecting_items(*, model, columns: Sequence[str], select: Sequence[str], params: list, ids: list[int]):
    """INSERT INTO model's table (columns) SELECT … FROM the items of `ids`: rows derived from the items, in SQL."""
    quote = connection.ops.quote_name
    # Identifiers come from the models' metadata, quoted; every value is a query parameter.
    target = f"{quote(model._meta.db_table)} ({', '.join(quote(column) for column in columns)})"
    source = f"{', '.join(select)} FROM {quote(WorkItem._meta.db_table)} WHERE {quote('id')} IN"
    head = f"INSERT INTO {target} SELECT {source} "
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BULK_BATCH_SIZE):
            chunk = ids[start : start + BULK_BATCH_SIZE]
            cursor.execute(head + f"({', '.join(['%s'] * len(chunk))})", [*params, *chunk])


def _record_history(ids: list[int], *, by: User, reason: str, when) -> None:
    """The "+" history row django-simple-history writes for a new item, copied from the item rows in SQL.

    The same rows bulk_create_with_history would write, without building a Python object per row and
    field (which took longer than the insert itself).
    """
    history = WorkItem.history.model
    quote = connection.ops.quote_name
    tracked = [field.column for field in history.tracked_fields]
    extra = ["history_date", "history_user", "history_change_reason", "history_type"]
    date_field = history._meta.get_field("history_date")
    _insert_selecting_items(
        model=history,
        columns=[*tracked, *(history._meta.get_field(name).column for name in extra)],
        select=[*(quote(column) for column in tracked), "%s", "%s", "%s", "%s"],
        params=[date_field.get_db_prep_value(when, connection), by.pk, reason or None, "+"],
        ids=ids,
    )


def _record_creation(ids: list[int], *, by: User, reason: str, when) -> None:
    """The CREATE transition item_create records, one per item, in SQL."""
    fields = ["item", "action", "from_status", "to_status", "by", "at", "reason"]
    at_field = ItemTransition._meta.get_field("at")
    _insert_selecting_items(
        model=ItemTransition,
        columns=[ItemTransition._meta.get_field(name).column for name in fields],
        select=[connection.ops.quote_name("id"), "%s", "%s", "%s", "%s", "%s", "%s"],
        params=[Action.CREATE, "", Status.DRAFT, by.pk, at_field.get_db_prep_value(when, connection), reason],
        ids=ids,
    )


@transaction.atomic
def item_bulk_create(
    *, by: User, items: Sequence[WorkItem], reason: str = "", year: int | None = None
) -> list[WorkItem]:
    """Log many new draft items at once, with the numbers, CREATE transitions and history rows item_create writes.

    Each item comes unsaved with its unit and responsible unit set as objects (for the reach check and the
    number) and its other fields set; an item may carry its own number, year and sequence (a re-imported
    ledger row), the others are numbered here. All are written or none.
    """
    year = year or today_local().year
    for position, item in enumerate(items, start=1):
        _check_item(item, by, position)
    _number_items(items, year)
    for item in items:
        item.status, item.progress_percent, item.created_by = Status.DRAFT, 0, by
        item.completed_on = item.closed_at = item.published_at = None
        item.is_published = False
    items_set_yellow_from(items)  # drafts, so none lights yet; kept in step with item_create all the same
    created = WorkItem.objects.bulk_create(list(items), batch_size=BULK_BATCH_SIZE)
    ids = [item.pk for item in created]
    if None in ids:  # a database that cannot return the ids of a bulk insert
        by_number = {}
        numbers = [item.number for item in created]
        for start in range(0, len(numbers), BULK_BATCH_SIZE):
            chunk = numbers[start : start + BULK_BATCH_SIZE]
            by_number.update(WorkItem.objects.filter(number__in=chunk).values_list("number", "pk"))
        for item in created:
            item.pk = by_number[item.number]
        ids = [item.pk for item in created]
    now = timezone.now()
    _record_history(ids, by=by, reason=reason, when=now)
    _record_creation(ids, by=by, reason=reason, when=now)
    counters_add_items(created)  # the dashboard's rollup counters, in this same transaction
    return created
