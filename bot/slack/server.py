"""Serving: Socket Mode with an app token, else HTTP (``POST /slack/events``, ``GET /healthz``,
``GET /metrics``).

The HTTP server is waitress (:mod:`bot.slack.http`): Bolt acknowledges in one of its worker
threads and runs the lazy work on its own thread pool. Every request gets an id, carried into
that work, its Web API calls and its audit records; every answer carries it, refusals and
failures included, and every answer is counted and logged as one JSON line.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.ops.context import serving
from bot.ops.metrics import ACK_SECONDS, ERRORS, REQUESTS, exposition
from bot.slack.guard import Guard
from bot.slack.http import READ_TIMEOUT, HttpServer, WSGIApp
from bot.slack.payloads import kind as payload_kind
from bot.storage import Store

log = logging.getLogger(__name__)


def wsgi_app(app: App, store: Store | None = None, signing_secret: str | None = None) -> WSGIApp:
    slack = SlackRequestHandler(app)
    guard = Guard(signing_secret)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/healthz":
            status, report = health(store)
            return _reply(start_response, status, json.dumps(report), "application/json")
        if path == "/metrics":
            data, content_type = exposition()
            start_response("200 OK", [("Content-Type", content_type)])
            return [data]
        with serving() as scope:
            started = time.perf_counter()
            status = 500

            def respond(line: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
                nonlocal status
                status = int(line.split(" ", 1)[0])
                return start_response(line, [*headers, ("X-Request-Id", scope.request_id)], *exc)

            try:
                verdict = guard.check(environ)
                scope.kind = verdict.kind
                if verdict.status is not None:
                    return _reply(respond, verdict.status, verdict.reason, "text/plain")
                return list(slack(environ, respond))  # type: ignore[arg-type]
            except Exception:
                # A defect, not the sender's fault: logged (as JSON, with the request id and
                # the trace), counted, and answered without the trace.
                log.exception("the request could not be served")
                return _reply(respond, 500, "The app failed; see its logs.", "text/plain")
            finally:
                seconds = time.perf_counter() - started
                REQUESTS.labels(scope.kind, str(status)).inc()
                ACK_SECONDS.labels(scope.kind).observe(seconds)
                if status >= 500:
                    ERRORS.labels("request").inc()
                log.info(
                    "%s %s acknowledged %d in %.1f ms",
                    scope.kind,
                    path,
                    status,
                    seconds * 1000,
                    extra={"kind": scope.kind, "status": status, "ms": round(seconds * 1000, 2)},
                )

    return application


def health(store: Store | None) -> tuple[int, dict[str, str]]:
    """200 while the process serves; the body says whether the database answers. (Restarting
    a replica does not mend a database, so health does not fail on it: the app keeps taking
    requests and queues them.)"""
    if store is None:
        return 200, {"status": "ok"}
    try:
        store.ping()
    except Exception as exc:
        return 200, {"status": "degraded", "database": f"unreachable ({type(exc).__name__})"}
    return 200, {"status": "ok", "database": "ok"}


def http_server(
    app: App,
    host: str,
    port: int,
    *,
    store: Store | None = None,
    signing_secret: str | None = None,
    read_timeout: int = READ_TIMEOUT,
) -> HttpServer:
    """A server bound to ``host:port`` (port 0: any free one); call ``serve_forever``."""
    application = wsgi_app(app, store, signing_secret)
    return HttpServer(application, host, port, read_timeout=read_timeout)


class ScopedSocketModeHandler(SocketModeHandler):
    """Socket Mode with a request id and ack timing per envelope, as HTTP mode has."""

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:
        kind = payload_kind(req.payload) if isinstance(req.payload, dict) else "other"
        with serving(kind=kind):
            started = time.perf_counter()
            super().handle(client, req)  # type: ignore[arg-type]
            ACK_SECONDS.labels(kind).observe(time.perf_counter() - started)


def socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """A Socket Mode connection for ``app``: ``start()`` blocks, ``connect()`` does not.

    It asks ``apps.connections.open`` through the app's client, so ``SLACK_API_URL`` applies."""
    return ScopedSocketModeHandler(app, app_token, web_client=app.client)


def _reply(start_response: Callable[..., Any], status: int, text: str, kind: str) -> list[bytes]:
    data = text.encode()
    line = f"{status} {HTTPStatus(status).phrase}"
    start_response(line, [("Content-Type", kind), ("Content-Length", str(len(data)))])
    return [data]
