"""What the public pages read: published items only, with the public fields only, cached a few minutes.

The public sees a published item that is planned (approved into the plan and not cancelled): drafts, items
awaiting approval and cancelled items do not exist for it. The rows handed to the templates are plain
dataclasses holding the public fields only, so no template can reach a person's phone or email, an internal
reason or a note that was not marked public.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404, QueryDict
from django.utils.translation import get_language

from apps.core.rates import completion_rate
from apps.items.models import Evidence, ItemKind, Light, ProgressUpdate, Status, WorkItem, completed_q, planned_q
from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH, subtree_q
from apps.public.filtersets import PublicItemFilterSet

# How long the public pages keep what they read (seconds); docs/public.md says what this means for readers.
PUBLIC_CACHE_SECONDS = getattr(settings, "PUBLIC_CACHE_SECONDS", 300)
PUBLIC_PAGE_SIZE = 20
DIRECTORY_SEARCH_LIMIT = 50


def public_items() -> QuerySet[WorkItem]:
    """Items the public may see: published and planned (a cancelled, draft or waiting item never shows)."""
    return WorkItem.objects.filter(planned_q(), is_published=True)


def _key(*parts: object) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"public:{parts[0]}:{digest}"


@dataclass(frozen=True)
class PublicNote:
    """A progress note marked public, with its public photos as (evidence id, file name)."""

    at: datetime.datetime
    percent: int
    note: str
    photos: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class PublicItem:
    """The public fields of an item; the labels are translated when a page shows them."""

    pk: int
    number: str
    kind: str
    title: str
    content: str
    beneficiaries: str
    category_name: str
    category_name_en: str
    unit_name: str
    responsible_unit_name: str
    responsible_person_name: str  # the name only: never a phone number or an email address
    deadline: datetime.date
    status: str
    light: str
    progress_percent: int
    is_key: bool
    notes: tuple[PublicNote, ...] = ()

    @property
    def kind_label(self) -> str:
        return str(ItemKind(self.kind).label)

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def light_label(self) -> str:
        return str(Light(self.light).label) if self.light else ""

    @property
    def category_label(self) -> str:
        if self.category_name_en and not get_language().startswith("zh"):
            return self.category_name_en
        return self.category_name

    @property
    def latest_note(self) -> PublicNote | None:
        return self.notes[0] if self.notes else None


def _public_notes(item_ids: Iterable[int]) -> dict[int, list[PublicNote]]:
    """The public notes of the items, newest first, each with its photos (the only public evidence)."""
    updates = (
        ProgressUpdate.objects.filter(item_id__in=list(item_ids), is_public=True)
        .order_by("-at", "-id")
        .only("id", "item_id", "at", "percent", "note")
    )
    updates = list(updates)
    photos: dict[int, list[tuple[int, str]]] = {}
    for evidence in (
        public_evidence().filter(update__in=updates).order_by("id").only("id", "update_id", "original_name")
    ):
        photos.setdefault(evidence.update_id, []).append((evidence.pk, evidence.original_name))
    notes: dict[int, list[PublicNote]] = {}
    for update in updates:
        notes.setdefault(update.item_id, []).append(
            PublicNote(at=update.at, percent=update.percent, note=update.note, photos=tuple(photos.get(update.pk, ())))
        )
    return notes


def _rows(items: Iterable[WorkItem]) -> list[PublicItem]:
    items = list(items)
    notes = _public_notes(item.pk for item in items)
    return [
        PublicItem(
            pk=item.pk,
            number=item.number,
            kind=item.kind,
            title=item.title,
            content=item.content,
            beneficiaries=item.beneficiaries,
            category_name=item.category.name,
            category_name_en=item.category.name_en,
            unit_name=item.unit.name,
            responsible_unit_name=item.responsible_unit.name,
            responsible_person_name=str(item.responsible_person) if item.responsible_person else "",
            deadline=item.deadline,
            status=item.status,
            light=item.light,
            progress_percent=item.progress_percent,
            is_key=item.is_key,
            notes=tuple(notes.get(item.pk, ())),
        )
        for item in items
    ]


def _with_related(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    return queryset.select_related("unit", "responsible_unit", "responsible_person", "category")


def public_evidence() -> QuerySet[Evidence]:
    """Evidence the public may see: the photos of a public note of a public item. Other files stay internal."""
    return Evidence.objects.filter(
        update__is_public=True, update__item__in=public_items(), content_type__startswith="image/"
    )


# The unit tree -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicUnit:
    pk: int
    name: str
    depth: int
    published: int  # published items owned by the unit and the units below it


def _published_counts(units: list[Unit]) -> dict[int, int]:
    """Published items of each unit's subtree, one grouped query per depth among the units."""
    counts: dict[int, int] = {}
    for depth in sorted({unit.depth for unit in units}):
        at_depth = {unit.path: unit.pk for unit in units if unit.depth == depth}
        width = (depth + 1) * PATH_SEGMENT_WIDTH
        rows = (
            public_items()
            .annotate(prefix=Substr("unit__path", 1, width))
            .filter(prefix__in=list(at_depth))
            .values("prefix")
            .annotate(published=Count("id"))
            .order_by()
        )
        for row in rows:
            counts[at_depth[row["prefix"]]] = row["published"]
    return counts


def _public_units(units: Iterable[Unit]) -> list[PublicUnit]:
    units = list(units)
    counts = _published_counts(units)
    return [
        PublicUnit(pk=unit.pk, name=unit.name, depth=unit.depth, published=counts.get(unit.pk, 0)) for unit in units
    ]


def public_directory(*, text: str = "") -> tuple[list[PublicUnit], bool]:
    """The top two levels of the unit tree, or the units whose name holds `text`; and whether more matched."""
    text = text.strip()[:50]
    key = _key("directory", text)
    cached = cache.get(key)
    if cached is not None:
        return cached
    fields = ("pk", "name", "path", "depth")
    if text:
        matches = list(
            Unit.objects.filter(name__icontains=text)
            .order_by("depth", "path")
            .only(*fields)[: DIRECTORY_SEARCH_LIMIT + 1]
        )
        more = len(matches) > DIRECTORY_SEARCH_LIMIT
        result = (_public_units(matches[:DIRECTORY_SEARCH_LIMIT]), more)
    else:
        top = Unit.objects.order_by("depth").values_list("depth", flat=True).first() or 0
        result = (_public_units(Unit.objects.filter(depth__lte=top + 1).order_by("path").only(*fields)), False)
    cache.set(key, result, PUBLIC_CACHE_SECONDS)
    return result


# A unit's page -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindFigures:
    kind: str
    planned: int
    completed: int

    @property
    def kind_label(self) -> str:
        return str(ItemKind(self.kind).label)

    @property
    def rate(self) -> Decimal | None:
        return completion_rate(completed=self.completed, planned=self.planned)


def public_figures(unit: Unit) -> list[KindFigures]:
    """Planned, completed and the completion rate by list kind, over the published items of the unit's subtree.

    Counted by the one rule of what counts (planned_q, completed_q), as the dashboard counts, over published
    items only.
    """
    key = _key("figures", unit.pk)
    cached = cache.get(key)
    if cached is not None:
        return cached
    rows = (
        public_items()
        .filter(subtree_q(unit.path, "unit__path"))
        .values("kind")
        .annotate(planned=Count("id", filter=planned_q()), completed=Count("id", filter=completed_q()))
        .order_by()
    )
    by_kind = {row["kind"]: row for row in rows}
    figures = [
        KindFigures(
            kind=kind,
            planned=by_kind.get(kind, {}).get("planned", 0),
            completed=by_kind.get(kind, {}).get("completed", 0),
        )
        for kind in ItemKind.values
    ]
    cache.set(key, figures, PUBLIC_CACHE_SECONDS)
    return figures


@dataclass(frozen=True)
class PublicPage:
    """One page of a unit's published items."""

    rows: list[PublicItem]
    number: int
    num_pages: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages


@dataclass
class PublicUnitPage:
    unit: Unit
    ancestors: list[Unit]
    children: list[PublicUnit]
    filterset: PublicItemFilterSet
    page: PublicPage | None  # None when a filter does not hold
    figures: list[KindFigures] = field(default_factory=list)


def public_unit_get(pk: int) -> Unit:
    try:
        return Unit.objects.get(pk=pk)
    except Unit.DoesNotExist as error:
        raise Http404 from error


def public_unit_page(*, unit: Unit, query: QueryDict) -> PublicUnitPage:
    """A unit's page: its published items (filtered, searched, paged), its subunits and its figures."""
    data = query.copy()
    page_number = data.pop("page", ["1"])[-1]
    filterset = PublicItemFilterSet(
        data=data or None,
        queryset=public_items().filter(subtree_q(unit.path, "unit__path")).order_by("deadline", "id"),
        unit=unit,
    )
    page = None
    if not (filterset.is_bound and not filterset.is_valid()):
        page = _cached_page(unit=unit, filterset=filterset, data=data, page_number=page_number)
    children_key = _key("children", unit.pk)
    children = cache.get(children_key)
    if children is None:
        children = _public_units(unit.children.order_by("path").only("pk", "name", "path", "depth"))
        cache.set(children_key, children, PUBLIC_CACHE_SECONDS)
    return PublicUnitPage(
        unit=unit,
        ancestors=list(unit.ancestors()),
        children=children,
        filterset=filterset,
        page=page,
        figures=public_figures(unit),
    )


def _cached_page(*, unit: Unit, filterset: PublicItemFilterSet, data: QueryDict, page_number: str) -> PublicPage:
    query = sorted((name, tuple(values)) for name, values in data.lists() if any(values))
    key = _key("unit", unit.pk, tuple(query), page_number)
    cached = cache.get(key)
    if cached is not None:
        return cached
    paginator = Paginator(_with_related(filterset.qs), PUBLIC_PAGE_SIZE)
    page_obj = paginator.get_page(page_number)
    page = PublicPage(
        rows=_rows(page_obj.object_list),
        number=page_obj.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
    )
    cache.set(key, page, PUBLIC_CACHE_SECONDS)
    return page


# One item --------------------------------------------------------------------------------------------------------


def public_item_get(pk: int) -> PublicItem:
    """A published item with its public notes, or 404.

    Which version to show is read on every request (one row by its key): every item write, a progress note
    included, moves `updated_at`, so an item cancelled or changed is never shown as it was; what the page shows
    of that version is cached.
    """
    version = public_items().filter(pk=pk).values_list("updated_at", flat=True).first()
    if version is None:
        raise Http404
    key = _key("item", pk, version.isoformat())
    cached = cache.get(key)
    if cached is not None:
        return cached
    row = _rows(_with_related(public_items().filter(pk=pk)))[0]
    cache.set(key, row, PUBLIC_CACHE_SECONDS)
    return row
