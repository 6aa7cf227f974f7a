"""The HTTP server of ``capexbot serve --http``: waitress, with the limits Slack's traffic needs.

Why waitress (measured against the standard library's ``wsgiref``, see the README): it reads
each request, headers and body, in one event loop and hands only complete requests to its
worker threads, so a connection that sends half a request holds no worker and is closed after
``read_timeout`` seconds without a byte; it refuses a body over the limit from its
``Content-Length`` before reading it; and it is pure Python, embeddable in the process that
also runs the background work and the recovery sweep (a pre-forking server would split them).

The requests waitress refuses itself (too large, a request line or header that is not HTTP)
get the same treatment as the app's own refusals: a request id, a metric, a JSON log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

from bot.ops.context import serving
from bot.ops.metrics import ERRORS, REQUESTS
from bot.slack.guard import MAX_BODY

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Worker threads for acknowledgements: each is a signature check, a parse and a database write
#: (mostly waiting on I/O; the answers themselves run on the app's own pool). Fewer queued a
#: burst of 1,000 requests from 64 senders behind one another (see the README's load figures).
THREADS = 32
#: Seconds a connection may stay silent, mid-request or idle between requests, before it is
#: closed.
READ_TIMEOUT = 30
#: Seconds a stopping server waits for the requests in progress to be answered.
GRACE = 10.0

_MESSAGES = {413: "The request body is too large for a Slack request."}


class _RefusalTask(ErrorTask):  # type: ignore[misc]
    """Waitress's answer to a request it refuses before the app sees it."""

    def execute(self) -> None:
        error = self.request.error
        status, headers, body = error.to_response(self.channel.server.adj.ident)
        code = int(error.code)
        if code in _MESSAGES:
            body = _MESSAGES[code].encode()
        with serving() as scope:
            self.status = status
            self.response_headers.extend([*headers, ("X-Request-Id", scope.request_id)])
            self.set_close_on_finish()
            self.content_length = len(body)
            self.write(body)
            REQUESTS.labels("other", str(code)).inc()
            if code >= 500:
                ERRORS.labels("request").inc()
            log.info(
                "refused before the app: %d %s",
                code,
                error.reason,
                extra={"kind": "other", "status": code, "why": str(error.body)[:200]},
            )


class _Channel(HTTPChannel):  # type: ignore[misc]
    error_task_class = _RefusalTask


class _Server(TcpWSGIServer):  # type: ignore[misc]
    channel_class = _Channel


class HttpServer:
    """``application`` served on ``host:port`` (port 0: any free one).

    ``serve_forever`` blocks; ``shutdown`` (from another thread) stops accepting connections,
    lets the requests in progress be answered, then makes ``serve_forever`` return."""

    def __init__(
        self,
        application: WSGIApp,
        host: str,
        port: int,
        *,
        threads: int = THREADS,
        read_timeout: int = READ_TIMEOUT,
    ) -> None:
        adjustments = Adjustments(
            host=host,
            port=port,
            threads=threads,
            channel_timeout=read_timeout,
            cleanup_interval=max(1, min(read_timeout, 30)),
            # waitress refuses a Content-Length at or above this, before reading the body
            max_request_body_size=MAX_BODY + 1,
            connection_limit=1000,
            ident="capexbot",
        )
        self._map: dict[int, Any] = {}
        self._server = _Server(application, map=self._map, adj=adjustments)
        self._stopped = False

    @property
    def server_port(self) -> int:
        return int(self._server.effective_port)

    def serve_forever(self) -> None:
        self._server.run()

    def shutdown(self, grace: float = GRACE) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._in_loop(lambda: wasyncore.dispatcher.close(self._server))
        deadline = time.monotonic() + grace
        while self._busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        self._in_loop(lambda: wasyncore.close_all(self._map))
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=grace)
        deadline = time.monotonic() + grace
        while self._map and time.monotonic() < deadline:
            time.sleep(0.02)

    def server_close(self) -> None:
        """Close what is still open (the loop closes everything itself on ``shutdown``)."""
        with suppress(OSError):
            wasyncore.close_all(self._map)

    def _in_loop(self, step: Callable[[], object]) -> None:
        """Run ``step`` in the event loop's thread (the loop owns its sockets). A trigger that
        is closed already means the loop has closed everything: nothing is left to do."""
        with suppress(OSError):
            self._server.trigger.pull_trigger(step)

    def _busy(self) -> bool:
        """Whether a request is being answered or its answer is still being sent."""
        try:
            channels = list(self._server.active_channels.values())
        except RuntimeError:  # the event loop changed the dict while it was read
            return True
        return any(ch.requests or ch.total_outbufs_len for ch in channels)
