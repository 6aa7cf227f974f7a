"""The real app over real HTTP on loopback, talking to a fake Slack Web API."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fake_slack import FakeSlack
from slack_harness import FINANCE, WATCHED, Running
from slack_requests import SECRET, SlackSender

from bot.config import Config
from bot.service import Assistant
from bot.slack.app import build_app
from bot.slack.server import http_server
from bot.storage import Store


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One assistant for the session, with its own knowledge index, built here (not within
    the first test's timeouts)."""
    assistant = Assistant(Config(data_dir=tmp_path_factory.mktemp("knowledge-index")))
    assert assistant.open_knowledge().version
    return assistant


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture
def start_bot(slack: FakeSlack, database_url: str, assistant: Assistant) -> Iterator[object]:
    """Starts an app instance (a 'process') on the shared database; call again to restart."""
    running: list[Running] = []

    def start() -> Running:
        config = Config(
            database_url=database_url,
            slack_bot_token="xoxb-test",
            slack_signing_secret=SECRET,
            slack_api_url=slack.url,
            finance_channel=FINANCE,
            watched_channels=[WATCHED],
        )
        store = Store.open(database_url)
        server = http_server(build_app(config, assistant, store), "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_port}/slack/events"
        running.append(Running(SlackSender(url), store, server))
        return running[-1]

    yield start
    for instance in running:
        instance.stop()


@pytest.fixture
def bot(start_bot) -> Running:  # type: ignore[no-untyped-def]
    return start_bot()
