"""Socket Mode, the embedded default: the app connects out, acks envelopes, answers the same way."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
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
from tests.support.fixtures import example_index
from tests.support.replicas import ROOT, START_SECONDS, replica_env


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


def test_sigterm_stops_a_socket_mode_process_after_its_acknowledged_work(
    slack: FakeSlack, tmp_path: Path
) -> None:
    """`capexbot serve` in Socket Mode (the Docker default) as a real process: SIGTERM right
    after an ack closes the connection, the answer is still posted, and the process exits 0 at
    once (a container's PID 1 ignored SIGTERM before, so `docker stop` waited for its kill)."""
    endpoint = FakeSocketMode()
    slack.socket_url = endpoint.url
    index = tmp_path / "index"
    shutil.copytree(example_index(), index)
    env = replica_env(
        slack.url,
        f"sqlite:///{tmp_path / 'state.db'}",
        index,
        tmp_path / "spool",
        SLACK_APP_TOKEN="xapp-1-test-socket",
    )
    log = (tmp_path / "socket.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    try:
        endpoint.wait_connected(timeout=START_SECONDS)
        event = {
            "type": "app_mention",
            "user": "UASKER",
            "channel": "C0SIGTERM",
            "ts": "1700001000.000009",
            "text": f"<@{BOT_USER}> is a $40k GPU server for production inference CapEx?",
        }
        payload = {"type": "event_callback", "team_id": TEAM, "event_id": "EvTERM", "event": event}
        endpoint.send({"envelope_id": "env-term", "type": "events_api", "payload": payload})
        endpoint.wait_ack("env-term")
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert time.monotonic() - stopping < 15
        assert [c.params["channel"] for c in slack.of("chat.postMessage")] == ["C0SIGTERM"]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()
        endpoint.close()
    lines = (tmp_path / "socket.log").read_text().splitlines()
    assert any("closing the Socket Mode connection" in line for line in lines)
