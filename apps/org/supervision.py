"""The supervision settings a unit works under: its own, or inherited from the nearest unit above that has them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH

DEFAULT_WARNING_DAYS = 5  # working days before the deadline an item lights yellow
DEFAULT_LAG_TOLERANCE = 20  # points of progress an item may lag the share of its time elapsed


@dataclass(frozen=True)
class SupervisionSettings:
    warning_days: int = DEFAULT_WARNING_DAYS
    lag_tolerance: int = DEFAULT_LAG_TOLERANCE


def _prefixes(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path) + 1, PATH_SEGMENT_WIDTH)]


def settings_for_paths(paths: Iterable[str]) -> dict[str, SupervisionSettings]:
    """The settings in force for the units at `paths`, in one query.

    Few units set anything of their own (a city, a district or two), so all of those are read and each path takes
    its ancestors' among them: one small query however many units are asked about.
    """
    paths = set(paths)
    own: dict[str, tuple[int | None, int | None]] = {}
    rows = Unit.objects.exclude(warning_days=None, lag_tolerance=None)
    for path, days, tolerance in rows.values_list("path", "warning_days", "lag_tolerance"):
        own[path] = (days, tolerance)
    result = {}
    for path in paths:
        days, tolerance = DEFAULT_WARNING_DAYS, DEFAULT_LAG_TOLERANCE
        for prefix in _prefixes(path):  # from the root down: the nearest unit's setting wins
            set_days, set_tolerance = own.get(prefix, (None, None))
            days = days if set_days is None else set_days
            tolerance = tolerance if set_tolerance is None else set_tolerance
        result[path] = SupervisionSettings(days, tolerance)
    return result


def settings_for(unit: Unit) -> SupervisionSettings:
    return settings_for_paths([unit.path])[unit.path]
