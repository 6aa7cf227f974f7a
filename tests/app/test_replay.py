"""Replay before a rules change ships: a store of real answers (questions, budget requests, a
checklist) decided again with a copy of ``rules/`` whose capitalization threshold is raised
from USD 5,000 to USD 10,000 lists exactly the answers that flip, and none that do not."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app.questions import Where
from bot.app.replay import replay
from bot.app.services import Services
from bot.core import Policy, load_policy
from bot.core.budget import BudgetForm
from tests.conftest import RULES_DIR

ASKED = Where(user_id="UASKER", surface="mention", channel="C0GENERAL", thread_ts="1.1")

#: Questions whose one line costs between the two thresholds: CapEx now, OpEx at USD 10,000.
FLIP = (
    "a $8,000 laptop for the design team, 3 year life",
    "$7,500 for a workstation for our render farm, 4 years",
)
#: Above both thresholds, expensed whatever the threshold, or waiting for a fact.
STAY = (
    "we're buying a $40,000 GPU server for production inference, 5 year life",
    "AWS bill for inference, $9,000 a month",
    "we want to buy a GPU server",
)


@pytest.fixture(scope="module")
def raised(tmp_path_factory: pytest.TempPathFactory) -> Policy:
    """A copy of the shipped rules, as finance would edit it: the threshold raised (§3.1)."""
    folder = tmp_path_factory.mktemp("proposed") / "rules"
    shutil.copytree(RULES_DIR, folder)
    policy_file = folder / "policy.yaml"
    text = policy_file.read_text(encoding="utf-8")
    assert "\ncapitalization_threshold: 5000\n" in text
    policy_file.write_text(
        text.replace("\ncapitalization_threshold: 5000\n", "\ncapitalization_threshold: 10000\n"),
        encoding="utf-8",
    )
    return load_policy(folder)


def _form(policy: Policy, objective: str, asset_type: str, amount: str) -> BudgetForm:
    form = BudgetForm.read(
        {
            "objective": objective,
            "phase": "production",
            "environment": "on_prem",
            "asset_type": asset_type,
            "useful_life_years": "4",
            "amount": amount,
            "currency": "USD",
            "cost_center": "CC-1",
            "forecast": {},
        },
        policy,
    )
    assert isinstance(form, BudgetForm), form
    return form


def _checklist(services: Services, key: str, price: str) -> tuple[int, int]:
    """A GPU server asked in a DM (needs its price), then its price answered: both ids."""
    where = Where(user_id="UDM", surface="dm")
    first = services.checklists.start(key, where, "we want to buy a GPU server")
    assert first.question is not None and first.question.fact == "unit_amount"
    answered = services.checklists.message(key, where, price)
    assert first.decision_id is not None and answered.decision_id is not None
    return first.decision_id, answered.decision_id


def test_raising_the_threshold_lists_exactly_the_answers_that_flip(
    services: Services, policy: Policy, raised: Policy
) -> None:
    flips, stays = set(), set()
    for question in FLIP + STAY:
        answer = services.questions.ask(question, ASKED)
        assert answer is not None
        (flips if question in FLIP else stays).add(answer.decision_id)
    small = services.requests.file(_form(policy, "Laptops for design", "computer", "8000"), "U1")
    large = services.requests.file(_form(policy, "GPU servers", "gpu_server", "96000"), "U1")
    flips.add(small.request.decision_id)
    stays.add(large.request.decision_id)
    asked, cheap = _checklist(services, "dm:T:UDM1", "$8,000")
    stays.add(asked)  # the first answer asked for the price: no threshold decides it
    flips.add(cheap)
    stays.update(_checklist(services, "dm:T:UDM2", "$40,000"))
    # The form's fields and the checklist's answer decide: their texts alone name no price.
    assert small.answer.decision.verdict == "capex" and large.answer.decision.verdict == "capex"

    report = replay(services.requests.store, policy, raised)

    assert report.decisions == len(flips) + len(stays)
    assert {item.decision_id for item in report.changed} == flips
    assert report.drifted == []  # the store was answered by the rules in force
    for item in report.changed:
        verdict = next(c for c in item.changes if c.what == "verdict")
        line = next(c for c in item.changes if c.what == "line")
        assert (verdict.before, verdict.after) == ("CapEx", "OpEx"), item
        assert line.line == 1 and line.before.startswith("capex") and line.after.startswith("opex")
        assert line.rule_after is not None and "§3.1" in line.rule_after, line
        assert not any(c.what == "route" for c in item.changes)  # routes go by amount (§10.1)

    nothing = replay(services.requests.store, policy, policy)
    assert nothing.changed == [] and nothing.decisions == report.decisions


def test_since_replays_only_the_decisions_from_that_day(
    services: Services, policy: Policy, raised: Policy
) -> None:
    answer = services.questions.ask(FLIP[0], ASKED)
    assert answer is not None
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert replay(services.requests.store, policy, raised, tomorrow).decisions == 0
    today = datetime.now(UTC) - timedelta(hours=1)
    assert [
        i.decision_id for i in replay(services.requests.store, policy, raised, today).changed
    ] == [answer.decision_id]


def test_a_route_that_moves_is_listed_with_its_section(
    services: Services, policy: Policy, tmp_path: Path
) -> None:
    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    policy_file = folder / "policy.yaml"
    text = policy_file.read_text(encoding="utf-8")
    # The budget owner alone up to USD 50,000 instead of 10,000 (§10.1; the first route that
    # holds applies).
    assert "  - id: budget_owner\n    min_amount: 0\n    max_amount: 10000\n" in text
    text = text.replace("    max_amount: 10000\n", "    max_amount: 50000\n", 1)
    policy_file.write_text(text, encoding="utf-8")
    proposed = load_policy(folder)
    moved = services.questions.ask(STAY[0], ASKED)  # USD 40,000: finance partner today
    kept = services.questions.ask(FLIP[0], ASKED)  # USD 8,000: budget owner either way
    assert moved is not None and kept is not None

    report = replay(services.requests.store, policy, proposed)

    [item] = report.changed
    assert item.decision_id == moved.decision_id
    [route] = item.changes
    assert route.what == "route" and route.before.startswith("finance_partner")
    assert route.after.startswith("budget_owner") and route.rule_after == "§10.1"
