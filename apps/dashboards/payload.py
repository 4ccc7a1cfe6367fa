# Performance-critical: guarded by bench/dashboard.py; run `make bench` after changing it.
"""A dashboard as JSON-ready data: what the page's charts read, and what the API can serve as it is."""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import quote_plus, urlencode

import orjson
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.translation import get_language

from apps.accounts.models import User
from apps.core.generations import ITEMS, NOTICES, REQUESTS, UNITS, cached_with_generations
from apps.core.rates import format_rate
from apps.dashboards.item_lists import ListedItem
from apps.dashboards.notice_figures import NOTICE_FIGURE_FIELDS, NoticeFigures
from apps.dashboards.request_figures import REQUEST_FIGURE_FIELDS, RequestFigures
from apps.dashboards.selectors import CHILD_SORTS, Dashboard, Figures, breadcrumbs_for, dashboard_build
from apps.items.models import ItemKind, OwnerType, Status, today_local
from apps.org.models import Unit

_PLAIN = re.compile(r"[A-Za-z0-9_.-]*")


@functools.lru_cache(maxsize=4096)
def _escaped(value: str) -> str:
    return value if _PLAIN.fullmatch(value) else quote_plus(value)


def _query_value(value: Any) -> str:
    """A value for a query string: ids as they are; dates and choice values (plain already) escaped if need be."""
    return str(value) if type(value) is int else _escaped(str(value))


def dashboard_data_url(unit: Unit, **params: str) -> str:
    return f"{reverse('dashboards:data')}?{urlencode({'unit': unit.pk, **params})}"


class _Links:
    """Addresses of the dashboard, the item list and item pages, reversed once: a dashboard has a hundred links."""

    def __init__(self) -> None:
        self.items_base = reverse("items:list")
        self.dashboard_base = reverse("dashboards:dashboard")
        self.item_base = reverse("items:detail", args=[0]).replace("/0/", "/{}/")
        self.notices_base = reverse("supervision:notices")

    def items(self, **filters: Any) -> str:
        """The item list filtered the same way as a figure (the page's `items_link` tag writes the same)."""
        return f"{self.items_base}?{'&'.join(f'{name}={_query_value(value)}' for name, value in filters.items())}"

    def notices(self, **filters: Any) -> str:
        """The notice list filtered the same way as a notice figure (the dashboard page writes the same)."""
        return f"{self.notices_base}?{'&'.join(f'{name}={_query_value(value)}' for name, value in filters.items())}"

    def dashboard(self, unit: Unit) -> str:
        return f"{self.dashboard_base}?unit={unit.pk}"

    def item(self, item: ListedItem) -> str:
        return self.item_base.format(item.pk)


def _figures(figures: Figures, *, links: _Links, overdue: bool = True, **filters: Any) -> dict[str, Any]:
    """Counts, the rate as a number and as leaders read it, and the item list behind each count."""
    rate = figures.rate
    data: dict[str, Any] = {
        "planned": figures.planned,
        "completed": figures.completed,
        "rate": None if rate is None else float(rate),
        "rate_text": format_rate(rate),
        "links": {
            "planned": links.items(**filters, stage="counted"),
            "completed": links.items(**filters, stage="done"),
        },
    }
    if overdue:
        data["overdue"] = figures.overdue
        data["links"]["overdue"] = links.items(**filters, overdue="true")
        # The lights of the items being delivered, and the timeliness figures (按期办结率, 签收及时率, 未签收).
        for light in ("red", "yellow", "green"):
            data[light] = getattr(figures, light)
            data["links"][light] = links.items(**filters, light=light)
        for name in ("on_time_rate", "acknowledgement_rate"):
            value = getattr(figures, name)
            data[name] = None if value is None else float(value)
            data[f"{name}_text"] = format_rate(value)
        data["late_completions"] = figures.late_completions
        data["links"]["late_completions"] = links.items(**filters, on_time="false")
        data["waiting"] = figures.waiting
        data["links"]["waiting"] = links.items(**filters, acknowledgement="waiting")
        data["waiting_late"] = figures.waiting_late
        data["links"]["waiting_late"] = links.items(**filters, acknowledgement="waiting_late")
    return data


# The notice list's filter behind each notice figure (besides the unit's).
NOTICE_FILTERS: dict[str, dict[str, str]] = {
    "issued": {},
    "answered": {"answered": "true"},
    "overdue": {"overdue": "true"},
    "red": {"colour": "red"},
    "open": {"open": "true"},
}


def notice_figures_data(figures: NoticeFigures, *, links: _Links | None, unit: Unit | None = None) -> dict[str, Any]:
    """The notice counts and, for a unit's subtree, the notice list behind each (none for a unit's own items)."""
    data: dict[str, Any] = {name: getattr(figures, name) for name in NOTICE_FIGURE_FIELDS}
    if links is not None and unit is not None:
        data["links"] = {name: links.notices(unit=unit.pk, **NOTICE_FILTERS[name]) for name in NOTICE_FIGURE_FIELDS}
    return data


def request_figures_data(figures: RequestFigures) -> dict[str, Any]:
    """The citizens' requests' counts, 满意率 and 解决率 as numbers and as leaders read them."""
    data: dict[str, Any] = {name: getattr(figures, name) for name in REQUEST_FIGURE_FIELDS}
    for name in ("satisfaction_rate", "resolution_rate"):
        value = getattr(figures, name)
        data[name] = None if value is None else float(value)
        data[f"{name}_text"] = format_rate(value)
    return data


def _unit(unit: Unit, links: _Links) -> dict[str, Any]:
    return {"id": unit.pk, "name": unit.name, "level": unit.level, "url": links.dashboard(unit)}


def _item(item: ListedItem, links: _Links, status_labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": item.pk,
        "number": item.number,
        "title": item.title,
        "unit": item.unit,
        "status": item.status,
        "status_label": status_labels[item.status],
        "deadline": item.deadline.isoformat(),
        "days_overdue": item.days_overdue,
        "progress": item.progress_percent,
        "url": links.item(item),
    }


def dashboard_payload(dashboard: Dashboard) -> dict[str, Any]:
    """Every figure of the dashboard page, each with the link to the items it counts."""
    unit, today, links = dashboard.unit, dashboard.today, _Links()
    status_labels = {status.value: str(status.label) for status in Status}  # translated once, not per row
    children, own = [], None
    for row in dashboard.child_rows:
        if row.unit is None:
            # The unit's own items alone have no list filter of their own (the unit filter takes the
            # subtree), so these figures come without links, as on the page.
            own = _figures(row.figures, links=links)
            del own["links"]
            own["notices"] = notice_figures_data(row.notices, links=None)
            own["requests"] = request_figures_data(row.requests)
            continue
        children.append(
            {
                "unit": _unit(row.unit, links),
                "has_children": row.has_children,
                **_figures(row.figures, links=links, unit=row.unit.pk),
                "notices": notice_figures_data(row.notices, links=links, unit=row.unit),
                "requests": request_figures_data(row.requests),
            }
        )
    return {
        "unit": _unit(unit, links),
        "today": today.isoformat(),
        "sort": dashboard.sort,
        "breadcrumbs": [_unit(ancestor, links) for ancestor in dashboard.breadcrumbs],
        "owner_types": [
            {
                "owner_type": row.owner_type.value,
                "label": str(OwnerType(row.owner_type).label),
                "kind": str(row.kind),
                "kind_label": str(ItemKind(row.kind).label),
                **_figures(row.figures, links=links, unit=unit.pk, owner_type=row.owner_type.value),
            }
            for row in dashboard.owner_type_rows
        ],
        "total": _figures(dashboard.total, links=links, unit=unit.pk),
        "notices": notice_figures_data(dashboard.notices, links=links, unit=unit),
        "requests": request_figures_data(dashboard.requests),
        "own": own,
        "children": children,
        "statuses": [
            {
                "status": row.status.value,
                "label": status_labels[row.status],
                "count": row.count,
                "link": links.items(unit=unit.pk, status=row.status.value),
            }
            for row in dashboard.status_rows
        ],
        "categories": [
            {
                "category": row.category.code,
                "label": str(row.category),
                **_figures(row.figures, links=links, overdue=False, unit=unit.pk, category=row.category.pk),
            }
            for row in dashboard.category_rows
        ],
        "trend": [
            {
                "week": point.week.isoformat(),
                "week_end": point.week_end.isoformat(),
                "completed": point.completed,
                "link": links.items(
                    unit=unit.pk,
                    stage="done",
                    completed_on_after=point.week.isoformat(),
                    completed_on_before=point.week_end.isoformat(),
                ),
            }
            for point in dashboard.trend
        ],
        "overdue_items": [_item(item, links, status_labels) for item in dashboard.overdue_items],
        "key_items": [
            {
                **_item(item, links, status_labels),
                "key_level": item.key_level,
                "key_level_label": item.get_key_level_display(),
                "lead_leader": item.lead_leader,
            }
            for item in dashboard.key_items
        ],
    }


def _cached_payload(*, user: User, unit: Unit, sort: str, encoded: bool) -> tuple[Any, list[Unit]]:
    """The dashboard's payload without its breadcrumbs (as a dict, or `encoded` as the two JSON objects around
    them) and the units above, cached DASHBOARD_CACHE_SECONDS with the generations of what it is read from (the
    items and their counters, notices, requests, units: apps/core/generations.py), under the day and the language,
    so any change shows at once."""
    sort = sort if sort in CHILD_SORTS else "unit"

    def read() -> tuple[Any, list[dict[str, Any]]]:
        dashboard = dashboard_build(user=user, unit=unit, sort=sort)
        payload = dashboard_payload(dashboard)
        del payload["breadcrumbs"]
        ancestors = [
            {"id": other.pk, "name": other.name, "level": other.level, "path": other.path}
            for other in dashboard.ancestors
        ]
        return (_encoded_around_breadcrumbs(payload) if encoded else payload), ancestors

    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds:
        form = "json" if encoded else "dict"
        key = f"dashboard:{form}:{unit.pk}:{sort}:{get_language()}:{today_local().isoformat()}"
        payload, ancestors = cached_with_generations(key, (ITEMS, NOTICES, REQUESTS, UNITS), read, seconds)
    else:
        payload, ancestors = read()
    above = [Unit(pk=other["id"], name=other["name"], level=other["level"], path=other["path"]) for other in ancestors]
    return payload, above


# The keys before the breadcrumbs in dashboard_payload's order; the JSON keeps that order.
_BEFORE_BREADCRUMBS = ("unit", "today", "sort")
_json_default = DjangoJSONEncoder().default


def _json(value: Any) -> bytes:
    return orjson.dumps(value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def _encoded_around_breadcrumbs(payload: dict[str, Any]) -> tuple[bytes, bytes]:
    before = {name: payload[name] for name in _BEFORE_BREADCRUMBS}
    after = {name: value for name, value in payload.items() if name not in before}
    return _json(before), _json(after)


def _breadcrumbs(user: User, unit: Unit, above: list[Unit]) -> list[dict[str, Any]]:
    """Drawn per request: the units above that this reader may see, then the unit."""
    links = _Links()
    return [_unit(other, links) for other in breadcrumbs_for(user, unit, above)]


def dashboard_payload_for(*, user: User, unit: Unit, sort: str) -> dict[str, Any]:
    """The dashboard's payload for the user (the API serves it), cached (see _cached_payload); only the breadcrumbs
    depend on who asks."""
    payload, above = _cached_payload(user=user, unit=unit, sort=sort, encoded=False)
    crumbs = _breadcrumbs(user, unit, above)
    return {**{name: payload[name] for name in _BEFORE_BREADCRUMBS}, "breadcrumbs": crumbs, **payload}


def dashboard_json_for(*, user: User, unit: Unit, sort: str) -> bytes:
    """The same payload as JSON (the page's charts read it), kept encoded in the cache: a cached read encodes
    only the reader's breadcrumbs."""
    (before, after), above = _cached_payload(user=user, unit=unit, sort=sort, encoded=True)
    crumbs = _json(_breadcrumbs(user, unit, above))
    return b"".join((before[:-1], b',"breadcrumbs":', crumbs, b",", after[1:]))
