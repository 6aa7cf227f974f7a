"""Year-one P&L on the decision's CapEx lines, and cost per forecast case by CapEx and OpEx."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from bot.core import Answer, Policy, Request, decide
from bot.core.budget import Forecast
from bot.finance.forecast import forecast_costs
from bot.finance.impact import budget_impact, line_schedules
from bot.render.document import build_document


def test_capex_lines_get_their_start_and_year_one_charge(policy: Policy) -> None:
    decision = decide(
        Request(text="A $48,000 GPU server for production inference and a $6k/yr support contract"),
        policy,
    )
    assert decision.verdict == "split"
    finance = budget_impact(decision, date(2026, 10, 1), fiscal_start=1)
    server, support = decision.line_items
    assert server.treatment == "capex" and server.useful_life_months == 60
    (figures,) = finance.lines
    assert figures.item == 0 and figures.depreciation_start == "2026-10"
    assert figures.year_one_label == "FY2026"
    assert figures.year_one_charge == Decimal("2400.00")  # 3 months of 800
    assert support.treatment == "opex" and finance.of_line(1) is None
    (sentence,) = build_document(Answer(decision=decision, finance=finance)).year_one
    assert "FY2026 P&L USD 2,400.00 (depreciated) instead of USD 48,000.00 if expensed" in sentence
    assert "USD 45,600.00 falls in later years" in sentence


def test_recurring_and_opex_lines_have_no_schedule(policy: Policy) -> None:
    decision = decide(
        Request(text="Our AWS GPU bill, $9k a month, for the production model"), policy
    )
    assert decision.verdict == "opex"
    assert line_schedules(decision, date(2026, 1, 1)) == []


def test_forecast_cases_split_like_the_decision(policy: Policy) -> None:
    decision = decide(
        Request(
            text="A $48,000 GPU server for production inference and a $12k/yr support contract"
        ),
        policy,
    )
    finance = budget_impact(decision, date(2026, 1, 1), fiscal_start=1)
    forecast = Forecast(conservative=Decimal(30000), expected=Decimal(60000))
    costs = forecast_costs(forecast, decision, finance)
    assert [c.case for c in costs] == ["conservative", "expected"]
    expected = costs[1]
    # 48k CapEx and 12k OpEx: 80 % / 20 % of every case.
    assert (expected.capex, expected.opex, expected.review) == (
        Decimal("48000.00"),
        Decimal("12000.00"),
        Decimal("0.00"),
    )
    # Year one: 12 of 60 months of the CapEx share, all of the OpEx share.
    assert expected.year_one_pnl == Decimal("9600.00") + Decimal("12000.00")
    assert costs[0].capex + costs[0].opex == Decimal(30000)


def test_forecast_of_an_undecided_request_is_left_for_review(policy: Policy) -> None:
    decision = decide(Request(text="GPUs for the new cluster, $80k"), policy)
    assert decision.verdict == "needs_review"
    (case,) = forecast_costs(Forecast(expected=Decimal(80000)), decision, None)
    assert case.review == Decimal(80000) and case.capex == 0 and case.year_one_pnl is None
