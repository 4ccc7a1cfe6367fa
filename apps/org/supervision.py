"""The supervision settings a unit works under: its own, or inherited from the nearest unit above that has them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apps.org.models import Unit
from apps.org.paths import PATH_SEGMENT_WIDTH

DEFAULT_WARNING_DAYS = 5  # working days before the deadline an item lights yellow
DEFAULT_LAG_TOLERANCE = 20  # points of progress an item may lag the share of its time elapsed
DEFAULT_ACKNOWLEDGE_DAYS = 2  # working days an assigned item may wait to be acknowledged (签收)


@dataclass(frozen=True)
class SupervisionSettings:
    warning_days: int = DEFAULT_WARNING_DAYS
    lag_tolerance: int = DEFAULT_LAG_TOLERANCE
    acknowledge_days: int = DEFAULT_ACKNOWLEDGE_DAYS


def _prefixes(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path) + 1, PATH_SEGMENT_WIDTH)]


def settings_for_paths(paths: Iterable[str]) -> dict[str, SupervisionSettings]:
    """The settings in force for the units at `paths`, in one query.

    Few units set anything of their own (a city, a district or two), so all of those are read and each path takes
    its ancestors' among them: one small query however many units are asked about.
    """
    paths = set(paths)
    fields = ("warning_days", "lag_tolerance", "acknowledge_days")
    own: dict[str, tuple[int | None, ...]] = {}
    rows = Unit.objects.exclude(warning_days=None, lag_tolerance=None, acknowledge_days=None)
    for path, *values in rows.values_list("path", *fields):
        own[path] = tuple(values)
    result = {}
    for path in paths:
        values = dict(zip(fields, (DEFAULT_WARNING_DAYS, DEFAULT_LAG_TOLERANCE, DEFAULT_ACKNOWLEDGE_DAYS), strict=True))
        for prefix in _prefixes(path):  # from the root down: the nearest unit's setting wins
            for name, value in zip(fields, own.get(prefix, (None,) * len(fields)), strict=True):
                if value is not None:
                    values[name] = value
        result[path] = SupervisionSettings(**values)
    return result


def settings_for(unit: Unit) -> SupervisionSettings:
    return settings_for_paths([unit.path])[unit.path]
