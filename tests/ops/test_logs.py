"""Logs: JSON lines with the request id, and no secret in them, whatever is logged."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.config import Config
from bot.ops import logs
from bot.ops.context import serving

TOKEN = "xoxb-1234567890-abcdefghijkl"
SECRET = "8f14e45fceea167a5a36dedd4bea2543"
DB_PASSWORD = "pg-Pa55word!"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    config = Config(
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        database_url=f"postgresql+psycopg://capex:{DB_PASSWORD}@db.internal:5432/capex",
    )
    handler = logs.configure(logs.secrets_of(config, {}), level="DEBUG", stream=stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_line_is_a_json_object_with_the_request_id(captured: io.StringIO) -> None:
    log = logging.getLogger("capexbot.test")
    log.info("outside any request")
    with serving("abc123") as scope:
        scope.kind = "event"
        log.info("inside %s", "a request", extra={"status": 200, "ms": 1.5})
    outside, inside = lines(captured)
    assert "request_id" not in outside
    assert inside["request_id"] == "abc123" and inside["msg"] == "inside a request"
    assert (inside["level"], inside["status"], inside["ms"]) == ("info", 200, 1.5)


def test_configured_secrets_are_never_written(captured: io.StringIO) -> None:
    log = logging.getLogger("capexbot.test")
    log.warning("token %s secret %s", TOKEN, SECRET)
    log.info("connecting to postgresql+psycopg://capex:%s@db.internal:5432/capex", DB_PASSWORD)
    try:
        raise RuntimeError(f"auth failed for {TOKEN} with {SECRET}")
    except RuntimeError:
        log.exception("failure")
    log.info("details", extra={"headers": {"Authorization": f"Bearer {TOKEN}"}})
    text = captured.getvalue()
    for secret in (TOKEN, SECRET, DB_PASSWORD):
        assert secret not in text
    assert text.count(logs.MASK) >= 6
    assert "db.internal:5432" in text  # only the password goes


def test_token_shapes_and_url_passwords_are_masked_even_when_not_configured() -> None:
    redact = logs.Redactor()
    assert redact("use xapp-1-A0B1C2-999-ffee and xoxp-77-88-99aa") == (
        f"use {logs.MASK} and {logs.MASK}"
    )
    assert redact("redis://:hunter22@cache:6379/0") == f"redis://:{logs.MASK}@cache:6379/0"
    assert redact("https://api.example.com/v1?q=1") == "https://api.example.com/v1?q=1"


def test_credentials_in_the_environment_count_as_secrets() -> None:
    environ = {"OPENAI_API_KEY": "sk-abcdef123456", "HOME": "/home/capex", "PGPASSWORD": "x"}
    found = logs.secrets_of(Config(), environ)
    assert "sk-abcdef123456" in found and "/home/capex" not in found
    assert logs.Redactor(found)("key sk-abcdef123456") == f"key {logs.MASK}"
