"""Each storage test runs on SQLite and, when a server answers, on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Config
from bot.service import Assistant
from bot.storage import Store
from bot.storage.testing import postgres_unavailable, scratch_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
        return
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with scratch_postgres() as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    store = Store.open(database_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One assistant for the session, with its own knowledge index, built here (not within
    the first test's timeouts)."""
    assistant = Assistant(Config(data_dir=tmp_path_factory.mktemp("knowledge-index")))
    assert assistant.knowledge.version
    return assistant
