"""Hybrid, semantic and keyword search over the shipped policy, and the LangChain interfaces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.core import Policy
from bot.retrieval.evaluation import evaluate, load_cases, matches
from bot.retrieval.expansion import expand_query
from bot.retrieval.knowledge import open_knowledge
from bot.retrieval.langchain import MiniLMEmbeddings, PolicyRetriever
from bot.retrieval.search import MODES, Hit, KnowledgeBase, Mode
from tests.retrieval.conftest import QUERIES
from tests.retrieval.devpolicy import QUERIES as DEV_QUERIES
from tests.retrieval.devpolicy import write_dev_policy


def _numbers(hits: list[Hit]) -> list[str]:
    return [h.chunk.number for h in hits]


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_finds_the_approval_section(
    shipped_knowledge: KnowledgeBase, mode: Mode
) -> None:
    hits = shipped_knowledge.search("who approves a 60k request", 5, mode)
    assert "10.1" in _numbers(hits)[:3]
    assert len({(h.chunk.source, h.chunk.path) for h in hits}) == len(hits)  # one per section


def test_scores_fall_with_rank(shipped_knowledge: KnowledgeBase) -> None:
    for mode in ("semantic", "keyword"):
        scores = [h.score for h in shipped_knowledge.search("useful life of servers", 8, mode)]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("mode", ["keyword", "semantic", "fusion"])
def test_an_faq_answer_brings_the_section_it_points_to(
    shipped_knowledge: KnowledgeBase, mode: Mode
) -> None:
    hits = shipped_knowledge.search("can we capitalize chatgpt enterprise seats", 3, mode)
    first = hits[0].chunk
    assert first.source == "faq.md" and first.refers == ("7.2",)
    assert hits[1].chunk.number == "7.2"


def test_hybrid_puts_the_policy_section_before_the_faq_answer_naming_it(
    shipped_knowledge: KnowledgeBase,
) -> None:
    hits = shipped_knowledge.search("can we capitalize chatgpt enterprise seats", 5)
    assert hits[0].chunk.number == "7.2"
    answer = [h.chunk for h in hits if h.chunk.source == "faq.md"]
    assert answer and answer[0].refers == ("7.2",)  # the answer comes, after the section


def test_questions_in_other_languages_find_english_policy_text(
    shipped_knowledge: KnowledgeBase, policy: Policy
) -> None:
    query = expand_query("reparatie van een kapotte voeding in de server", policy)
    assert "Repair" in query  # the lexicon read "reparatie" as a repair
    assert "5.4" in _numbers(shipped_knowledge.search(query, 3))


def test_empty_queries_return_nothing(shipped_knowledge: KnowledgeBase) -> None:
    assert shipped_knowledge.search("   ") == []
    assert shipped_knowledge.search("zzzz qqqq", mode="keyword") == []


def test_recall_on_the_shipped_query_set(shipped_knowledge: KnowledgeBase, policy: Policy) -> None:
    cases = load_cases(QUERIES)
    assert len(cases) >= 60
    expand = lambda q: expand_query(q, policy)  # noqa: E731
    summary = {m: evaluate(shipped_knowledge, cases, m, expand).summary for m in MODES}
    hybrid = summary["hybrid"]
    assert hybrid.recall_at_1 >= 0.75 and hybrid.recall_at_3 >= 0.95, hybrid
    for part in ("semantic", "keyword", "fusion"):
        assert hybrid.recall_at_1 > summary[part].recall_at_1, summary
        assert hybrid.mrr > summary[part].mrr, summary


def test_hybrid_beats_its_parts_on_the_generated_northwind_policy(
    tmp_path: Path, policy: Policy
) -> None:
    folder = write_dev_policy(tmp_path / "northwind", "pdf")
    knowledge = open_knowledge(folder, tmp_path / "data")
    cases = load_cases(DEV_QUERIES)
    expand = lambda q: expand_query(q, policy)  # noqa: E731
    summary = {m: evaluate(knowledge, cases, m, expand).summary for m in MODES}
    for part in ("semantic", "keyword", "fusion"):
        assert summary["hybrid"].recall_at_1 > summary[part].recall_at_1, summary
        assert summary["hybrid"].mrr > summary[part].mrr, summary


def test_fragments_match_at_word_starts_only() -> None:
    path = "Policy › 11. Budget › 11.2 Tracking methods"
    assert matches("11.2 Tracking", path) and matches("tracking METHODS", path)
    assert not matches("1.2 Tracking", path)


def test_langchain_retriever_and_embeddings(shipped_knowledge: KnowledgeBase) -> None:
    retriever = PolicyRetriever(knowledge=shipped_knowledge, k=3)
    documents = retriever.invoke("when does depreciation start")
    assert len(documents) == 3
    assert {"source", "section", "section_number", "score"} <= set(documents[0].metadata)
    assert any(d.metadata["section_number"] == "4.1" for d in documents)

    embeddings = MiniLMEmbeddings()
    query = np.array(embeddings.embed_query("GPU server depreciation"))
    docs = np.array(embeddings.embed_documents(["servers last five years", "office snacks"]))
    assert query.shape == (384,) and docs.shape == (2, 384)
    assert docs[0] @ query > docs[1] @ query


def test_an_faq_answer_is_known_by_its_question_and_asked_only_in_its_order() -> None:
    from bot.retrieval.chunking import Chunk
    from bot.retrieval.ranking import asked_verbatim, is_answer

    question = "When does depreciation start on the new Life Sciences building?"
    answer = Chunk("a", "faq.html", ("FAQ", "Depreciation", question), "", 0, "When handed over.")
    section = Chunk("b", "policy.pdf", ("Policy", "8 Depreciation", "8.2 Start"), "8.2", 0, "…")
    assert is_answer(answer) and not is_answer(section)
    assert asked_verbatim(question.lower(), answer)
    assert not asked_verbatim("new Life Sciences building - when does depreciation start?", answer)


def test_an_employee_s_words_bring_the_policy_s_term(policy: Policy) -> None:
    query = expand_query("minimum spend before something goes on the fixed asset register", policy)
    assert query.endswith("(capitalization threshold)")  # "fixed asset" is no repair
    assert "trade-in" in expand_query("credit for our old lathe", policy)
    assert expand_query("what is a capital project", policy) == "what is a capital project"


def test_the_added_terms_do_not_hide_a_question_asked_word_for_word() -> None:
    from bot.retrieval.chunking import Chunk
    from bot.retrieval.ranking import asked_verbatim

    question = "What is the minimum amount for something to be capitalised?"
    answer = Chunk("a", "faq.html", ("FAQ", question), "", 0, "GBP 2,500.", ("3.2",))
    assert asked_verbatim(f"{question} (capitalization threshold)", answer)
