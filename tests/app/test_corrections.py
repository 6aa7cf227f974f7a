"""Corrections that become tests: an answer flagged as wrong, reviewed by an approver, exported
as a scenario line that the evaluation decides again from everything its requester gave (the
text, a form's fields, the checklist's answers). On a real store, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.app.questions import Where
from bot.app.reviews import ReviewRefused
from bot.app.services import Services
from bot.core import Policy
from bot.core.budget import BudgetForm
from bot.errors import NotAllowed, NotFound
from bot.evaluation import load_scenarios, run_eval

from .conftest import APPROVER

ASKED = Where(user_id="UASKER", surface="mention", channel="C0GENERAL", thread_ts="1.1")


def _form(policy: Policy, amount: str = "8000") -> BudgetForm:
    form = BudgetForm.read(
        {
            "objective": "Laptops for the new design team",
            "phase": "production",
            "environment": "on_prem",
            "asset_type": "computer",
            "useful_life_years": "3",
            "amount": amount,
            "currency": "USD",
            "cost_center": "CC-200 Design",
            "forecast": {},
        },
        policy,
    )
    assert isinstance(form, BudgetForm), form
    return form


def _checklist_decision(services: Services) -> int:
    """A GPU server asked in a DM, its price and life given as checklist answers."""
    where = Where(user_id="UASKER", surface="dm")
    turn = services.checklists.start("dm:T:UASKER", where, "we want to buy a GPU server")
    for _ in range(6):
        assert turn.question is not None, turn
        reply = {"unit_amount": "$40,000", "amount": "$40,000", "useful_life": "5 years"}.get(
            turn.question.fact, "1"
        )
        turn = services.checklists.message("dm:T:UASKER", where, reply)
        if turn.question is None:
            break
    assert turn.decision_id is not None and turn.answer is not None
    assert turn.answer.decision.verdict != "needs_review"
    return turn.decision_id


def test_a_flag_waits_for_an_approver_and_only_approvers_see_or_review_it(
    services: Services,
) -> None:
    recorded = services.questions.ask("a $8,000 laptop for the design team, 3 year life", ASKED)
    assert recorded is not None and recorded.answer.decision.verdict == "capex"
    services.reviews.flag(recorded.decision_id, "UASKER")  # the click
    services.reviews.flag(recorded.decision_id, "UASKER", "opex", "  laptops are below our line ")
    with pytest.raises(NotFound):
        services.reviews.flag(99999, "UASKER")
    with pytest.raises(NotAllowed):
        services.reviews.flagged("UASKER")
    [waiting] = services.reviews.flagged(APPROVER)
    assert (waiting.decision_id, waiting.verdict, waiting.expected) == (
        recorded.decision_id,
        "capex",
        "opex",
    )
    assert waiting.notes == ["laptops are below our line"] and waiting.review is None

    with pytest.raises(NotAllowed):
        services.reviews.review(recorded.decision_id, "UASKER", "opex", "mine")
    with pytest.raises(ReviewRefused):
        services.reviews.review(recorded.decision_id, APPROVER, "opex", "   ")
    with pytest.raises(ReviewRefused):
        services.reviews.review(recorded.decision_id, APPROVER, "maybe", "why not")
    services.reviews.review(recorded.decision_id, APPROVER, "capex", "USD 8,000 is above §3.1")

    assert services.reviews.flagged(APPROVER) == []  # nothing waits any more
    [done] = services.reviews.flagged(APPROVER, reviewed=True)
    assert done.review is not None
    assert (done.review.user_id, done.review.verdict) == (APPROVER, "capex")
    kinds = [e.kind for e in services.reviews.store.review_events(recorded.decision_id)]
    assert kinds == ["flagged", "flagged", "reviewed"]


def test_the_trail_is_append_only(services: Services) -> None:
    answer = services.questions.ask("a $40k GPU server for production, 5 years", ASKED)
    assert answer is not None
    services.reviews.flag(answer.decision_id, "UASKER", "opex")
    engine = services.reviews.store.engine
    for statement in ("UPDATE review_events SET verdict = 'capex'", "DELETE FROM review_events"):
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text(statement))
    assert len(services.reviews.store.review_events()) == 1


def test_every_review_exports_as_a_case_the_evaluation_decides_from_what_was_given(
    services: Services, policy: Policy, tmp_path: Path
) -> None:
    asked = services.questions.ask("a $8,000 laptop for the design team, 3 year life", ASKED)
    assert asked is not None
    filed = services.requests.file(_form(policy), "UREQ")
    form_decision = filed.request.decision_id
    answered = _checklist_decision(services)
    unreviewed = services.questions.ask("AWS bill for inference, $9,000 a month", ASKED)
    assert unreviewed is not None
    for decision_id in (asked.decision_id, form_decision, answered, unreviewed.decision_id):
        services.reviews.flag(decision_id, "UASKER", "opex")
    services.reviews.review(asked.decision_id, APPROVER, "opex", "expense laptops (test)")
    services.reviews.review(form_decision, APPROVER, "capex", "computers over USD 5,000")
    services.reviews.review(answered, APPROVER, "needs_review", "ask about the lease")

    lines = services.reviews.corrections(APPROVER)
    assert [line["id"] for line in lines] == [
        f"correction-{asked.decision_id}",
        f"correction-{form_decision}",
        f"correction-{answered}",
    ]
    by_id = {line["id"]: line for line in lines}
    form_line = by_id[f"correction-{form_decision}"]
    assert form_line["text"] == "Laptops for the new design team"
    assert form_line["facts"]["amount"] == {"amount": "8000", "currency": "USD"}
    answers = by_id[f"correction-{answered}"]["answers"]
    assert {a["fact"] for a in answers} >= {"unit_amount"}

    path = tmp_path / "corrections.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    report = run_eval(load_scenarios(path), policy)
    got = {case.id: (case.expected, case.verdict) for case in report.cases}
    # Each case is decided from what was given, so it gets the stored answer back: the form's
    # fields and the checklist's answers decide (the texts alone would need review), and each
    # differs from the reviewed verdict until the rules learn it.
    assert got == {
        f"correction-{asked.decision_id}": ("opex", "capex"),
        f"correction-{form_decision}": ("capex", "capex"),
        f"correction-{answered}": (
            "needs_review",
            services.reviews.store.get_decision(answered).verdict,
        ),  # type: ignore[union-attr]
    }
    assert report.summary.correct == 1 and report.summary.confident_wrong == 2


def test_a_scenario_with_an_unknown_fact_is_named_by_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": "x", "expected": "capex", "facts": {"colour": "red"}})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"bad.jsonl:1: facts: .*unknown fact 'colour'"):
        load_scenarios(path)
