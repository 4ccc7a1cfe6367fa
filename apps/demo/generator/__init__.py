# Performance-critical: guarded by bench/dashboard.py (generating 2,000,000 items); run `make bench` after changing it.
"""Demo data at scale: a unit tree and its items written in bulk, under a fresh root.

Two shapes: the Kunming 2021 profile (the real districts and counties, streets and villages below them,
and exactly the four figures of DOMAIN.md) and a synthetic tree of any size (`items`, `units`, `levels`).
Rows are written with COPY on PostgreSQL and multi-row INSERTs elsewhere, in one transaction, and the
dashboard counters are adjusted once at the end from what was written. Seven items in ten carry their
recorded story (transitions and progress notes, `histories.py`) dated to fit their columns, so reports
replay real work; the others were carried over from older ledgers, their dates set directly.
"""

from __future__ import annotations

import datetime
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from apps.accounts.models import User
from apps.core.bulk_write import copy_rows
from apps.demo.generator.histories import PROGRESS_COLUMNS, TRANSITION_COLUMNS
from apps.demo.generator.plans import (
    BATCH,
    KUNMING_2021,
    apportion,
    kunming_plan,
    status_counts,
    synthetic_fanout,
    synthetic_plan,
)
from apps.demo.generator.rows import ITEM_COLUMNS, ItemRows
from apps.demo.generator.tree import TreeBuilder
from apps.items.counters.writes import COUNTER_TABLES
from apps.items.models import ItemTransition, ProgressUpdate, WorkItem, today_local
from apps.org.models import Unit

__all__ = [
    "KUNMING_2021",
    "GeneratedDemo",
    "apportion",
    "generate_demo",
    "kunming_plan",
    "status_counts",
    "synthetic_fanout",
    "synthetic_plan",
]


def _analyze() -> None:
    """Refresh the planner's statistics after a bulk load, so it keeps choosing the indexes it should."""
    tables = [WorkItem._meta.db_table, Unit._meta.db_table, User._meta.db_table]
    tables += [ItemTransition._meta.db_table, ProgressUpdate._meta.db_table]
    tables += [table.model._meta.db_table for table in COUNTER_TABLES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # VACUUM also marks the new rows visible to all, which later reads would otherwise do one by one;
            # it cannot run inside a transaction (a test's, or a caller's), where ANALYZE alone is done.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            cursor.execute(f"{command} {', '.join(connection.ops.quote_name(table) for table in tables)}")
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


@contextmanager
def _indexes_built_after_the_load(models: tuple[type, ...]) -> Iterator[None]:
    """On PostgreSQL, into empty tables: drop their secondary indexes for the load and build them after.

    Building an index once over two million rows is several times quicker than keeping fifteen of them
    up to date row by row. It is only done into an empty table (a fresh database), inside the load's
    transaction, so nobody ever sees the table without them; the unique constraints stay throughout.
    """
    if connection.vendor != "postgresql":
        yield
        return
    indexes = []
    with connection.cursor() as cursor:
        for model in models:
            if model.objects.exists():
                continue
            table = model._meta.db_table
            cursor.execute(
                """
                SELECT indexname, indexdef FROM pg_indexes
                 WHERE schemaname = current_schema() AND tablename = %s
                   AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)
                """,
                [table, table],
            )
            indexes += cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


class _ItemIds:
    """Ids for new items, taken before their rows are written, so their transitions can name them."""

    def __init__(self) -> None:
        self.next = None
        if connection.vendor != "postgresql":
            # Elsewhere (SQLite) the load's transaction holds the only write lock: count on from the highest id.
            self.next = (WorkItem.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def take(self, count: int) -> list[int]:
        if self.next is not None:
            ids = list(range(self.next, self.next + count))
            self.next += count
            return ids
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [WorkItem._meta.db_table, count],
            )
            return [row[0] for row in cursor.fetchall()]


def _transitions_in_time_order(fresh: bool) -> None:
    """On PostgreSQL, into a fresh table: lay the transitions out in the order of their time, as a portal that
    recorded them as they happened would hold them (the generator writes each item's story at once).

    A report reads the moves of its period: together on disk, they are a few thousand pages, not every page of
    the table.
    """
    if connection.vendor != "postgresql" or not fresh:
        return
    table = connection.ops.quote_name(ItemTransition._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cursor.execute(f"CREATE INDEX transition_at_for_cluster ON {table} (at)")
        cursor.execute(f"CLUSTER {table} USING transition_at_for_cluster")
        cursor.execute("DROP INDEX transition_at_for_cluster")


def _skip_row_by_row_foreign_key_checks() -> None:
    """On PostgreSQL as a superuser, skip the per-row foreign-key triggers, for this transaction only.

    Every id the generator writes is one it has just created or read in the same transaction, while the
    deferred checks of two million rows, one trigger call per key per row, take minutes at commit.
    Elsewhere (SQLite, or a role that may not do this) the checks run as usual.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
        if row and row[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")


@dataclass
class GeneratedDemo:
    root: Unit
    units: int
    people: int
    items: int
    plan: dict[str, dict[str, int]]


def generate_demo(
    *,
    plan: dict[str, dict[str, int]],
    profile: str = "kunming-2021",
    units: int = 15_000,
    levels: int = 5,
    seed: int = 2021,
    as_of: datetime.date | None = None,
    histories: bool = True,
    log: Callable[[str], None] = lambda line: None,
) -> GeneratedDemo:
    """Build a fresh tree (the Kunming one, or a synthetic one of about `units` units) and its items per `plan`;
    with `histories`, most items with their recorded transitions and progress notes."""
    with transaction.atomic():
        _skip_row_by_row_foreign_key_checks()
        builder = TreeBuilder(seed=seed, as_of=as_of or today_local(), log=log)
        tree = (
            builder.kunming_tree() if profile == "kunming-2021" else builder.synthetic_tree(units=units, levels=levels)
        )
        log(f"{len(tree.units):,} units under {tree.root.name} ({tree.root.code})")
        # Each item's unit first, so each unit gets as many party members as its service lists need.
        owners_of = {}
        for owner_type, counts in plan.items():
            candidates, weights = tree.owners[owner_type]
            owners_of[owner_type] = array(
                "i", builder.rng.choices(range(len(candidates)), weights=weights, k=sum(counts.values()))
            )
        people = builder.add_people(tree, owners_of)
        log(f"{people:,} people")
        rows = ItemRows(builder, tree, histories=histories)
        columns = {field.column for field in WorkItem._meta.concrete_fields}
        if columns != set(ITEM_COLUMNS):
            raise RuntimeError(f"The generator does not know these item columns: {columns ^ set(ITEM_COLUMNS)}")
        ids = _ItemIds()
        fresh_transitions = not ItemTransition.objects.exists()
        transitions = 0

        def flush(batch: list[tuple]) -> None:
            nonlocal transitions
            copy_rows(WorkItem._meta.db_table, ITEM_COLUMNS, batch)
            copy_rows(ItemTransition._meta.db_table, TRANSITION_COLUMNS, rows.transitions)
            copy_rows(ProgressUpdate._meta.db_table, PROGRESS_COLUMNS, rows.progress_notes)
            transitions += len(rows.transitions)
            rows.transitions, rows.progress_notes = [], []

        with _indexes_built_after_the_load((WorkItem, ItemTransition, ProgressUpdate)):
            written = 0
            for owner_type, counts in plan.items():
                candidates, _weights = tree.owners[owner_type]
                statuses = [status for status, count in counts.items() for _ in range(count)]
                builder.rng.shuffle(statuses)
                chosen = owners_of[owner_type]
                for start in range(0, len(statuses), BATCH):
                    batch_statuses = statuses[start : start + BATCH]
                    batch_ids = ids.take(len(batch_statuses))
                    flush(
                        [
                            rows.row(item_id, candidates[index], owner_type, status)
                            for item_id, index, status in zip(
                                batch_ids, chosen[start : start + BATCH], batch_statuses, strict=True
                            )
                        ]
                    )
                    written += len(batch_statuses)
                    if written // 200_000 != (written - len(batch_statuses)) // 200_000:
                        log(f"  {written:,} items, {transitions:,} transitions")
            log(f"{written:,} items and {transitions:,} transitions written; building indexes")
        if histories:
            _transitions_in_time_order(fresh_transitions)
        log("counting them into the dashboard counters")
        rows.deltas.apply(new_units_only=True)
    _analyze()
    return GeneratedDemo(root=tree.root, units=len(tree.units), people=people, items=written, plan=plan)
