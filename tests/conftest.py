"""Shared fixtures: the shipped example policy and paths."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import Policy, load_policy
from bot.storage import Store
from tests.support.databases import postgres_unavailable, scratch_postgres

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"

#: Prints, at the end of a run, which suites ran against PostgreSQL and the other servers.
pytest_plugins = ["tests.support.backends"]


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(RULES_DIR)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each storage-backed test runs on SQLite and on a scratch PostgreSQL schema.

    Where no PostgreSQL server answers, the PostgreSQL run skips and says why.
    """
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
