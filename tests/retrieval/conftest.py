"""The shipped example policy indexed once per session (real Chroma, real model) in a temp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.retrieval.ingest import ingest
from bot.retrieval.knowledge import open_knowledge
from bot.retrieval.search import KnowledgeBase
from tests.conftest import ROOT

KNOWLEDGE_DIR = ROOT / "knowledge"
QUERIES = ROOT / "tests" / "retrieval" / "queries.jsonl"

ACME_POLICY = """\
# Acme Robotics GmbH — Fixed Asset Handbook

Owner: Acme finance. Amounts in EUR.

## 3. Capitalization tests

### 3.1 Minimum value

Acme books an item as a fixed asset when it costs EUR 2,500 or more. Cheaper items go to the
Zephyr expense ledger.

### 3.2 Life of more than one year

Items used for a year or less are expensed in the Zephyr expense ledger.

## 5. Machines and computers

### 5.1 Owned hardware

Servers and robot controllers that Acme buys outright are fixed assets, depreciated over four
years in the Orion asset register.

### 5.2 Installation and freight

Freight and installation are added to the machine's cost in the Orion asset register.

## 9. Leases

Rented machines go to the Acme treasury desk.
"""


@pytest.fixture(scope="session")
def shipped_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("shipped-index")
    ingest(KNOWLEDGE_DIR, data_dir)
    return data_dir


@pytest.fixture(scope="session")
def shipped_knowledge(shipped_data: Path) -> KnowledgeBase:
    return open_knowledge(KNOWLEDGE_DIR, shipped_data, build=False)


@pytest.fixture
def acme_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "acme-knowledge"
    folder.mkdir()
    (folder / "acme-handbook.md").write_text(ACME_POLICY, encoding="utf-8")
    return folder
