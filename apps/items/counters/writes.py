# Performance-critical: guarded by bench/dashboard.py (the counters it reads) and bench/ledger.py (bulk writes); run `make bench` after changing it.
"""Keeping the rollup counters right: the one write path, the bulk helpers and the rebuild from the items.

An item adds one to a few counter cells (its status, its category's planned/completed, its deadline
while it is open, its week of completion once done). A change of an item is "take away the cells it
was counted in, add the cells it is counted in now", applied to the item's unit and every ancestor of
it in one upsert per counter table, in the transaction of the change.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from apps.core.bulk_write import copy_rows
from apps.core.generations import ITEMS, generation_bump
from apps.items.counters.models import (
    AcknowledgeByCount,
    CategoryCount,
    CompletionWeekCount,
    OpenDeadlineCount,
    StatusCount,
    TimelinessCount,
    YellowFromCount,
)
from apps.items.models import (
    ACTIVE_STATUS_LIST,
    ACTIVE_STATUSES,
    Acknowledgement,
    Status,
    WorkItem,
    acknowledgement_of,
    acknowledgement_q,
    completed_q,
    counts_as_completed,
    counts_as_on_time,
    counts_as_planned,
    on_time_q,
    planned_q,
)
from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH


class ItemTally(NamedTuple):
    """What the counters know of one item."""

    unit_id: int
    kind: str
    owner_type: str
    status: str
    category_id: int
    deadline: datetime.date
    completed_on: datetime.date | None
    yellow_from: datetime.date | None = None
    acknowledge_by: datetime.date | None = None
    acknowledged_at: datetime.datetime | None = None
    unit_path: str | None = None  # the ancestors' ids; read from the database when not known


# The item fields a tally is made of: a change to any other field leaves the counters alone.
TALLY_FIELDS = (
    "unit_id",
    "kind",
    "owner_type",
    "status",
    "category_id",
    "deadline",
    "completed_on",
    "yellow_from",
    "acknowledge_by",
    "acknowledged_at",
)


@dataclass(frozen=True, eq=False)  # each table is one object: hashed by identity, which is quick
class CounterTable:
    """A counter model: the columns that tell its rows apart (after the unit) and the columns it counts in."""

    model: type[models.Model]
    keys: tuple[str, ...]
    values: tuple[str, ...]


STATUS_TABLE = CounterTable(StatusCount, ("kind", "owner_type"), tuple(Status.values))
CATEGORY_TABLE = CounterTable(CategoryCount, ("category_id",), ("planned", "completed"))
DEADLINE_TABLE = CounterTable(OpenDeadlineCount, ("owner_type", "deadline"), ("open_items",))
WEEK_TABLE = CounterTable(CompletionWeekCount, ("week",), ("completed",))
LIGHT_TABLE = CounterTable(YellowFromCount, ("owner_type", "yellow_from"), ("items",))
TIMELINESS_TABLE = CounterTable(
    TimelinessCount, ("owner_type",), ("completed_on_time", "acknowledged_on_time", "acknowledged_late")
)
WAITING_TABLE = CounterTable(AcknowledgeByCount, ("owner_type", "acknowledge_by"), ("waiting",))
COUNTER_TABLES = (
    STATUS_TABLE,
    CATEGORY_TABLE,
    DEADLINE_TABLE,
    WEEK_TABLE,
    LIGHT_TABLE,
    TIMELINESS_TABLE,
    WAITING_TABLE,
)
# Which timeliness column an acknowledgement counts in; an item still waiting is counted by its due day instead.
ACKNOWLEDGED_COLUMNS = {Acknowledgement.ON_TIME: "acknowledged_on_time", Acknowledgement.LATE: "acknowledged_late"}

# One cell: (table, unit id, the key after the unit, the counted column).
Cell = tuple[CounterTable, int, tuple, str]


def week_of(day: datetime.date) -> datetime.date:
    """The Monday starting the week of `day`."""
    return day - datetime.timedelta(days=day.weekday())


def ancestor_ids(path: str) -> list[int]:
    """The ids of a unit and of every unit above it, read off its path."""
    return [int(path[start : start + PATH_SEGMENT_WIDTH]) for start in range(0, len(path), PATH_SEGMENT_WIDTH)]


def item_tally(item: WorkItem) -> ItemTally:
    """How `item` is counted now (its unit's path too when the unit is already loaded)."""
    unit_field = WorkItem._meta.get_field("unit")
    cached = unit_field.is_cached(item) and item.unit is not None and item.unit.pk == item.unit_id
    return ItemTally(
        unit_id=item.unit_id,
        kind=item.kind,
        owner_type=item.owner_type,
        status=item.status,
        category_id=item.category_id,
        deadline=item.deadline,
        completed_on=item.completed_on,
        yellow_from=item.yellow_from,
        acknowledge_by=item.acknowledge_by,
        acknowledged_at=item.acknowledged_at,
        unit_path=item.unit.path if cached else None,
    )


def _own_cells(tally: ItemTally) -> Iterator[tuple[CounterTable, tuple, str]]:
    """The cells of the item's own unit it adds one to."""
    yield STATUS_TABLE, (tally.kind, tally.owner_type), tally.status
    if counts_as_planned(tally.status):
        yield CATEGORY_TABLE, (tally.category_id,), "planned"
    if counts_as_completed(tally.status):
        yield CATEGORY_TABLE, (tally.category_id,), "completed"
        if tally.completed_on is not None:
            yield WEEK_TABLE, (week_of(tally.completed_on),), "completed"
    if tally.status in ACTIVE_STATUSES:  # what can fall overdue, and has a light
        yield DEADLINE_TABLE, (tally.owner_type, tally.deadline), "open_items"
        if tally.yellow_from is not None:
            yield LIGHT_TABLE, (tally.owner_type, tally.yellow_from), "items"
    if counts_as_on_time(tally.status, tally.deadline, tally.completed_on):
        yield TIMELINESS_TABLE, (tally.owner_type,), "completed_on_time"
    if tally.acknowledge_by is not None:
        acknowledged_on = timezone.localdate(tally.acknowledged_at) if tally.acknowledged_at else None
        # Any day before the one it is due by: waiting or not does not depend on the day, only lateness does.
        state = acknowledgement_of(tally.status, tally.acknowledge_by, acknowledged_on, datetime.date.min)
        if state in ACKNOWLEDGED_COLUMNS:
            yield TIMELINESS_TABLE, (tally.owner_type,), ACKNOWLEDGED_COLUMNS[state]
        elif state:
            yield WAITING_TABLE, (tally.owner_type, tally.acknowledge_by), "waiting"


class CounterDeltas:
    """Changes to the counters gathered per unit, written with `apply()` (rolled up to the ancestors there)."""

    def __init__(self) -> None:
        self.own: Counter[tuple[CounterTable, int, tuple, str]] = Counter()
        self.paths: dict[int, str] = {}

    def add(self, tally: ItemTally, sign: int = 1) -> None:
        if tally.unit_path:
            self.paths[tally.unit_id] = tally.unit_path
        for table, key, column in _own_cells(tally):
            self.own[(table, tally.unit_id, key, column)] += sign

    def remove(self, tally: ItemTally) -> None:
        self.add(tally, -1)

    def add_counts(self, table: CounterTable, unit_id: int, key: tuple, column: str, count: int) -> None:
        """Add an already counted number of items of one unit (bulk loaders counting as they write)."""
        self.own[(table, unit_id, key, column)] += count

    def apply(self, *, new_units_only: bool = False) -> None:
        """Write the changes to the unit of each change and to all its ancestors.

        `new_units_only` says every unit concerned, ancestors included, was made in this transaction and
        has no counter rows yet (a generated tree under a fresh root): the rows are then simply inserted.
        """
        own = {cell: delta for cell, delta in self.own.items() if delta}
        if not own:
            return
        paths = _unit_paths({unit_id for _table, unit_id, _key, _column in own}, known=self.paths)
        rolled: dict[CounterTable, dict[tuple, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        for (table, unit_id, key, column), delta in own.items():
            for ancestor_id in ancestor_ids(paths[unit_id]):
                rolled[table][(ancestor_id, *key)][column] += delta
        for table in COUNTER_TABLES:  # always in the same order, rows sorted: locks are taken in one order
            if table in rolled:
                (_insert if new_units_only else _write)(table, rolled[table])
        self.own.clear()
        generation_bump(ITEMS)


def _unit_paths(unit_ids: set[int], *, known: dict[int, str]) -> dict[int, str]:
    paths = {unit_id: known[unit_id] for unit_id in unit_ids if unit_id in known}
    missing = sorted(unit_ids - set(paths))
    for start in range(0, len(missing), 500):
        paths.update(Unit.objects.filter(pk__in=missing[start : start + 500]).values_list("pk", "path"))
    return paths


def _batch_size(columns: int) -> int:
    limit = connection.features.max_query_params or 30000
    return max(1, min(1000, limit // columns))


def _write(table: CounterTable, rows: dict[tuple, Counter[str]]) -> None:
    """Add the deltas to the rows (inserting missing ones), then delete the rows left with nothing counted."""
    quote = connection.ops.quote_name
    meta = table.model._meta
    db_table = quote(meta.db_table)
    key_columns = [meta.get_field("unit").column] + [meta.get_field(key).column for key in table.keys]
    value_columns = [meta.get_field(value).column for value in table.values]
    changed = sorted((key, deltas) for key, deltas in rows.items() if any(deltas.values()))
    width = len(key_columns) + len(value_columns)
    row_sql = f"({', '.join(['%s'] * width)})"
    updates = ", ".join(f"{quote(c)} = {db_table}.{quote(c)} + EXCLUDED.{quote(c)}" for c in value_columns)
    with connection.cursor() as cursor:
        size = _batch_size(width)
        for start in range(0, len(changed), size):
            batch = changed[start : start + size]
            params: list = []
            for key, deltas in batch:
                params += [*key, *(deltas.get(value, 0) for value in table.values)]
            # Table and column names come from the model; every value is a parameter.
            upsert = (
                f"INSERT INTO {db_table} ({', '.join(quote(c) for c in key_columns + value_columns)}) "  # noqa: S608
                f"VALUES {', '.join([row_sql] * len(batch))} "
                f"ON CONFLICT ({', '.join(quote(c) for c in key_columns)}) DO UPDATE SET {updates}"
            )
            cursor.execute(upsert, params)
        shrunk = [key for key, deltas in changed if any(delta < 0 for delta in deltas.values())]
        if shrunk:
            nothing = " AND ".join(f"{quote(c)} = 0" for c in value_columns)
            one_key = "(" + " AND ".join(f"{quote(c)} = %s" for c in key_columns) + ")"
            size = _batch_size(len(key_columns))
            for start in range(0, len(shrunk), size):
                batch = shrunk[start : start + size]
                empty_rows = f"DELETE FROM {db_table} WHERE {nothing} AND ({' OR '.join([one_key] * len(batch))})"  # noqa: S608
                cursor.execute(empty_rows, [part for key in batch for part in key])


def _insert(table: CounterTable, rows: dict[tuple, Counter[str]]) -> None:
    """Insert rows that do not exist yet, many at a time."""
    meta = table.model._meta
    columns = [meta.get_field("unit").column] + [meta.get_field(name).column for name in (*table.keys, *table.values)]
    # In key order, so each unit's rows lie together on disk, as a dashboard reads them.
    values = [(*key, *(deltas.get(value, 0) for value in table.values)) for key, deltas in sorted(rows.items())]
    values = [row for row in values if any(row[len(columns) - len(table.values) :])]
    for start in range(0, len(values), 20_000):
        copy_rows(meta.db_table, columns, values[start : start + 20_000])


def counters_apply(*, removed: Iterable[ItemTally] = (), added: Iterable[ItemTally] = ()) -> None:
    """Count items out of the cells of `removed` and into those of `added`; call inside the item's transaction."""
    deltas = CounterDeltas()
    for tally in removed:
        deltas.remove(tally)
    for tally in added:
        deltas.add(tally)
    deltas.apply()


def counters_item_changed(*, was: ItemTally, item: WorkItem) -> None:
    """One item changed: move it from the cells it was counted in to the ones it belongs in now.

    Its other fields changed too (the dashboards list titles, deadlines and progress): reads cached under the
    items' generation are read again either way."""
    generation_bump(ITEMS)
    now = item_tally(item)
    if now[: len(TALLY_FIELDS)] != was[: len(TALLY_FIELDS)]:
        counters_apply(removed=[was], added=[now])


def counters_add_items(items: Iterable[WorkItem]) -> None:
    """Count items created in bulk (ledger imports, generators)."""
    counters_apply(added=[item_tally(item) for item in items])


def _tallies_of(item_ids: Sequence[int]) -> list[ItemTally]:
    tallies = []
    for start in range(0, len(item_ids), 500):
        rows = WorkItem.objects.filter(pk__in=item_ids[start : start + 500]).values_list(*TALLY_FIELDS)
        tallies += [ItemTally(*row) for row in rows]
    return tallies


@contextmanager
def counters_follow(item_ids: Iterable[int]) -> Iterator[None]:
    """Keep the counters right across a bulk change of these items (`update()`, `bulk_update()`, deletion).

    with counters_follow(ids):
        WorkItem.objects.filter(pk__in=ids).update(deadline=new_deadline)
    """
    item_ids = sorted(set(item_ids))
    with transaction.atomic():
        before = _tallies_of(item_ids)
        yield
        counters_apply(removed=before, added=_tallies_of(item_ids))


# The rebuild.

Rows = dict[CounterTable, dict[tuple, dict[str, int]]]


def counters_count_from_items() -> Rows:
    """Every counter row as the items say it should be (one GROUP BY per table, rolled up in Python)."""
    deltas = CounterDeltas()
    items = WorkItem.objects.order_by()
    for row in items.values("unit_id", "kind", "owner_type", "status").annotate(n=Count("id")):
        deltas.add_counts(STATUS_TABLE, row["unit_id"], (row["kind"], row["owner_type"]), row["status"], row["n"])
    by_category = items.values("unit_id", "category_id").annotate(
        planned=Count("id", filter=planned_q()),
        completed=Count("id", filter=completed_q()),
    )
    for row in by_category:
        for column in ("planned", "completed"):
            deltas.add_counts(CATEGORY_TABLE, row["unit_id"], (row["category_id"],), column, row[column])
    open_items = items.filter(status__in=ACTIVE_STATUS_LIST).values("unit_id", "owner_type", "deadline")
    for row in open_items.annotate(n=Count("id")):
        deltas.add_counts(DEADLINE_TABLE, row["unit_id"], (row["owner_type"], row["deadline"]), "open_items", row["n"])
    lights = items.filter(status__in=ACTIVE_STATUS_LIST, yellow_from__isnull=False)
    for row in lights.values("unit_id", "owner_type", "yellow_from").annotate(n=Count("id")):
        deltas.add_counts(LIGHT_TABLE, row["unit_id"], (row["owner_type"], row["yellow_from"]), "items", row["n"])
    done = items.filter(completed_q(), completed_on__isnull=False).values("unit_id", "completed_on")
    for row in done.annotate(n=Count("id")):
        deltas.add_counts(WEEK_TABLE, row["unit_id"], (week_of(row["completed_on"]),), "completed", row["n"])
    timeliness = {
        "completed_on_time": on_time_q(),
        "acknowledged_on_time": acknowledgement_q(Acknowledgement.ON_TIME),
        "acknowledged_late": acknowledgement_q(Acknowledgement.LATE),
    }
    for column, condition in timeliness.items():
        for row in items.filter(condition).values("unit_id", "owner_type").annotate(n=Count("id")):
            deltas.add_counts(TIMELINESS_TABLE, row["unit_id"], (row["owner_type"],), column, row["n"])
    waiting = items.filter(acknowledgement_q(Acknowledgement.WAITING)).values("unit_id", "owner_type", "acknowledge_by")
    for row in waiting.annotate(n=Count("id")):
        key = (row["owner_type"], row["acknowledge_by"])
        deltas.add_counts(WAITING_TABLE, row["unit_id"], key, "waiting", row["n"])

    paths = dict(Unit.objects.values_list("pk", "path"))
    counted: Rows = {table: defaultdict(lambda: defaultdict(int)) for table in COUNTER_TABLES}
    for (table, unit_id, key, column), count in deltas.own.items():
        for ancestor_id in ancestor_ids(paths[unit_id]):
            counted[table][(ancestor_id, *key)][column] += count
    return {
        table: {
            key: {column: values.get(column, 0) for column in table.values}
            for key, values in rows.items()
            if any(values.values())
        }
        for table, rows in counted.items()
    }


def counters_stored() -> Rows:
    """Every counter row as it is stored."""
    stored: Rows = {}
    for table in COUNTER_TABLES:
        fields = ["unit_id", *table.keys, *table.values]
        width = 1 + len(table.keys)
        stored[table] = {
            tuple(row[:width]): dict(zip(table.values, row[width:], strict=True))
            for row in table.model.objects.values_list(*fields).iterator(chunk_size=5000)
        }
    return stored


@dataclass(frozen=True)
class Drift:
    """A counter cell whose stored number differs from the items."""

    table: str
    key: tuple
    column: str
    stored: int
    counted: int

    def __str__(self) -> str:
        key = " ".join(str(part) for part in self.key)
        return f"{self.table} unit={key} {self.column}: stored {self.stored}, counted {self.counted}"


def counters_drift(stored: Rows, counted: Rows) -> list[Drift]:
    drift = []
    for table in COUNTER_TABLES:
        have, want = stored.get(table, {}), counted.get(table, {})
        for key in sorted(set(have) | set(want), key=str):
            for column in table.values:
                old, new = have.get(key, {}).get(column, 0), want.get(key, {}).get(column, 0)
                if old != new:
                    drift.append(Drift(table.model.__name__, key, column, old, new))
    return drift


def _lock_counter_tables() -> None:
    """Hold item writes back (they wait at the counters) while the items are counted, so the count is exact."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(table.model._meta.db_table) for table in COUNTER_TABLES)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


@transaction.atomic
def counters_rebuild(*, write: bool = True) -> list[Drift]:
    """Recount every counter from the items; write the result unless `write` is False; return the drift found."""
    _lock_counter_tables()
    counted = counters_count_from_items()
    drift = counters_drift(counters_stored(), counted)
    if write and drift:
        for table in COUNTER_TABLES:
            table.model.objects.all().delete()
            # In key order, so each unit's rows lie together on disk, as a dashboard reads them.
            objects = [
                table.model(unit_id=key[0], **dict(zip(table.keys, key[1:], strict=True)), **values)
                for key, values in sorted(counted[table].items())
            ]
            table.model.objects.bulk_create(objects, batch_size=2000)
        generation_bump(ITEMS)
    return drift
