"""Periods as the offices count them, on month ends, February, leap years and year ends."""

import datetime

import pytest

from apps.reports.periods import ReportKind, is_production_day, period_containing, period_due_on, previous_period

D = datetime.date


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (ReportKind.WEEKLY, D(2021, 6, 9), D(2021, 6, 7), D(2021, 6, 13)),
        (ReportKind.WEEKLY, D(2021, 6, 7), D(2021, 6, 7), D(2021, 6, 13)),
        (ReportKind.WEEKLY, D(2021, 6, 13), D(2021, 6, 7), D(2021, 6, 13)),
        (ReportKind.WEEKLY, D(2021, 1, 1), D(2020, 12, 28), D(2021, 1, 3)),  # a week across the year end
        (ReportKind.HALF_MONTHLY, D(2021, 6, 15), D(2021, 6, 1), D(2021, 6, 15)),
        (ReportKind.HALF_MONTHLY, D(2021, 6, 16), D(2021, 6, 16), D(2021, 6, 30)),
        (ReportKind.HALF_MONTHLY, D(2021, 2, 20), D(2021, 2, 16), D(2021, 2, 28)),
        (ReportKind.HALF_MONTHLY, D(2024, 2, 29), D(2024, 2, 16), D(2024, 2, 29)),  # leap year
        (ReportKind.HALF_MONTHLY, D(2021, 12, 31), D(2021, 12, 16), D(2021, 12, 31)),
        (ReportKind.MONTHLY, D(2021, 2, 1), D(2021, 2, 1), D(2021, 2, 28)),
        (ReportKind.MONTHLY, D(2024, 2, 10), D(2024, 2, 1), D(2024, 2, 29)),
        (ReportKind.MONTHLY, D(2100, 2, 10), D(2100, 2, 1), D(2100, 2, 28)),  # not a leap year
        (ReportKind.MONTHLY, D(2021, 4, 30), D(2021, 4, 1), D(2021, 4, 30)),
    ],
)
def test_period_containing_edges(kind, day, start, end):
    period = period_containing(kind, day)

    assert (period.start, period.end) == (start, end)
    assert day in period


@pytest.mark.parametrize(
    ("kind", "today", "start", "end"),
    [
        (ReportKind.WEEKLY, D(2021, 6, 14), D(2021, 6, 7), D(2021, 6, 13)),  # produced on Monday for the week before
        (ReportKind.WEEKLY, D(2021, 1, 4), D(2020, 12, 28), D(2021, 1, 3)),
        (ReportKind.HALF_MONTHLY, D(2021, 6, 16), D(2021, 6, 1), D(2021, 6, 15)),  # produced on the 16th
        (ReportKind.HALF_MONTHLY, D(2021, 3, 1), D(2021, 2, 16), D(2021, 2, 28)),  # produced on the 1st
        (ReportKind.HALF_MONTHLY, D(2024, 3, 1), D(2024, 2, 16), D(2024, 2, 29)),
        (ReportKind.HALF_MONTHLY, D(2022, 1, 1), D(2021, 12, 16), D(2021, 12, 31)),
        (ReportKind.MONTHLY, D(2021, 3, 1), D(2021, 2, 1), D(2021, 2, 28)),
        (ReportKind.MONTHLY, D(2022, 1, 1), D(2021, 12, 1), D(2021, 12, 31)),
        (ReportKind.MONTHLY, D(2021, 5, 1), D(2021, 4, 1), D(2021, 4, 30)),
    ],
)
def test_period_due_on_production_day(kind, today, start, end):
    assert is_production_day(kind, today)
    period = period_due_on(kind, today)
    assert (period.start, period.end) == (start, end)
    assert previous_period(period_containing(kind, today)) == period


@pytest.mark.parametrize(
    ("kind", "day"),
    [
        (ReportKind.WEEKLY, D(2021, 6, 15)),
        (ReportKind.HALF_MONTHLY, D(2021, 6, 2)),
        (ReportKind.HALF_MONTHLY, D(2021, 6, 17)),
        (ReportKind.MONTHLY, D(2021, 6, 16)),
    ],
)
def test_period_not_a_production_day(kind, day):
    assert not is_production_day(kind, day)


@pytest.mark.parametrize("kind", list(ReportKind))
def test_period_previous_periods_tile_two_years_without_gaps(kind):
    period = period_containing(kind, D(2025, 1, 1))
    while period.start > D(2023, 1, 1):
        before = previous_period(period)
        assert before.end + datetime.timedelta(days=1) == period.start
        assert before.days >= 7
        period = before
