"""Straight-line depreciation by month, and what it charges to the P&L in year one.

Months are ``date`` objects on the first day of the month. "Year one" is the fiscal year the
first month of depreciation falls in, so an asset placed in service in October charges three
months of depreciation to year one, where expensing it would charge the whole cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> date:
    """``2026-04`` as the first day of that month; ValueError for anything else."""
    match = _MONTH.match(text.strip())
    if not match:
        raise ValueError(f"expected a month as YYYY-MM, got {text!r}")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def start_month(convention: str, decided: date) -> date:
    """The first month of depreciation: ``this_month``, ``next_month`` or a fixed ``YYYY-MM``."""
    if convention == "this_month":
        return month_of(decided)
    if convention == "next_month":
        return add_months(month_of(decided), 1)
    return parse_month(convention)


def fiscal_year_end(month: date, fiscal_start: int) -> date:
    """The last month of the fiscal year that ``month`` falls in."""
    months_in = (month.month - fiscal_start) % 12
    return add_months(month, 11 - months_in)


def fiscal_year_label(month: date, fiscal_start: int) -> str:
    """Fiscal years are named by the calendar year they end in (FY2027 ends in June 2027)."""
    return f"FY{fiscal_year_end(month, fiscal_start).year}"


@dataclass(frozen=True)
class Period:
    month: date
    charge: Decimal
    accumulated: Decimal
    book_value: Decimal


@dataclass(frozen=True)
class FiscalYear:
    label: str
    months: int
    charge: Decimal
    book_value: Decimal  # at the end of the year


@dataclass(frozen=True)
class Schedule:
    """A cost written off in equal monthly charges; the last month takes the rounding."""

    cost: Decimal
    currency: str
    periods: list[Period]

    @property
    def start(self) -> date:
        return self.periods[0].month

    @property
    def end(self) -> date:
        return self.periods[-1].month

    @property
    def monthly(self) -> Decimal:
        return self.periods[0].charge

    def charge_through(self, last: date) -> Decimal:
        return sum((p.charge for p in self.periods if p.month <= last), Decimal(0))

    def year_one_charge(self, fiscal_start: int) -> Decimal:
        """The P&L charge in the fiscal year depreciation starts in (expensing charges ``cost``)."""
        return self.charge_through(fiscal_year_end(self.start, fiscal_start))

    def fiscal_years(self, fiscal_start: int) -> list[FiscalYear]:
        years: list[FiscalYear] = []
        for period in self.periods:
            label = fiscal_year_label(period.month, fiscal_start)
            if years and years[-1].label == label:
                last = years[-1]
                years[-1] = FiscalYear(
                    label, last.months + 1, last.charge + period.charge, period.book_value
                )
            else:
                years.append(FiscalYear(label, 1, period.charge, period.book_value))
        return years


def straight_line(cost: Decimal, currency: str, months: int, start: date) -> Schedule:
    """Write ``cost`` off over ``months`` from ``start``, with no residual value."""
    if months <= 0:
        raise ValueError("a schedule needs at least one month")
    cost = cost.quantize(CENT, ROUND_HALF_UP)
    monthly = (cost / months).quantize(CENT, ROUND_HALF_UP)
    if monthly * (months - 1) > cost:  # tiny costs over long lives: never a negative last month
        monthly = (cost / months).quantize(CENT, ROUND_DOWN)
    periods: list[Period] = []
    accumulated = Decimal(0)
    month = month_of(start)
    for index in range(months):
        charge = monthly if index < months - 1 else cost - accumulated
        accumulated += charge
        periods.append(Period(month, charge, accumulated, cost - accumulated))
        month = add_months(month, 1)
    return Schedule(cost=cost, currency=currency, periods=periods)
