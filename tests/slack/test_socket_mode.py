"""Socket Mode, the embedded default: the app connects out, acks envelopes, answers the same way."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_slack import BOT_USER, TEAM, FakeSlack
from fake_socket_mode import FakeSocketMode

from bot.config import Config
from bot.service import Assistant
from bot.slack.app import build_app
from bot.slack.server import socket_mode
from bot.storage import Store


@pytest.fixture
def socket(slack: FakeSlack, tmp_path: Path, assistant: Assistant) -> Iterator[FakeSocketMode]:
    endpoint = FakeSocketMode()
    slack.socket_url = endpoint.url
    config = Config(
        database_url=f"sqlite:///{tmp_path / 'state.db'}",
        slack_bot_token="xoxb-test",
        slack_app_token="xapp-test",
        slack_api_url=slack.url,
    )
    store = Store.open(config.database)
    handler = socket_mode(build_app(config, assistant, store), "xapp-test")
    handler.connect()
    endpoint.wait_connected()
    yield endpoint
    handler.close()
    endpoint.close()
    store.close()


def test_an_event_over_socket_mode_is_acked_and_answered(
    socket: FakeSocketMode, slack: FakeSlack
) -> None:
    event = {
        "type": "app_mention",
        "user": "UASKER",
        "channel": "C0GENERAL",
        "ts": "1700001000.000001",
        "text": f"<@{BOT_USER}> is a $40k GPU server for production inference CapEx?",
    }
    body = {"type": "event_callback", "team_id": TEAM, "event_id": "EvSOCKET1", "event": event}
    socket.send(
        {
            "envelope_id": "env-1",
            "type": "events_api",
            "payload": body,
            "accepts_response_payload": False,
            "retry_attempt": 0,
        }
    )
    socket.wait_ack("env-1")
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700001000.000001" and "CapEx" in post.params["text"]


def test_the_slash_command_over_socket_mode_opens_the_modal(
    socket: FakeSocketMode, slack: FakeSlack
) -> None:
    command = {
        "command": "/capex",
        "text": "",
        "user_id": "UREQ1",
        "team_id": TEAM,
        "channel_id": "C0GENERAL",
        "trigger_id": "trigger.socket",
    }
    started = time.perf_counter()
    socket.send(
        {
            "envelope_id": "env-2",
            "type": "slash_commands",
            "payload": command,
            "accepts_response_payload": True,
        }
    )
    socket.wait_ack("env-2")
    assert time.perf_counter() - started < 3
    [opened] = slack.wait_for("views.open")
    view = opened.params["view"]
    assert (json.loads(view) if isinstance(view, str) else view)["callback_id"] == "capex_intake"
