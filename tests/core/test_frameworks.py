"""US GAAP and IFRS side by side (issue 12 item 2): both verdicts, their lines, and the rules
that differ with why; the SaaS implementation and development-phase cases are the classic
ones, an owned server the case where nothing differs."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bot.cli import app
from bot.core import Answer, Framework, Request, decide
from bot.core.frameworks import compare
from bot.core.policy import Policy

SAAS = "SaaS implementation fee for our new ERP, $80,000 configuration by the vendor's partner"
SERVER = "We're buying a $40,000 GPU server for production inference, 5 year life"


def both(policy: Policy, text: str):
    us_gaap, ifrs = (
        decide(Request(text=text, framework=f), policy) for f in (Framework.US_GAAP, Framework.IFRS)
    )
    return compare(Answer(decision=us_gaap), Answer(decision=ifrs), policy)


def ask_both(text: str) -> dict:
    result = CliRunner().invoke(app, ["ask", "--framework", "both", "--json", text])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_saas_implementation_fee_differs_and_says_why() -> None:
    answer = ask_both(SAAS)
    assert answer.keys() == {"us_gaap", "ifrs", "differences"}
    assert answer["us_gaap"]["framework"] == "us_gaap"
    assert answer["ifrs"]["framework"] == "ifrs"
    assert answer["us_gaap"]["verdict"] == "capex"
    assert answer["ifrs"]["verdict"] == "opex"
    (difference,) = answer["differences"]
    assert difference["us_gaap"]["rule"] == "SAAS-IMPLEMENTATION-US-GAAP"
    assert difference["us_gaap"]["section"] == "7.3"
    assert difference["ifrs"]["rule"] == "SAAS-CONFIGURATION-IFRS"
    assert difference["ifrs"]["section"] == "7.4"
    assert (
        "ASU 2018-15" in difference["why"]
        and "IFRIC agenda decision (April 2021)" in (difference["why"])
    )


def test_an_owned_server_is_the_same_under_both() -> None:
    answer = ask_both(SERVER)
    assert answer["us_gaap"]["verdict"] == answer["ifrs"]["verdict"] == "capex"
    assert answer["differences"] == []


def test_text_output_shows_both_answers_and_the_difference() -> None:
    result = CliRunner().invoke(app, ["ask", "--framework", "both", SAAS])
    assert result.exit_code == 0, result.output
    assert "=== US GAAP ===" in result.output and "=== IFRS ===" in result.output
    assert "US GAAP CapEx (SAAS-IMPLEMENTATION-US-GAAP), IFRS OpEx (SAAS-CONFIGURATION-IFRS)" in (
        result.output
    )


def test_a_build_is_capex_under_both_by_different_rules(policy: Policy) -> None:
    """ASC 350-40's probable-to-complete gate and IAS 38.57's six criteria: same treatment,
    different tests, so the difference is reported."""
    result = both(policy, "Build labor on our internal pricing engine after Gate 2, $120,000")
    assert result.us_gaap.decision.verdict == result.ifrs.decision.verdict == "capex"
    (difference,) = result.differences
    assert (difference.us_gaap.rule, difference.us_gaap.section) == (
        "SOFTWARE-BUILD-US-GAAP",
        "6.2",
    )
    assert (difference.ifrs.rule, difference.ifrs.section) == ("SOFTWARE-BUILD-IFRS", "6.3")
    assert "IAS 38.57" in difference.why


def test_an_ifrs_side_that_needs_a_fact_names_it(policy: Policy) -> None:
    result = both(policy, "Implementation services for our new Workday HR system, $60,000")
    assert result.us_gaap.decision.verdict == "capex"
    assert result.ifrs.decision.verdict == "needs_review"
    (difference,) = result.differences
    assert difference.ifrs.rule is None
    assert any(need.startswith("creates separate asset") for need in difference.ifrs.needs)
    assert "IFRS: Needs review: it turns on creates separate asset" in difference.why
