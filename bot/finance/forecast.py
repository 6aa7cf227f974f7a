"""Cost per forecast case (conservative / expected / accelerated), by CapEx and OpEx.

A /capex request states one amount and up to three forecast totals. Each case is split in the
proportions the decision split the request: if 80 % of the classified amount is CapEx, 80 % of
every case is. The year-one P&L of a case scales the same way: its CapEx share charges the
lines' year-one depreciation, its OpEx share charges in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.core import Decision
from bot.core.answer import FinanceFigures
from bot.core.budget import Forecast
from bot.finance.schedule import CENT


@dataclass(frozen=True)
class CaseCost:
    case: str
    total: Decimal
    capex: Decimal
    opex: Decimal
    review: Decimal  # lines the rules left for finance to settle
    year_one_pnl: Decimal | None  # None when no line carries its year-one charge


def _shares(
    decision: Decision, finance: FinanceFigures | None
) -> tuple[Decimal, Decimal, Decimal | None]:
    """CapEx share, review share, and the fraction of CapEx charged in year one."""
    by: dict[str, Decimal] = {"capex": Decimal(0), "opex": Decimal(0), "needs_review": Decimal(0)}
    year_one = Decimal(0)
    year_one_known = True
    for index, line in enumerate(decision.line_items):
        amount = line.yearly_amount_base
        if amount is None:
            continue
        by[line.treatment] += amount
        if line.treatment == "capex":
            figures = finance.of_line(index) if finance is not None else None
            if figures is None or line.amount is None or not line.amount.amount:
                year_one_known = False
            else:
                year_one += amount * figures.year_one_charge / line.amount.amount
    total = sum(by.values(), Decimal(0))
    if not total:
        return Decimal(0), Decimal(1), None
    if not year_one_known:
        capex_fraction = None
    else:
        capex_fraction = year_one / by["capex"] if by["capex"] else Decimal(0)
    return by["capex"] / total, by["needs_review"] / total, capex_fraction


def forecast_costs(
    forecast: Forecast, decision: Decision, finance: FinanceFigures | None
) -> list[CaseCost]:
    """The cases given in ``forecast`` (form currency), in the order conservative → accelerated."""
    capex_share, review_share, year_one_fraction = _shares(decision, finance)
    costs = []
    for case, total in forecast.cases().items():
        if total is None:
            continue
        capex = (total * capex_share).quantize(CENT, ROUND_HALF_UP)
        review = (total * review_share).quantize(CENT, ROUND_HALF_UP)
        opex = total - capex - review
        year_one = None
        if year_one_fraction is not None and not review:
            year_one = (capex * year_one_fraction).quantize(CENT, ROUND_HALF_UP) + opex
        costs.append(CaseCost(case, total, capex, opex, review, year_one))
    return costs
