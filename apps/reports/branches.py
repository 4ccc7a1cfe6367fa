"""A report's per-unit tables: counts gathered per child branch (a unit path cut to the length of a child's), shown
for each child unit, for the unit's own items when it has any, and in total."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from apps.org.models import Unit


def branch_section(
    unit: Unit,
    children: list[Unit],
    by_branch: Mapping[str, Counter[str]],
    figures: Callable[[Counter[str]], dict[str, Any]],
) -> dict[str, Any]:
    """{"total", "own", "children"}: `figures` of the counts of the whole subtree, of the unit's own, of each child."""
    total: Counter[str] = Counter()
    for counts in by_branch.values():
        total.update(counts)
    own = by_branch.get(unit.path)
    return {
        "total": figures(total),
        "own": figures(own) if own else None,
        "children": [
            {"unit_id": child.pk, "name": child.name, **figures(by_branch.get(child.path, Counter()))}
            for child in children
        ],
    }
