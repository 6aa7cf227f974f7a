"""`capexbot serve`: Socket Mode with an app token, HTTP otherwise, and what is missing."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import bot.slack.server as server
from bot.cli import app


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CAPEXBOT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CAPEXBOT_DATABASE_URL", raising=False)
    monkeypatch.setattr("bot.slack.app.App", _FakeApp)
    monkeypatch.setattr("bot.slack.run.open_index", lambda assistant: None)  # no index build here
    monkeypatch.setattr("bot.ops.logs.configure", lambda *args, **kwargs: None)
    return monkeypatch


class _FakeApp:
    """Stands in for Bolt's App so no auth.test call leaves the machine."""

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.client = kwargs["client"]

    def __getattr__(self, name: str) -> Any:
        return lambda *a, **k: lambda *a2, **k2: None


def test_socket_mode_when_an_app_token_is_set(env: pytest.MonkeyPatch) -> None:
    """Connects with the app token and serves until SIGTERM (sent here as soon as it is
    connected), then closes the connection and exits 0."""
    calls: list[str] = []

    class Handler:
        def __init__(self, token: str) -> None:
            self.token = token

        def connect(self) -> None:
            calls.append(f"connect {self.token}")
            os.kill(os.getpid(), signal.SIGTERM)

        def close(self) -> None:
            calls.append("close")

    env.setattr(server, "socket_mode", lambda app, token: Handler(token))
    env.setattr("bot.slack.run._finish_background_work", lambda app: calls.append("finish"))
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    env.setenv("SLACK_APP_TOKEN", "xapp-1")
    previous = signal.getsignal(signal.SIGTERM)
    try:
        result = CliRunner().invoke(app, ["serve"])
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert result.exit_code == 0, result.output
    assert calls == ["connect xapp-1", "close", "finish"]


def test_http_mode_needs_the_signing_secret(env: pytest.MonkeyPatch) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    result = CliRunner().invoke(app, ["serve", "--http"])
    assert result.exit_code == 2 and "SLACK_SIGNING_SECRET" in result.output


def test_no_token_points_to_chat(env: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2 and "capexbot chat" in result.output
