"""Requests as Slack sends them, signed with the signing secret (v0 HMAC-SHA256 of
``v0:{timestamp}:{body}``), posted to the app over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fake_slack import TEAM, trigger_id

SECRET = "test-signing-secret"
_ids = itertools.count(1)


@dataclass
class Reply:
    status: int
    body: str
    seconds: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    def __init__(self, url: str) -> None:
        self.url = url

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        ts = int(time.time()) if timestamp is None else timestamp
        request = urllib.request.Request(
            self.url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": signature or sign(body, ts),
                **(headers or {}),
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Reply(
                    response.status,
                    response.read().decode(),
                    time.perf_counter() - started,
                    dict(response.headers.items()),
                )
        except urllib.error.HTTPError as exc:
            body = exc.read().decode()
            return Reply(exc.code, body, time.perf_counter() - started, dict(exc.headers.items()))

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        **kw: Any,
    ) -> Reply:
        payload = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0TEST",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "event": event,
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        return self.post(json.dumps(payload), "application/json", headers=headers, **kw)

    def command(
        self, text: str = "", user: str = "UREQ1", channel: str = "C0GENERAL", **kw: Any
    ) -> Reply:
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/capex",
            "text": text,
            "api_app_id": "A0TEST",
            "response_url": "http://127.0.0.1:9/hooks",
            "trigger_id": trigger_id(next(_ids)),
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def interaction(self, payload: dict[str, Any], **kw: Any) -> Reply:
        payload = {"team": {"id": TEAM, "domain": "test"}, "api_app_id": "A0TEST", **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        channel: str,
        message_ts: str,
        thread_ts: str | None = None,
    ) -> Reply:
        message: dict[str, Any] = {"type": "message", "ts": message_ts, "text": "", "blocks": []}
        if thread_ts:
            message["thread_ts"] = thread_ts
        return self.interaction(
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": TEAM},
                "container": {"type": "message", "message_ts": message_ts, "channel_id": channel},
                "channel": {"id": channel},
                "message": message,
                "trigger_id": trigger_id(next(_ids)),
                "actions": [
                    {
                        "type": "button",
                        "action_id": action_id,
                        "block_id": "b",
                        "value": value,
                        "action_ts": str(time.time()),
                    }
                ],
            }
        )

    def submit(self, view: dict[str, Any], values: dict[str, Any], user: str = "UREQ1") -> Reply:
        submitted = {**view, "id": "V0TEST", "state": {"values": values}}
        return self.interaction(
            {"type": "view_submission", "user": {"id": user, "team_id": TEAM}, "view": submitted}
        )
