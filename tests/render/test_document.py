"""One decision document, built once from an answer's parts and rendered four ways: the
terminal text, Block Kit, the memo and the optional model's brief agree on what they show."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bot.core import Answer, Policy, Request, decide
from bot.core.answer import Phrasing
from bot.core.decision import Citation
from bot.finance.impact import budget_impact
from bot.finance.memo import MemoOptions, build_memo
from bot.finance.records import StoredDecision
from bot.llm.phrase import decision_brief
from bot.render.document import DecisionDocument, build_document
from bot.render.text import render_text
from bot.slack.blocks import decision_blocks
from bot.storage.models import DecisionRecord

SPLIT = "A $48,000 GPU server for production inference and a $6k/yr support contract"
START = date(2026, 10, 1)
CITATION = Citation(
    source="capitalization-policy.md",
    section="Capitalization Policy › 5. Property and equipment › 5.1 Owned hardware",
    passage="Servers, GPU and accelerator hardware that Halcyon buys are property and equipment.",
)


def _answer(policy: Policy, text: str = SPLIT) -> Answer:
    decision = decide(Request(text=text), policy)
    return Answer(
        decision=decision,
        citations=[CITATION],
        knowledge_version="kb-test-1",
        finance=budget_impact(decision, START, fiscal_start=1),
    )


def _blocks_text(doc: DecisionDocument) -> str:
    return json.dumps(decision_blocks(doc, 1), ensure_ascii=False)


def _memo(answer: Answer) -> str:
    record = DecisionRecord(
        id=1,
        created_at=datetime(2026, 9, 15, tzinfo=UTC),
        user_id="U1",
        surface="cli",
        channel=None,
        input_text=SPLIT,
        decision=answer.as_json(),
    )
    stored = StoredDecision(record=record, answer=Answer.from_json(record.decision))
    return build_memo(stored, MemoOptions(start=START)).markdown()


def test_the_document_gathers_every_part_of_the_answer(policy: Policy) -> None:
    answer = _answer(policy)
    doc = build_document(answer)
    assert (doc.verdict, doc.verdict_label, doc.summary) == (
        "split",
        "Split (CapEx and OpEx)",
        answer.summary,
    )
    server, support = doc.lines
    first = answer.decision.line_items[0]
    assert (server.number, server.treatment, server.rule) == (1, "capex", first.rule_id)
    assert server.name == first.asset_label and server.description == first.description
    assert server.year_one is not None and server.year_one.charge == Decimal("2400.00")
    assert (server.year_one.start, server.year_one.label) == ("2026-10", "FY2026")
    assert support.treatment == "opex" and support.year_one is None
    assert doc.citations == [CITATION] and doc.knowledge_version == "kb-test-1"
    assert [r.id for r in doc.reasons] == [r.id for r in answer.decision.rules_fired]
    assert doc.approval is not None and doc.approval_text and "policy §" in doc.approval_text
    assert Decimal("2400.00") in doc.amounts and Decimal("48000.00") in doc.amounts
    (year_one,) = doc.year_one
    assert "FY2026 P&L USD 2,400.00 (depreciated) instead of USD 48,000.00" in year_one


def test_four_renderers_of_one_document_agree(policy: Policy) -> None:
    answer = _answer(policy)
    doc = build_document(answer)
    text, blocks, brief = render_text(doc), _blocks_text(doc), decision_brief(doc)
    memo = _memo(answer)
    for shown in (text, blocks, memo):
        assert doc.verdict_label in shown
    assert f"Verdict: {doc.verdict}" in brief and doc.summary in brief
    for shown in (text, blocks, memo, brief):
        assert doc.summary.split(".")[0] in shown
        for line in doc.lines:
            assert line.name in shown
            assert line.amount is not None and str(line.amount) in shown
        for citation in doc.citations:
            assert citation.section in shown
        for rule in doc.reasons:
            assert rule.id in shown
    year_one = doc.lines[0].year_one
    assert year_one is not None  # the server's year-one charge, on every surface but the brief
    for shown in (text, blocks, memo):
        assert f"USD {year_one.charge:,.2f}" in shown


def test_the_memo_renders_the_same_document_read_back_from_the_record(policy: Policy) -> None:
    """Stored in its flat shape and read back, the answer builds the same document."""
    answer = _answer(policy)
    assert Answer.from_json(answer.as_json()) == answer
    assert build_document(Answer.from_json(answer.as_json())) == build_document(answer)


def test_the_flat_record_keeps_the_shape_stored_records_and_json_output_had(
    policy: Policy,
) -> None:
    data = _answer(policy).as_json()
    assert data["citations"][0]["section"] == CITATION.section
    assert data["knowledge_version"] == "kb-test-1"
    server, support = data["line_items"]
    assert (server["depreciation_start"], server["year_one_label"]) == ("2026-10", "FY2026")
    assert Decimal(server["year_one_charge"]) == Decimal("2400.00")
    assert support["year_one_charge"] is None


def test_the_models_wording_is_a_part_of_its_own(policy: Policy) -> None:
    answer = _answer(policy)
    phrased = answer.model_copy(
        update={"phrasing": Phrasing(wording="Split: capitalize the server.", note="Worded.")}
    )
    doc = build_document(phrased)
    assert doc.summary == "Split: capitalize the server." and doc.notes[-1] == "Worded."
    assert phrased.decision.summary == answer.decision.summary  # the rules' summary stays
    assert phrased.as_json()["summary"] == doc.summary  # what was shown is what is stored


def test_a_decision_is_not_changed_once_built(policy: Policy) -> None:
    decision = _answer(policy).decision
    with pytest.raises(ValidationError):
        decision.summary = "OpEx"  # type: ignore[misc]


def test_the_document_keeps_user_words_and_only_slack_escapes_them(policy: Policy) -> None:
    answer = _answer(policy, "wire $3k for <!channel>; GPU server $40k")
    doc = build_document(answer)
    assert any("<!channel>" in line.description for line in doc.lines)
    blocks = _blocks_text(doc)
    assert "<!channel>" not in blocks and "&lt;!channel&gt;" in blocks
