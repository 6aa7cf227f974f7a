"""What would change the answer (issue 12 item 1): every confident answer names the one-fact
changes that flip it, found by running the rules; each is checked here by asking again with
that fact given, as a checklist answer or a form field gives it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from bot.cli import app
from bot.core import Fact, Framework, Request, Source, decide, decide_facts, read_request
from bot.core.facts import validate_fact_value
from bot.core.policy import Policy
from bot.evaluation import load_scenarios

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SERVER = "We're buying a $40,000 GPU server for production inference, 5 year life"


def reask(
    policy: Policy, text: str, framework: Framework | None, fact: str, value: Any, item: int | None
) -> str:
    """The verdict with one fact given explicitly, the way the checklist records an answer."""
    facts = read_request(Request(text=text, framework=framework), policy)
    given = Fact(value=validate_fact_value(fact, value), source=Source.ANSWERED)
    return decide_facts(facts.with_fact(fact, given, item=item), policy).verdict


def test_ask_json_names_the_changes_that_flip_a_capex_server(policy: Policy) -> None:
    result = CliRunner().invoke(app, ["ask", "--json", SERVER])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["verdict"] == "capex"
    flips = answer["counterfactuals"]
    assert flips
    for flip in flips:
        assert {"fact", "value", "verdict"} <= flip.keys()
        assert flip["verdict"] != "capex"
        assert (
            reask(policy, SERVER, None, flip["fact"], flip["value"], flip["item"])
            == (flip["verdict"])
        )
    by_fact = {f["fact"]: f for f in flips}
    assert by_fact["ownership"]["value"] == "rented"
    assert by_fact["ownership"]["text"] == (
        "if it were rented (capacity the vendor runs) rather than bought: OpEx"
    )
    assert by_fact["unit_amount"]["value"] == {"amount": "4999.99", "currency": "USD", "per": None}
    assert by_fact["unit_amount"]["text"] == "below USD 5,000 a unit: OpEx"
    assert by_fact["unit_amount"]["rule"] == "BELOW-THRESHOLD"
    assert by_fact["useful_life"]["value"] == {"min_months": 12, "max_months": 12}
    assert by_fact["useful_life"]["text"] == "if the useful life were 12 months or less: OpEx"
    assert by_fact["useful_life"]["section"] == "3.2"


def test_below_the_threshold_the_change_is_the_threshold_itself(policy: Policy) -> None:
    decision = decide(Request(text="Laptop for a new hire, $1,800"), policy)
    assert decision.verdict == "opex"
    first = decision.counterfactuals[0]
    assert (first.fact, first.verdict, first.text) == (
        "unit_amount",
        "capex",
        "at USD 5,000 a unit or more: CapEx",
    )


def test_the_saas_implementation_fee_flips_under_ifrs(policy: Policy) -> None:
    text = "SaaS implementation fee for our new ERP, $80,000 configuration by the vendor's partner"
    decision = decide(Request(text=text), policy)
    assert decision.verdict == "capex"
    framework = next(c for c in decision.counterfactuals if c.fact == "framework")
    assert (framework.value, framework.verdict, framework.rule) == (
        "ifrs",
        "opex",
        "SAAS-CONFIGURATION-IFRS",
    )


def test_a_split_names_the_line_a_change_belongs_to(policy: Policy) -> None:
    text = "new inference server $42k + 3yr vendor support contract 6k/yr"
    decision = decide(Request(text=text), policy)
    assert decision.verdict == "split"
    assert decision.counterfactuals
    for flip in decision.counterfactuals:
        assert flip.item == 0 or flip.item is None
        if flip.item is not None:
            assert flip.text.startswith(f"for “{flip.item_description}”, ")


def test_needs_review_has_no_counterfactuals_it_has_a_question(policy: Policy) -> None:
    decision = decide(Request(text="We need GPUs for the new cluster, $40,000"), policy)
    assert decision.verdict == "needs_review"
    assert decision.counterfactuals == []
    assert decision.next_question is not None


def test_every_counterfactual_of_the_development_set_holds_when_asked_again(
    policy: Policy,
) -> None:
    scenarios = load_scenarios(SCENARIOS / "dev.jsonl")
    confident = with_flips = 0
    for scenario in scenarios:
        decision = decide(Request(text=scenario.text, framework=scenario.framework), policy)
        if decision.verdict == "needs_review":
            assert decision.counterfactuals == []
            continue
        confident += 1
        with_flips += bool(decision.counterfactuals)
        for flip in decision.counterfactuals:
            verdict = reask(
                policy, scenario.text, scenario.framework, flip.fact, flip.value, flip.item
            )
            assert verdict == flip.verdict != decision.verdict, (scenario.id, flip)
    assert confident > 100
    assert with_flips > confident / 2  # most answers turn on a fact; cloud usage does not
