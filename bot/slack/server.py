"""Serving: Socket Mode with an app token, else HTTP (``POST /slack/events``, ``GET /healthz``).

The HTTP server is the standard library's WSGI server with one thread per request: Bolt
acknowledges in the request thread and runs the lazy work on its own thread pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler

log = logging.getLogger(__name__)


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def wsgi_app(app: App) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    slack = SlackRequestHandler(app)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return slack(environ, start_response)  # type: ignore[arg-type]

    return application


def http_server(app: App, host: str, port: int) -> WSGIServer:
    """A server bound to ``host:port`` (port 0: any free one); call ``serve_forever``."""
    return make_server(
        host, port, wsgi_app(app), server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )


def socket_mode(app: App, app_token: str) -> SocketModeHandler:
    """A Socket Mode connection for ``app``: ``start()`` blocks, ``connect()`` does not.

    It asks ``apps.connections.open`` through the app's client, so ``SLACK_API_URL`` applies."""
    return SocketModeHandler(app, app_token, web_client=app.client)
