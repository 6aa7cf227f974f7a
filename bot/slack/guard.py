"""The door of HTTP mode: only signed, recent, well-formed requests reach Bolt.

Bolt checks signatures too, but it reads the body first and fails with a 500 on one it cannot
read (a body that is not UTF-8, a timestamp that is not a number Python can compare with the
clock); here every refusal is a 4xx that says why, and the signature is checked, on the raw
bytes, before anything is parsed. Sizes are the HTTP server's business: it refuses a body over
:data:`MAX_BODY` from its ``Content-Length`` before reading it (see :mod:`bot.slack.http`).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import time
from dataclasses import dataclass
from typing import Any

from bot.slack.payloads import Malformed, kind, parse, problem

#: Slack's largest payloads (a modal's state, a long message) are far below this.
MAX_BODY = 1_000_000
#: Slack refuses requests whose timestamp is more than five minutes off; so does the app.
MAX_SKEW = 5 * 60
#: A Unix time in seconds has 10 digits until the year 2286.
_MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class Verdict:
    kind: str
    status: int | None = None  # None: let it through
    reason: str = ""


class Guard:
    def __init__(self, signing_secret: str | None) -> None:
        self.secret = signing_secret.encode() if signing_secret else None

    def check(self, environ: dict[str, Any]) -> Verdict:
        """Read the request's body (and put it back for Bolt) and say whether it may pass."""
        if environ.get("REQUEST_METHOD") != "POST":
            return Verdict("other", 405, "Slack's requests are POSTs.")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return Verdict("other", 400, "Content-Length is not a number.")
        if length < 0 or length > MAX_BODY:
            return Verdict("other", 413, "The request body is too large for a Slack request.")
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        if self.secret is not None and not self._signed(raw, environ):
            return Verdict("other", 401, "The signature is invalid or the timestamp too old.")
        try:
            body = parse(raw, environ.get("CONTENT_TYPE"))
        except Malformed as exc:
            return Verdict("other", 400, f"Malformed Slack request: {exc}.")
        found = problem(body)
        if found:
            return Verdict(kind(body), 400, f"Malformed Slack request: {found}.")
        return Verdict(kind(body))

    def _signed(self, raw: bytes, environ: dict[str, Any]) -> bool:
        """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}``, over the bytes as
        sent. Header values arrive as latin-1 text: only ASCII digits are a timestamp."""
        assert self.secret is not None
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not (
            0 < len(timestamp) <= _MAX_TIMESTAMP_DIGITS
            and timestamp.isascii()
            and timestamp.isdigit()
            and signature.isascii()
        ):
            return False
        if abs(time.time() - int(timestamp)) > MAX_SKEW:
            return False
        base = b"v0:" + timestamp.encode() + b":" + raw
        expected = "v0=" + hmac.new(self.secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.encode())
