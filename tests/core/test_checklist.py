"""The guided checklist: one question at a time, only those that can change the verdict."""

from __future__ import annotations

import pytest

from bot.core import AnswerError, Request, apply_answer, decide, decide_facts


def _walk(policy, text: str, answers: dict[str, object]):
    """Answer each question the engine asks from ``answers`` until it stops."""
    decision = decide(Request(text=text), policy)
    asked = []
    while not decision.complete and decision.next_question is not None:
        question = decision.next_question
        assert question.fact not in asked, f"asked {question.fact} twice"
        asked.append(question.fact)
        facts = apply_answer(decision.facts, question, answers[question.fact], policy)
        decision = decide_facts(facts, policy)
    return decision, asked


def test_checklist_asks_only_what_decides_and_then_stops(policy) -> None:
    decision, asked = _walk(policy, "need a GPU server", {"unit_amount": "about 30k"})
    assert asked == ["unit_amount"]
    assert decision.verdict == "capex"
    assert decision.facts.items[0].facts["unit_amount"].source.value == "answered"


def test_cloud_usage_needs_no_questions(policy) -> None:
    decision = decide(Request(text="our AWS inference bill, 8k a month"), policy)
    assert decision.verdict == "opex"
    assert decision.complete and decision.next_question is None


def test_vague_request_is_walked_to_a_verdict_with_buttons(policy) -> None:
    decision = decide(Request(text="I need to spend $20k, is that capex?"), policy)
    question = decision.next_question
    assert question is not None and question.fact == "asset_type"
    assert any(o.value == "internal_software" for o in question.options)
    final, asked = _walk(
        policy,
        "I need to spend $20k, is that capex?",
        {"asset_type": "internal_software", "phase": "build"},
    )
    assert asked == ["asset_type", "phase"]
    assert final.verdict == "capex"


def test_question_choice_prefers_the_fact_that_changes_the_verdict(policy) -> None:
    decision = decide(Request(text="internal tool, dev labor"), policy)
    # amount and phase both matter; each answer must be able to move the verdict
    assert decision.next_question is not None
    assert decision.next_question.fact in {"unit_amount", "phase"}
    assert {m.fact for m in decision.missing} >= {"unit_amount", "phase"}


def test_free_text_answers_are_read_and_bad_ones_explained(policy) -> None:
    decision = decide(Request(text="buying a server"), policy)
    question = decision.next_question
    assert question is not None
    with pytest.raises(AnswerError, match="amount"):
        apply_answer(decision.facts, question, "no idea", policy)
    facts = apply_answer(decision.facts, question, "€8.500", policy)
    assert decide_facts(facts, policy).verdict == "capex"


def test_option_labels_are_accepted_as_answers(policy) -> None:
    decision = decide(Request(text="internal tool, dev labor 50k"), policy)
    question = decision.next_question
    assert question is not None and question.fact == "phase"
    facts = apply_answer(decision.facts, question, "Experiment, pilot or proof of concept", policy)
    assert decide_facts(facts, policy).verdict == "opex"
