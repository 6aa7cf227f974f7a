"""Fixtures of the server-backed suites; each suite's conftest imports the ones it uses.

``database_url`` (SQLite, then PostgreSQL when a server answers) comes from ``tests/conftest.py``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fake_slack import FakeSlack
from slack_harness import FINANCE, WATCHED
from slack_requests import SECRET, SlackSender

from bot.config import Config
from bot.retrieval.ingest import ingest
from bot.service import Assistant
from bot.slack.app import build_app
from bot.slack.durable import Ledger
from bot.slack.recovery import Recovery
from bot.slack.server import http_server
from bot.storage import Store
from tests.support.databases import postgres_unavailable, scratch_postgres

ROOT = Path(__file__).resolve().parent.parent.parent
KNOWLEDGE = ROOT / "knowledge"


@cache
def example_index() -> Path:
    """A data folder with the example policy indexed, built once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="capexbot-index-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    ingest(KNOWLEDGE, folder)
    return folder


def bot_config(slack_url: str, database_url: str, **overrides: Any) -> Config:
    """The configuration every suite's app runs with (the e2e suite's ids and secret)."""
    settings: dict[str, Any] = {
        "data_dir": example_index(),
        "database_url": database_url,
        "slack_bot_token": "xoxb-test",
        "slack_signing_secret": SECRET,
        "slack_api_url": slack_url,
        "finance_channel": FINANCE,
        "watched_channels": [WATCHED],
        "recover_after": 1.0,
        "work_lease": 3.0,
        "sweep_interval": 0.3,
        **overrides,
    }
    return Config(**settings)


@dataclass
class Bot:
    """The app in this process, serving HTTP on a free loopback port, with its recovery sweep."""

    sender: SlackSender
    base_url: str
    store: Store
    ledger: Ledger
    recovery: Recovery
    server: Any
    stopped: bool = False

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()
            self.server.server_close()
            self.recovery.stop()
            self.store.close()


@pytest.fixture(scope="session")
def assistant() -> Assistant:
    assistant = Assistant(Config(data_dir=example_index()))
    assert assistant.open_knowledge().version
    return assistant


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL schema; the test skips, saying why, where no server answers."""
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    with scratch_postgres() as url:
        yield url


@pytest.fixture
def start_bot(
    slack: FakeSlack, assistant: Assistant, tmp_path: Path
) -> Iterator[Callable[..., Bot]]:
    """Call with a database URL (and Config overrides, or another assistant as ``answers``)
    to start an app; all stop at the end."""
    running: list[Bot] = []

    def start(database_url: str, *, answers: Assistant | None = None, **overrides: Any) -> Bot:
        spool = tmp_path / f"spool-{len(running)}"
        config = bot_config(slack.url, database_url, spool_dir=spool, **overrides)
        store = Store.open(database_url)
        ledger = Ledger(
            store, config.spool_folder, lease=config.work_lease, recover_after=config.recover_after
        )
        app = build_app(config, answers or assistant, store, ledger=ledger)
        recovery = Recovery(app, ledger, interval=config.sweep_interval).start()
        server = http_server(
            app,
            "127.0.0.1",
            0,
            store=store,
            signing_secret=config.slack_signing_secret,
            read_timeout=config.http_read_timeout,
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        bot = Bot(SlackSender(f"{base}/slack/events"), base, store, ledger, recovery, server)
        running.append(bot)
        return bot

    yield start
    for bot in running:
        bot.stop()
