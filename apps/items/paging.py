"""Pages of the item lists at any scale: the page's ids along the index of the list's order, then its rows.

Django's Paginator counts the whole list and fetches a page's rows with every join, so PostgreSQL joins all
the rows before it sorts them. Here a page is two short queries: the ids of the page alone (a walk along
`item_deadline_id` for the default order, nothing joined), then those rows with their related names. The
total comes from the caller (the rollup counters or a capped count, `ListTotal`); a page in the second half of
an exactly counted list is read from the far end, walking the index backwards.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class ListTotal:
    """How many rows a list holds: exactly, or about (`count`, when counting stopped at `cap` rows)."""

    count: int
    exact: bool = True
    cap: int = 0


@dataclass
class SeekPage:
    """One page of a list; read like Django's Page by the templates (iterable, `number`, the neighbours)."""

    rows: Sequence[Model]
    number: int
    per_page: int
    total: ListTotal
    has_next: bool

    def __iter__(self) -> Iterator[Model]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def object_list(self) -> Sequence[Model]:
        return self.rows

    @property
    def paginator(self) -> SeekPage:
        """Django's Page names its list's total through its paginator; this page knows it itself."""
        return self

    @property
    def count(self) -> int:
        return self.total.count

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total.count / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0


def page_number(value: str | int | None) -> int:
    """The page asked for; anything but a whole number of at least one is the first page (as Django's get_page)."""
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def seek_page(
    queryset: QuerySet,
    *,
    number: str | int | None,
    per_page: int,
    total: ListTotal,
    related: Sequence[str] | None = None,
) -> SeekPage:
    """Page `number` of `queryset` (sorted; ties broken by id), its ids first, then its rows with `related` (by
    default the queryset's select_related)."""
    number = page_number(number)
    ordered = _with_unique_order(queryset)
    if total.exact:
        number = min(number, max(1, math.ceil(total.count / per_page)))  # past the end: the last page
    offset = (number - 1) * per_page
    if total.exact and offset > total.count // 2:
        # The far half of the list: read it from the end, backwards along the same index.
        end = total.count - offset
        ids = list(ordered.reverse().values_list("pk", flat=True)[max(0, end - per_page) : end])[::-1]
        has_next = offset + per_page < total.count
    else:
        ids = list(ordered.values_list("pk", flat=True)[offset : offset + per_page + 1])
        has_next = len(ids) > per_page
        ids = ids[:per_page]
    related = _related_of(queryset) if related is None else list(related)
    return SeekPage(
        rows=_rows_in_order(queryset, ids, related), number=number, per_page=per_page, total=total, has_next=has_next
    )


def _with_unique_order(queryset: QuerySet) -> QuerySet:
    """The queryset in its own order with the id last, so that every row has one place and pages never overlap."""
    order = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not any(str(field).lstrip("-") in ("id", "pk") for field in order):
        # in the direction of the last key, so that one index walk in either direction serves the whole order
        order.append("-id" if order and str(order[-1]).startswith("-") else "id")
    return queryset.order_by(*order)


def _rows_in_order(queryset: QuerySet, ids: list[int], related: list[str]) -> list[Model]:
    if not ids:
        return []
    # Only the page's rows are joined to their related names; the filters need not be evaluated again.
    rows = queryset.model._default_manager.filter(pk__in=ids)
    rows = rows.select_related(*related) if related else rows
    by_id = {row.pk: row for row in rows.order_by()}
    return [by_id[pk] for pk in ids if pk in by_id]


def _related_of(queryset: QuerySet) -> list[str]:
    """The select_related fields of `queryset`, as a list of lookups."""
    related = queryset.query.select_related
    if not isinstance(related, dict):
        return []
    lookups: list[str] = []

    def walk(tree: dict, prefix: str) -> None:
        for name, below in tree.items():
            lookups.append(f"{prefix}{name}")
            if below:
                walk(below, f"{prefix}{name}__")

    walk(related, "")
    return lookups
