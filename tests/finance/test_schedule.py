"""Straight-line schedules: exact totals, the policy's own example, fiscal years and year one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.finance.schedule import (
    add_months,
    fiscal_year_end,
    fiscal_year_label,
    parse_month,
    start_month,
    straight_line,
)


def test_policy_example_280k_server_over_five_years() -> None:
    # knowledge/capitalization-policy.md §4.1: USD 4,666.67 a month from March for 60 months.
    schedule = straight_line(Decimal(280_000), "USD", 60, date(2026, 3, 1))
    assert schedule.monthly == Decimal("4666.67")
    assert len(schedule.periods) == 60
    assert schedule.start == date(2026, 3, 1)
    assert schedule.end == date(2031, 2, 1)
    assert sum(p.charge for p in schedule.periods) == Decimal("280000.00")
    assert schedule.periods[-1].charge == Decimal("280000.00") - Decimal("4666.67") * 59
    assert schedule.periods[-1].book_value == 0
    assert schedule.periods[11].accumulated == Decimal("56000.04")


@pytest.mark.parametrize(
    ("cost", "months"), [("0.50", 100), ("1", 1200), ("99999.99", 7), ("10", 3), ("5000", 36)]
)
def test_every_schedule_writes_off_exactly_the_cost_without_negative_months(
    cost: str, months: int
) -> None:
    schedule = straight_line(Decimal(cost), "EUR", months, date(2026, 1, 1))
    charges = [p.charge for p in schedule.periods]
    assert sum(charges) == Decimal(cost)
    assert all(charge >= 0 for charge in charges)
    assert schedule.periods[-1].book_value == 0


def test_year_one_is_the_fiscal_year_depreciation_starts_in() -> None:
    schedule = straight_line(Decimal(36_000), "USD", 36, date(2026, 10, 1))
    assert schedule.year_one_charge(fiscal_start=1) == Decimal(3_000)  # Oct, Nov, Dec
    assert schedule.year_one_charge(fiscal_start=7) == Decimal(9_000)  # Oct to June
    years = schedule.fiscal_years(fiscal_start=1)
    assert [(y.label, y.months) for y in years] == [
        ("FY2026", 3),
        ("FY2027", 12),
        ("FY2028", 12),
        ("FY2029", 9),
    ]
    assert years[0].book_value == Decimal(33_000)
    assert years[-1].book_value == 0


def test_fiscal_years_are_named_by_the_year_they_end_in() -> None:
    assert fiscal_year_end(date(2026, 8, 1), 7) == date(2027, 6, 1)
    assert fiscal_year_label(date(2026, 8, 1), 7) == "FY2027"
    assert fiscal_year_label(date(2026, 6, 1), 7) == "FY2026"
    assert fiscal_year_end(date(2026, 12, 1), 1) == date(2026, 12, 1)


def test_start_month_conventions() -> None:
    decided = date(2026, 12, 17)
    assert start_month("this_month", decided) == date(2026, 12, 1)
    assert start_month("next_month", decided) == date(2027, 1, 1)
    assert start_month("2027-04", decided) == date(2027, 4, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month("2026-13")
