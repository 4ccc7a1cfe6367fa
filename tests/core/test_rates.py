"""The completion rate exactly as leaders quote it (DOMAIN.md, the Kunming table)."""

from decimal import Decimal

import pytest

from apps.core.rates import NO_RATE, completion_rate, format_rate


@pytest.mark.parametrize(
    ("completed", "planned", "expected"),
    [
        (432, 1248, Decimal("34.6")),
        (902, 2410, Decimal("37.4")),
        (12471, 21776, Decimal("57.3")),
        (168288, 291528, Decimal("57.7")),
        (1, 8, Decimal("12.5")),
        (1, 16, Decimal("6.3")),  # 6.25 exactly: half-up, not banker's rounding (which gives 6.2)
        (3, 16, Decimal("18.8")),  # 18.75
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (0, 5, Decimal("0.0")),
        (7, 7, Decimal("100.0")),
    ],
)
def test_completion_rate_rounds_half_up_to_one_decimal(completed, planned, expected):
    rate = completion_rate(completed=completed, planned=planned)

    assert rate == expected
    assert rate.as_tuple().exponent == -1


def test_completion_rate_nothing_planned_is_none():
    assert completion_rate(completed=0, planned=0) is None


def test_format_rate_shows_percent_or_dash():
    assert format_rate(Decimal("34.6")) == "34.6%"
    assert format_rate(completion_rate(completed=0, planned=0)) == "—"
    assert format_rate(None) == NO_RATE == "—"
