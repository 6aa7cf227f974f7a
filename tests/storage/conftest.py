"""Each storage test runs on SQLite and, when a server answers, on PostgreSQL."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.service import Assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One assistant for the session, with its own knowledge index, built here (not within
    the first test's timeouts)."""
    assistant = Assistant(Config(data_dir=tmp_path_factory.mktemp("knowledge-index")))
    assert assistant.open_knowledge().version
    return assistant
