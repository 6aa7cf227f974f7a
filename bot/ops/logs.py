"""Logs: one JSON object per line (or plain text), each with the request id, secrets removed.

Redaction works on the final text of every record, exception traces included: the configured
secret values (tokens, signing secret, the database password) are replaced wherever they
appear, and so is anything shaped like a Slack token or a password in a URL, configured or not.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import Config
from bot.ops.context import request_id

MASK = "[redacted]"
_HANDLER = "capexbot"
#: Slack tokens (bot, user, app-level, config, refresh), and a password in a URL (``//user:…@``).
_TOKEN = re.compile(r"\bx(?:ox[abprseo]|app)-[A-Za-z0-9-]{6,}")
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][\w+.-]*://[^/\s:@]*:)(?P<password>[^@\s/]+)@")
_CREDENTIAL_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|_KEY)$", re.IGNORECASE)
#: Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged too.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Longest first, so a secret that contains another is replaced whole. Very short values
        # would blank out ordinary words, and are no secret anyway.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        text = _TOKEN.sub(MASK, text)
        return _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}@", text)


class JsonFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": self.redact(record.getMessage()),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            entry["request_id"] = rid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key != "request_id" and not key.startswith("_"):
                entry[key] = _plain(value, self.redact)
        if record.exc_info:
            entry["exc"] = self.redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = request_id()
        return self.redact(f"{text} [request {rid}]" if rid else text)


def configure(
    secrets: Iterable[str | None],
    *,
    fmt: str = "json",
    level: str = "INFO",
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Route every logger (Bolt's, the Slack SDK's, SQLAlchemy's) through one redacting handler
    (replacing the one an earlier call installed); returns it."""
    redact = Redactor(secrets)
    handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(JsonFormatter(redact) if fmt == "json" else TextFormatter(redact))
    handler.set_name(_HANDLER)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Even at DEBUG, not every SQL statement with its parameters (which carry user text).
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    return handler


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (a test runner swaps it)."""

    @property  # type: ignore[override]
    def stream(self) -> IO[str]:
        return sys.stderr

    @stream.setter
    def stream(self, value: IO[str]) -> None:
        pass


def secrets_of(config: Config, environ: Mapping[str, str] | None = None) -> list[str | None]:
    """What must never be logged: the Slack credentials, the database password, and the value
    of any environment variable named like a credential (an LLM provider's API key, say)."""
    environ = os.environ if environ is None else environ
    found: list[str | None] = [
        config.slack_bot_token,
        config.slack_app_token,
        config.slack_signing_secret,
    ]
    for url in (config.database_url, config.chroma_url):
        if url:
            with suppress(ArgumentError, ValueError):
                found.append(make_url(url).password)
    found.extend(value for name, value in environ.items() if _CREDENTIAL_NAME.search(name))
    return found


def _plain(value: object, redact: Redactor) -> object:
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(str(value))
