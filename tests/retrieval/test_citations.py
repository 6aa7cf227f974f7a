"""Answers cite the policy: rule sections first, then what the request finds; any organisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.core import Policy, Request
from bot.retrieval.search import KnowledgeBase
from bot.service import Assistant
from tests.conftest import RULES_DIR
from tests.retrieval.conftest import KNOWLEDGE_DIR

GPU_SERVER = "We're buying a $40,000 GPU server for production inference, 5 year life"


@pytest.fixture(scope="module")
def assistant(shipped_data: Path, shipped_knowledge: KnowledgeBase, policy: Policy) -> Assistant:
    config = Config(rules_dir=RULES_DIR, knowledge_dir=KNOWLEDGE_DIR, data_dir=shipped_data)
    return Assistant(config, policy, shipped_knowledge)


def test_a_decision_cites_the_section_of_the_rule_that_fired_first(assistant: Assistant) -> None:
    answer = assistant.answer(Request(text=GPU_SERVER))
    assert answer.decision.verdict == "capex"
    assert [r.section for r in answer.decision.rules_fired] == ["5.1"]
    first = answer.citations[0]
    assert first.source == "capitalization-policy.md"
    assert first.section.endswith("5.1 Owned hardware, servers and GPUs")
    assert "Owned hardware" in first.passage
    assert 1 < len(answer.citations) <= 4  # then passages found for the request
    assert any("8.4 Inference and model hosting" in c.section for c in answer.citations[1:])
    assert answer.knowledge_version == assistant.knowledge.version
    assert answer.as_json()["citations"]  # in the stored record and `ask --json` too


def test_every_rule_section_is_cited_once_in_order(assistant: Assistant) -> None:
    answer = assistant.answer(
        Request(text="GPU server $280,000 with a 3 year support contract of $36,000")
    )
    fired = list(dict.fromkeys(r.section for r in answer.decision.rules_fired))
    cited = [c.section.rsplit(" › ", 1)[-1].split(" ")[0] for c in answer.citations]
    assert cited[: len(fired)] == fired
    assert len(set(c.section for c in answer.citations)) == len(answer.citations)


def test_a_policy_question_is_answered_from_the_policy_text(assistant: Assistant) -> None:
    answer = assistant.answer(Request(text="what is our capitalization threshold?"))
    assert answer.decision.kind == "policy_question"
    assert "5,000" in answer.summary
    assert answer.citations and answer.knowledge_version
    assert any("3.1 Threshold" in c.section for c in answer.citations)


def test_a_policy_question_naming_a_purchase_is_answered_from_the_policy(
    assistant: Assistant,
) -> None:
    answer = assistant.answer(Request(text="how do we treat SaaS implementation costs?"))
    assert answer.decision.kind == "policy_question" and answer.decision.next_question is None
    assert "7.3 US GAAP" in answer.summary
    assert answer.citations[0].section.endswith(
        "7.3 US GAAP: implementation costs of a hosting arrangement (ASU 2018-15)"
    )


def test_the_policy_question_method_answers_whatever_the_wording(assistant: Assistant) -> None:
    answer = assistant.answer_policy_question("SaaS implementation costs, Workday config")
    assert answer.decision.kind == "policy_question" and answer.decision.verdict == "needs_review"
    assert any("7.3 US GAAP" in c.section for c in answer.citations[:3])
    assert answer.decision.rules_version == assistant.policy.version


def test_checklist_answers_and_non_spending_messages_carry_the_knowledge_version(
    assistant: Assistant,
) -> None:
    answer = assistant.answer(Request(text=GPU_SERVER))
    from_facts = assistant.answer_facts(answer.decision.facts)
    assert from_facts.knowledge_version == assistant.knowledge.version
    assert from_facts.citations[0].section.endswith("5.1 Owned hardware, servers and GPUs")

    chatter = assistant.answer(Request(text="good morning, how was your weekend?"))
    assert chatter.decision.kind == "not_spending"
    assert chatter.citations == [] and chatter.knowledge_version == assistant.knowledge.version


def test_another_organisations_policy_folder_is_cited_with_no_code_change(
    tmp_path: Path, acme_dir: Path, policy: Policy
) -> None:
    config = Config(rules_dir=RULES_DIR, knowledge_dir=acme_dir, data_dir=tmp_path / "data")
    assistant = Assistant(config, policy)
    assert assistant.open_knowledge().version  # indexes Acme's folder, as it was never indexed
    answer = assistant.answer(Request(text=GPU_SERVER))
    assert answer.citations
    assert {c.source for c in answer.citations} == {"acme-handbook.md"}
    first = answer.citations[0]
    assert first.section == (
        "Acme Robotics GmbH — Fixed Asset Handbook › 5. Machines and computers › 5.1 Owned hardware"
    )
    assert "Orion asset register" in first.passage

    question = assistant.answer(Request(text="what is our capitalization threshold?"))
    assert "EUR 2,500" in question.summary

    # Another folder on the same data folder: Acme's chunks are dropped.
    other = tmp_path / "other"
    other.mkdir()
    (other / "rules-of-thumb.md").write_text("# Thumb\n\n## 1. All\n\nAsk finance.\n")
    config = Config(rules_dir=RULES_DIR, knowledge_dir=other, data_dir=tmp_path / "data")
    sources = {c.source for c in Assistant(config, policy).open_knowledge().chunks}
    assert sources == {"rules-of-thumb.md"}
