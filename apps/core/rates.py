"""The completion rate exactly as leaders quote it."""

from decimal import ROUND_HALF_UP, Decimal

NO_RATE = "—"


def completion_rate(*, completed: int, planned: int) -> Decimal | None:
    """Completed ÷ planned as a percentage rounded half-up to one decimal; None when nothing is planned."""
    if planned <= 0:
        return None
    return (Decimal(completed) * 100 / Decimal(planned)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def format_rate(rate: Decimal | None) -> str:
    """A rate as "34.6%", or "—" where there is none."""
    return NO_RATE if rate is None else f"{rate}%"
