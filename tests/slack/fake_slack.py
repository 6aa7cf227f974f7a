"""A local stand-in for Slack's Web API: records every call and answers ``ok``.

The app under test gets ``SLACK_API_URL`` pointing here, so the tests can assert on what the
app sent (``views.open``, ``chat.postMessage``...) without any network.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER = "UBOTCAPEX"
TEAM = "T0TEST"
#: Slack's trigger ids (for views.open and views.push) expire 3 s after the user's action.
TRIGGER_SECONDS = 3.0
_ISSUED = re.compile(r"\.at(\d+)$")


def trigger_id(label: object) -> str:
    """A trigger id as if Slack issued it now: the fake reads the time back from it."""
    return f"trigger.{label}.at{time.time_ns() // 1_000_000}"


def trigger_age(trigger: object) -> float | None:
    """Seconds since ``trigger`` was issued (None for a fixed id that never expires)."""
    found = _ISSUED.search(str(trigger))
    return time.time() - int(found.group(1)) / 1000 if found else None


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200  # what the fake answered: a fault set with fail_next shows here
    ok: bool = True
    at: float = field(default_factory=time.monotonic)
    trigger_age: float | None = None  # views.open and views.push: seconds since the trigger


@dataclass
class Fault:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._faults: dict[str, list[Fault]] = {}
        self._holds: dict[str, threading.Event] = {}
        self._holding: set[str] = set()
        self.socket_url: str | None = None  # what apps.connections.open hands out
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        #: Reactions on messages now, as (channel, ts, name): reactions.add puts one on,
        #: reactions.remove takes it off; either fails as Slack does when it cannot.
        self.reactions: set[tuple[str, str, str]] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw))
                method = self.path.rsplit("/", 1)[-1]
                if fake.held(method):
                    self.close_connection = True
                    return  # dropped: the call never reached "Slack"
                fault = fake.fault_for(method, params)
                answer = fake.record(method, params) if fault is None else fault.body
                body = json.dumps(answer).encode()
                self.send_response(200 if fault is None else fault.status)
                for name, value in (fault.headers if fault else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` (429: rate limited,
        with ``Retry-After`` in ``headers``; 5xx; or 200 with ``{"ok": false}``)."""
        default = {"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
        fault = Fault(status, body or default, headers or {})
        with self._changed:
            self._faults.setdefault(method, []).extend([fault] * times)

    def hold(self, method: str) -> None:
        """Hold the next call of ``method`` until :meth:`release`, then drop it unanswered,
        as if the app died while the call was on the wire (see ``holding``)."""
        with self._changed:
            self._holds[method] = threading.Event()

    def holding(self, method: str, timeout: float = 10.0) -> bool:
        """True once a call of ``method`` is being held."""
        with self._changed:
            return self._changed.wait_for(lambda: method in self._holding, timeout)

    def release(self) -> None:
        with self._changed:
            for gate in self._holds.values():
                gate.set()
            self._holds.clear()
            self._holding.clear()

    def held(self, method: str) -> bool:
        with self._changed:
            gate = self._holds.get(method)
            if gate is None or method in self._holding:
                return False
            self._holding.add(method)
            self._changed.notify_all()
        gate.wait(60)
        return True

    def fault_for(self, method: str, params: dict[str, Any]) -> Fault | None:
        """The fault planned for this call, if any; the call is recorded as answered so."""
        with self._changed:
            planned = self._faults.get(method)
            if not planned:
                return None
            fault = planned.pop(0)
            self.calls.append(Call(method, params, fault.status, bool(fault.body.get("ok"))))
            self._changed.notify_all()
            return fault

    def record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        age = (
            trigger_age(params.get("trigger_id"))
            if method in ("views.open", "views.push")
            else None
        )
        expired = age is not None and age > TRIGGER_SECONDS
        with self._changed:
            refused = self._react(method, params)
            ok = not expired and refused is None
            self.calls.append(Call(method, params, ok=ok, trigger_age=age))
            self._changed.notify_all()
        if expired:
            return {"ok": False, "error": "expired_trigger_id"}
        if refused is not None:
            return {"ok": False, "error": refused}
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER,
                "bot_id": "BCAPEX",
                "team_id": TEAM,
                "user": "capex",
            }
        if method in ("chat.postMessage", "chat.update"):
            channel = str(params.get("channel", ""))
            if channel.startswith("U"):  # posting to a user opens the app's DM with them
                channel = "D" + channel[1:]
            ts = params.get("ts") or f"1700000000.{next(self._ts):06d}"
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {"text": params.get("text")},
            }
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method.startswith("views."):
            return {"ok": True, "view": {"id": "V0TEST"}}
        return {"ok": True}

    def _react(self, method: str, params: dict[str, Any]) -> str | None:
        """Apply reactions.add / reactions.remove; Slack's error when it refuses, else None."""
        if method not in ("reactions.add", "reactions.remove"):
            return None
        key = (str(params.get("channel")), str(params.get("timestamp")), str(params.get("name")))
        if method == "reactions.add":
            if key in self.reactions:
                return "already_reacted"
            self.reactions.add(key)
        elif key in self.reactions:
            self.reactions.remove(key)
        else:
            return "no_reaction"
        return None

    def of(self, method: str) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.method == method]

    def delivered(self, method: str) -> list[Call]:
        """The calls of ``method`` the fake accepted (not the ones it failed on purpose)."""
        return [c for c in self.of(method) if c.ok and c.status == 200]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls of ``method`` once there are at least ``count`` (fails after ``timeout``)."""
        with self._changed:
            ok = self._changed.wait_for(
                lambda: len([c for c in self.calls if c.method == method]) >= count, timeout
            )
            found = [c for c in self.calls if c.method == method]
        assert ok, f"expected {count} {method} call(s), got {len(found)}: {self.summary()}"
        return found

    def summary(self) -> list[str]:
        with self._changed:
            return [c.method for c in self.calls]

    def reset(self) -> None:
        with self._changed:
            self.calls.clear()
