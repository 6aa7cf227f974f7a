"""The budget impact of a decision: a schedule per CapEx line and its year-one P&L effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core import Decision
from bot.core.answer import FinanceFigures, LineFigures
from bot.core.decision import LineItem
from bot.finance.schedule import (
    Schedule,
    fiscal_year_label,
    month_label,
    parse_month,
    start_month,
    straight_line,
)


@dataclass(frozen=True)
class LineSchedule:
    number: int  # 1-based position of the line in the decision
    line: LineItem
    schedule: Schedule


#: Software and implementation costs are amortized from go-live (Gate 3, §2.4, §10.2), a month
#: the decision does not know; no schedule is drawn for them rather than a wrong one.
_FROM_GO_LIVE = frozenset({"internal_software", "implementation"})


def schedulable(line: LineItem) -> bool:
    """A one-off CapEx cost with a useful life and a known start; recurring bills never are."""
    return (
        line.treatment == "capex"
        and line.asset_category not in _FROM_GO_LIVE
        and line.amount is not None
        and line.amount.per is None
        and line.amount.amount > 0
        and bool(line.useful_life_months)
    )


def line_schedules(decision: Decision, start: date) -> list[LineSchedule]:
    result = []
    for number, line in enumerate(decision.line_items, start=1):
        if schedulable(line):
            assert line.amount is not None and line.useful_life_months  # schedulable() checks
            schedule = straight_line(
                line.amount.amount, line.amount.currency, line.useful_life_months, start
            )
            result.append(LineSchedule(number, line, schedule))
    return result


def budget_impact(decision: Decision, start: date, fiscal_start: int) -> FinanceFigures:
    """Each schedulable CapEx line's schedule start and year-one charge."""
    return FinanceFigures(
        lines=[
            LineFigures(
                item=item.number - 1,
                depreciation_start=month_label(start),
                year_one_label=fiscal_year_label(start, fiscal_start),
                year_one_charge=item.schedule.year_one_charge(fiscal_start),
            )
            for item in line_schedules(decision, start)
        ]
    )


def schedule_start(finance: FinanceFigures | None, recorded: date, convention: str) -> date:
    """The month the answer was given with, else the configured start after ``recorded``."""
    if finance is not None and finance.lines:
        return parse_month(finance.lines[0].depreciation_start)
    return start_month(convention, recorded)
