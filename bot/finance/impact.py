"""The budget impact of a decision: a schedule per CapEx line and its year-one P&L effect."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core import Decision
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


def stored_start(decision: Decision) -> date | None:
    """The first month of depreciation the decision was answered with, if it carries one."""
    for line in decision.line_items:
        if line.depreciation_start:
            return parse_month(line.depreciation_start)
    return None


def schedule_start(decision: Decision, recorded: date, convention: str) -> date:
    """The month the decision was answered with, else the configured start after ``recorded``."""
    return stored_start(decision) or start_month(convention, recorded)


def with_budget_impact(decision: Decision, start: date, fiscal_start: int) -> Decision:
    """Set each CapEx line's schedule start and year-one charge (in place; returns it)."""
    for item in line_schedules(decision, start):
        item.line.depreciation_start = month_label(start)
        item.line.year_one_label = fiscal_year_label(start, fiscal_start)
        item.line.year_one_charge = item.schedule.year_one_charge(fiscal_start)
    return decision


def impact_lines(decision: Decision) -> list[str]:
    """One sentence per CapEx line on its year-one P&L effect, for the answer's renderers."""
    lines = []
    for line in decision.line_items:
        if line.year_one_charge is None or line.amount is None:
            continue
        currency, cost = line.amount.currency, line.amount.amount
        lines.append(
            f"{line.asset_label or line.description}: from {line.depreciation_start}, "
            f"{line.year_one_label} P&L {currency} {line.year_one_charge:,.2f} "
            f"({line.write_off_word}d) instead of {currency} {cost:,.2f} if expensed; "
            f"{currency} {cost - line.year_one_charge:,.2f} falls in later years"
        )
    return lines
