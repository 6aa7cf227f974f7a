"""A local stand-in for Slack's Web API: records every call and answers ``ok``.

The app under test gets ``SLACK_API_URL`` pointing here, so the tests can assert on what the
app sent (``views.open``, ``chat.postMessage``...) without any network. Like Slack, it refuses
a trigger older than 3 s, keeps the messages posted (with their message metadata) and gives
them back through ``conversations.history`` and ``conversations.replies`` (the metadata only
with ``include_all_metadata``); a second post carrying the same metadata as an earlier one (the
same work item's same post) is accepted, as Slack would, and flagged in ``duplicates``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
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
        self._lands: set[str] = set()  # held calls that reach "Slack" before the answer is lost
        self._hold_where: dict[str, Callable[[dict[str, Any]], bool]] = {}
        self.socket_url: str | None = None  # what apps.connections.open hands out
        #: Seconds between Slack taking a post and its answer reaching the app (Slack's own
        #: latency); a process killed meanwhile never learns its post went out.
        self.post_latency = 0.0
        self._answering: Counter[str] = Counter()  # posts in that latency, by the client's origin
        self._changed = threading.Condition()
        #: Reactions on messages now, as (channel, ts, name): reactions.add puts one on,
        #: reactions.remove takes it off; either fails as Slack does when it cannot.
        self.reactions: set[tuple[str, str, str]] = set()
        self._last_ts = 0
        self.messages: dict[str, list[dict[str, Any]]] = {}  # by channel, oldest first
        self.duplicates: list[dict[str, Any]] = []  # posts whose metadata was posted before
        self._tagged: dict[str, str] = {}  # metadata (as JSON) -> ts of its first post
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                self._serve(path, dict(parse_qsl(query)))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(parse_qsl(raw))
                path, _, query = self.path.partition("?")
                self._serve(path, {**dict(parse_qsl(query)), **params})

            def _serve(self, path: str, params: dict[str, Any]) -> None:
                # /api/<method>, or /api/<origin>/<method> for a client given its own base URL
                *prefix, method = path.split("/")
                origin = prefix[-1] if len(prefix) > 2 else ""
                if fake.held(method, params):
                    self.close_connection = True
                    return  # dropped: the call never reached "Slack"
                fault = fake.fault_for(method, params)
                answer = fake.record(method, params) if fault is None else fault.body
                if method == "chat.postMessage" and fake.post_latency:
                    with fake.answering(origin):  # the post is in; its answer is on the way
                        time.sleep(fake.post_latency)
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

    def hold(
        self,
        method: str,
        *,
        lands: bool = False,
        where: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Hold the next call of ``method`` (the next one ``where`` accepts) until
        :meth:`release`, then drop it unanswered, as if the app died while the call was on the
        wire (see ``holding``). With ``lands``, Slack has taken the call (a post is in the
        channel) before the answer is lost."""
        with self._changed:
            self._holds[method] = threading.Event()
            self._hold_where[method] = where or (lambda params: True)
            if lands:
                self._lands.add(method)

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
            self._lands.clear()

    def held(self, method: str, params: dict[str, Any]) -> bool:
        with self._changed:
            gate = self._holds.get(method)
            if gate is None or method in self._holding or not self._hold_where[method](params):
                return False
            lands = method in self._lands
        if lands:
            self.record(method, params)
        with self._changed:
            self._holding.add(method)
            self._changed.notify_all()
        gate.wait(60)
        return True

    @contextmanager
    def answering(self, origin: str) -> Iterator[None]:
        with self._changed:
            self._answering[origin] += 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._answering[origin] -= 1

    def posting(self, origins: Collection[str], timeout: float) -> str | None:
        """One of ``origins`` whose post Slack has taken and not answered yet (waiting up to
        ``timeout`` for one), or None."""
        with self._changed:
            self._changed.wait_for(
                lambda: any(self._answering[o] > 0 for o in origins), timeout=timeout
            )
            return next((o for o in origins if self._answering[o] > 0), None)

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
        if method == "chat.postMessage":
            return self._post(params)
        if method == "chat.update":
            return self._update(params)
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": dm(str(params.get("users", "")))}}
        if method in ("conversations.history", "conversations.replies"):
            return self._read(method, params)
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

    def _post(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = dm(str(params.get("channel", "")))
        metadata = params.get("metadata")
        if isinstance(metadata, str):  # form-encoded calls send it as JSON text
            metadata = json.loads(metadata)
        with self._changed:
            ts = self._next_ts()
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": "BCAPEX",
                "ts": ts,
                "text": params.get("text"),
                "thread_ts": params.get("thread_ts"),
                "metadata": metadata,
            }
            self.messages.setdefault(channel, []).append(message)
            if metadata:
                tag = json.dumps(metadata, sort_keys=True)
                if tag in self._tagged:
                    self.duplicates.append({"channel": channel, "ts": ts, **metadata})
                self._tagged.setdefault(tag, ts)
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": params.get("text")}}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = dm(str(params.get("channel", ""))), str(params.get("ts"))
        with self._changed:
            for message in self.messages.get(channel, []):
                if message["ts"] == ts:
                    message["text"] = params.get("text")
        return {"ok": True, "channel": channel, "ts": ts, "message": {"text": params.get("text")}}

    def _read(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """One page of a channel's history (newest first, top-level messages) or of a thread
        (oldest first, the parent and its replies), as Slack pages them by cursor."""
        channel = str(params.get("channel", ""))
        oldest = float(params.get("oldest") or 0)
        limit = int(params.get("limit") or (100 if method == "conversations.history" else 1000))
        start = int(params.get("cursor") or 0)
        with_metadata = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._changed:
            found = [m for m in self.messages.get(channel, []) if float(m["ts"]) > oldest]
        if method == "conversations.history":
            found = [m for m in reversed(found) if m["thread_ts"] in (None, m["ts"])]
        else:
            thread = str(params.get("ts"))
            found = [m for m in found if thread in (m["ts"], m["thread_ts"])]
        page = [
            {
                key: value
                for key, value in message.items()
                if value is not None and (with_metadata or key != "metadata")
            }
            for message in found[start : start + limit]
        ]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _next_ts(self) -> str:
        """A message ts as Slack makes them: the time in microseconds, unique, increasing."""
        self._last_ts = max(self._last_ts + 1, time.time_ns() // 1000)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

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


def dm(channel: str) -> str:
    """Posting to a user opens the app's DM with them."""
    return "D" + channel[1:] if channel.startswith("U") else channel
