"""The rules' compiled conditions answer exactly as evaluate() does, and follow the policy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core import Policy, Request, decide, read_request
from bot.core import engine as engine_module
from bot.core.engine import _rule_tests, evaluate
from tests.conftest import ROOT


def _views(policy: Policy) -> list[dict]:
    from bot.evaluation import load_scenarios

    views = []
    for scenario in load_scenarios(ROOT / "tests" / "scenarios" / "dev.jsonl"):
        facts = read_request(Request(text=scenario.text, framework=scenario.framework), policy)
        framework = engine_module._framework(facts, policy)
        views += [
            engine_module._item_view(facts, i, policy, framework).values
            for i in range(len(facts.items))
        ]
    return views


def test_compiled_conditions_agree_with_evaluate(policy: Policy) -> None:
    views = _views(policy)
    # and each view with every fact unknown in turn: the unknown sets must agree too
    views += [{k: v for k, v in view.items() if k != gone} for view in views[:40] for gone in view]
    for values in views:
        for rule, test in zip(policy.rules, _rule_tests(policy), strict=True):
            assert test(values) == evaluate(rule.when, values, policy), rule.id


def test_a_policy_with_other_settings_is_compiled_again(policy: Policy) -> None:
    text = "a $3,000 laptop for a new engineer"
    assert decide(Request(text=text), policy).verdict == "opex"
    lower = policy.settings.model_copy(update={"capitalization_threshold": Decimal(2000)})
    cheaper = policy.model_copy(update={"settings": lower})
    assert decide(Request(text=text), cheaper).verdict == "capex"
    assert decide(Request(text=text), policy).verdict == "opex"


@pytest.fixture(autouse=True)
def _fresh_compiled_rules() -> None:
    engine_module._RULE_TESTS.clear()
