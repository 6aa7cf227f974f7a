"""The door of HTTP mode: only signed, recent, reasonably sized, well-formed requests reach Bolt.

Bolt checks signatures too, but it reads the body first and fails with a 500 on one it cannot
read; here every refusal is a 4xx that says why, and the signature is checked before anything
is parsed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from slack_sdk.signature import SignatureVerifier

from bot.slack.payloads import Malformed, kind, parse, problem

#: Slack's largest payloads (a modal's state, a long message) are far below this.
MAX_BODY = 1_000_000
#: A refused body is read (and dropped) up to this size, so the sender gets the 413 rather
#: than a reset connection; beyond it the connection is simply closed.
DRAIN_LIMIT = 16_000_000


@dataclass(frozen=True)
class Verdict:
    kind: str
    status: int | None = None  # None: let it through
    reason: str = ""


class Guard:
    def __init__(self, signing_secret: str | None, max_body: int = MAX_BODY) -> None:
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.max_body = max_body

    def check(self, environ: dict[str, Any]) -> Verdict:
        """Read the request's body (and put it back for Bolt) and say whether it may pass."""
        if environ.get("REQUEST_METHOD") != "POST":
            return Verdict("other", 405, "Slack's requests are POSTs.")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return Verdict("other", 400, "Content-Length is not a number.")
        if length < 0 or length > self.max_body:
            _discard(environ["wsgi.input"], min(max(length, 0), DRAIN_LIMIT))
            return Verdict("other", 413, "The request body is too large for a Slack request.")
        raw = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(raw)
        if self.verifier is not None and not self._signed(raw, environ):
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
        assert self.verifier is not None
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or ""
        signature = environ.get("HTTP_X_SLACK_SIGNATURE") or ""
        if not timestamp.isdigit() or not signature.isascii() or not signature:
            return False  # (hmac refuses to compare a non-ASCII string: no TypeError here)
        return self.verifier.is_valid(raw, timestamp, signature)


def _discard(stream: Any, length: int) -> None:
    while length > 0:
        chunk = stream.read(min(length, 65536))
        if not chunk:
            return
        length -= len(chunk)
