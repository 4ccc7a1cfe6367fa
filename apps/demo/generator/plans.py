"""How many items of each owner type end in each status: the Kunming 2021 profile and synthetic sizes."""

from __future__ import annotations

import math
from collections.abc import Sequence

from apps.items.models import OwnerType, Status

# DOMAIN.md: planned and completed items of Kunming, 2021, by owner type.
KUNMING_2021 = {
    OwnerType.LEADERSHIP_TEAM: (1_248, 432),
    OwnerType.TEAM_MEMBER: (2_410, 902),
    OwnerType.GRASSROOTS_ORGANISATION: (21_776, 12_471),
    OwnerType.PARTY_MEMBER: (291_528, 168_288),
}
# How the planned items not yet done stand.
OPEN_SPLIT = {
    Status.IN_PROGRESS: 62,
    Status.APPROVED: 13,
    Status.RETURNED: 6,
    Status.SUSPENDED: 12,
}
CLOSED_SHARE = 0.7  # of the items done, the share a supervisor has already closed (销号)
# Items outside "planned" (DOMAIN.md, "What counts"), as shares of the planned ones: cancelled, and drafts
# and items awaiting approval that are not commitments yet.
UNPLANNED_SHARES = {Status.CANCELLED: 0.015, Status.DRAFT: 0.008, Status.SUBMITTED: 0.01}
OVERDUE_SHARE = 0.1  # of the open items, the share past their deadline
ITEMS_PER_PARTY_MEMBER = 6
BATCH = 20_000

SYNTHETIC_FANOUT = (16, 10, 10, 8)


def apportion(total: int, weights: dict, *, order: Sequence | None = None) -> dict:
    """Split `total` in proportion to `weights` into whole numbers that add up to `total` (largest remainder)."""
    keys = list(order or weights)
    weight_sum = sum(weights[key] for key in keys)
    exact = {key: total * weights[key] / weight_sum for key in keys}
    shares = {key: math.floor(exact[key]) for key in keys}
    for key in sorted(keys, key=lambda key: (shares[key] - exact[key], keys.index(key)))[
        : total - sum(shares.values())
    ]:
        shares[key] += 1
    return shares


def status_counts(planned: int, completed: int) -> dict[str, int]:
    """How many items end in each status so that exactly `planned` count and `completed` are done."""
    counts = {Status.CLOSED: round(completed * CLOSED_SHARE)}
    counts[Status.COMPLETED] = completed - counts[Status.CLOSED]
    counts.update(apportion(planned - completed, OPEN_SPLIT))
    for status, share in UNPLANNED_SHARES.items():
        counts[status] = round(planned * share)
    return counts


def kunming_plan(scale: float = 1.0) -> dict[str, dict[str, int]]:
    """Items per owner type and status of the Kunming profile; at scale 1 exactly the four figures of DOMAIN.md."""
    return {
        owner_type: status_counts(round(planned * scale), round(completed * scale))
        for owner_type, (planned, completed) in KUNMING_2021.items()
    }


def synthetic_plan(items: int) -> dict[str, dict[str, int]]:
    """`items` items (unplanned ones included) over the owner types at Kunming's proportions and completion rates."""
    per_owner_type = apportion(items, {owner_type: planned for owner_type, (planned, _done) in KUNMING_2021.items()})
    plan = {}
    for owner_type, count in per_owner_type.items():
        planned = round(count / (1 + sum(UNPLANNED_SHARES.values())))
        planned_kunming, completed_kunming = KUNMING_2021[owner_type]
        counts = status_counts(planned, round(planned * completed_kunming / planned_kunming))
        # The unplanned share exactly, so the total is exactly `items`.
        counts.update(apportion(count - planned, UNPLANNED_SHARES))
        plan[owner_type] = counts
    return plan


def synthetic_fanout(units: int, levels: int = 5) -> list[int]:
    """Children per parent at each level below the root, so the tree has about `units` units."""
    base = list(SYNTHETIC_FANOUT[: levels - 1]) + [8] * max(0, levels - 1 - len(SYNTHETIC_FANOUT))

    def size(fanout: list[int]) -> int:
        total = width = 1
        for children in fanout:
            width *= children
            total += width
        return total

    candidates = ([max(1, round(children * step / 100)) for children in base] for step in range(5, 400))
    return min(candidates, key=lambda fanout: abs(size(fanout) - units))
