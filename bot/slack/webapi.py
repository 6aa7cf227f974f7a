"""The Slack Web API client: retries for rate limits, server errors and dropped connections.

``429`` waits as long as Slack's ``Retry-After`` says, then tries again; ``500``/``503`` and
connection failures are retried with a short backoff. Every call is logged (method, HTTP status,
Slack's error if any) under the request id of the work that made it. Bolt copies these handlers
into the client it gives each listener.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.ops.metrics import ERRORS, SLACK_RETRIES

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2


def web_client(token: str | None, base_url: str) -> WebClient:
    base = base_url if base_url.endswith("/") else base_url + "/"
    return WebClient(token=token, base_url=base, retry_handlers=retry_handlers())


def retry_handlers() -> list[RetryHandler]:
    return [
        CallLog(),
        RateLimited(max_retry_count=RATE_LIMIT_RETRIES),
        ServerErrorRetried(max_retry_count=SERVER_ERROR_RETRIES),
        ConnectionRetried(max_retry_count=CONNECTION_RETRIES),
    ]


class CallLog(RetryHandler):
    """Never retries: it sees every response first (the SDK offers each to the handlers in
    turn) and logs it, so the Web API calls of a request show up under its request id."""

    def __init__(self) -> None:
        super().__init__(max_retry_count=1_000_000)

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = _method(request)
        if response is None:
            log.warning("slack api %s: no response (%s)", method, type(error).__name__)
            ERRORS.labels("slack_api").inc()
        elif response.status_code != 200 or not (response.body or {}).get("ok", True):
            slack_error = (response.body or {}).get("error")
            log.warning("slack api %s: HTTP %s %s", method, response.status_code, slack_error or "")
            ERRORS.labels("slack_api").inc()
        else:
            log.info("slack api %s: ok", method)
        return False


class RateLimited(RateLimitErrorRetryHandler):
    def prepare_for_next_attempt(self, **kwargs: Any) -> None:
        response: HttpResponse | None = kwargs.get("response")
        wait = _header(response, "retry-after") if response is not None else None
        log.warning(
            "slack api %s rate-limited: waiting %s s as Retry-After asks",
            _method(kwargs["request"]),
            wait or "1",
        )
        SLACK_RETRIES.labels("rate_limited").inc()
        super().prepare_for_next_attempt(**kwargs)


class ServerErrorRetried(ServerErrorRetryHandler):
    def prepare_for_next_attempt(self, **kwargs: Any) -> None:
        log.warning("slack api %s: server error, retrying", _method(kwargs["request"]))
        SLACK_RETRIES.labels("server_error").inc()
        super().prepare_for_next_attempt(**kwargs)


class ConnectionRetried(ConnectionErrorRetryHandler):
    def prepare_for_next_attempt(self, **kwargs: Any) -> None:
        log.warning("slack api %s: connection failed, retrying", _method(kwargs["request"]))
        SLACK_RETRIES.labels("connection").inc()
        super().prepare_for_next_attempt(**kwargs)


def _method(request: HttpRequest) -> str:
    return request.url.rsplit("/", 1)[-1].split("?", 1)[0]


def _header(response: HttpResponse, name: str) -> str | None:
    for key, values in response.headers.items():
        if key.lower() == name:
            return values[0] if isinstance(values, list) and values else str(values)
    return None
