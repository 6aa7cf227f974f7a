"""The policy index is opened by one explicit step, :meth:`Assistant.open_knowledge`, the only
one that builds it; answering never builds it behind the caller's back."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.core import Policy, Request
from bot.retrieval.ingest import ingest
from bot.retrieval.knowledge import KnowledgeIndexMissing
from bot.service import Assistant
from tests.conftest import RULES_DIR

GPU_SERVER = "We're buying a $40,000 GPU server for production inference, 5 year life"


def test_an_assistant_whose_index_was_not_opened_refuses_to_answer(
    tmp_path: Path, acme_dir: Path, policy: Policy
) -> None:
    data = tmp_path / "data"
    assistant = Assistant(
        Config(rules_dir=RULES_DIR, knowledge_dir=acme_dir, data_dir=data), policy
    )
    with pytest.raises(RuntimeError, match=r"open_knowledge\(\) comes before"):
        assistant.answer(Request(text=GPU_SERVER))
    assert not data.exists()  # nothing was indexed


def test_opened_without_building_a_missing_index_is_told_and_loaded_once_ingested(
    tmp_path: Path, acme_dir: Path, policy: Policy
) -> None:
    data = tmp_path / "data"
    assistant = Assistant(
        Config(rules_dir=RULES_DIR, knowledge_dir=acme_dir, data_dir=data), policy
    )
    with pytest.raises(KnowledgeIndexMissing, match="run `capexbot ingest`"):
        assistant.open_knowledge(build=False)
    with pytest.raises(KnowledgeIndexMissing):  # answering does not build it either
        assistant.answer(Request(text=GPU_SERVER))

    report = ingest(acme_dir, data)  # what `capexbot ingest` does, from another process
    answer = assistant.answer(Request(text=GPU_SERVER))
    assert answer.knowledge_version == report.version == assistant.knowledge.version
    assert {c.source for c in answer.citations} == {"acme-handbook.md"}
