"""Slack posts made once per work item, whatever crashes, leases and replays happen around them.

A listener's work may be cut at any point and replayed (:mod:`bot.slack.recovery`); without a
record of its posts, a replay posts the answer, the receipt or the finance post a second time.
:class:`OncePoster` is the Web API client a work item's listener gets. It numbers the item's
posts in the order the listener makes them (a replay makes them in the same order) and, for
each one:

1. records the intent (:mod:`bot.storage.posts`; only the process holding the item can);
2. posts it to Slack tagged with message metadata, ``{"event_type": "capexbot_post",
   "event_payload": {"work": <work item>, "post": <number>}}``;
3. records the ``ts`` Slack answered. When the answer is lost (a dropped connection, a 5xx),
   the post may be in Slack or not: it is looked for by its tag before it is sent again.

On a replay, a post recorded with its ``ts`` is not sent again (the listener gets the first
answer back). A post intended but never recorded as sent may or may not be in Slack (the
process died between the call and the record): it is looked for in its channel or thread by
its tag (``conversations.history`` / ``conversations.replies`` with ``include_all_metadata``),
after waiting until a call made at the intent has surely landed; found, its ``ts`` is recorded
and it is not sent again; not found, it is sent. Ephemeral messages cannot be read back, so an
ephemeral intended but not recorded is sent again. Updates (``chat.update``,
``views.publish``) replace what they replace and need no record.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.web import SlackResponse

from bot.ops.metrics import SLACK_RETRIES
from bot.storage.posts import WorkPosts

log = logging.getLogger(__name__)

EVENT_TYPE = "capexbot_post"
#: Posts recorded (and tagged, for chat.postMessage) per work item.
RECORDED = ("chat.postMessage", "chat.postEphemeral")
#: Seconds after an intent by which a call made then has reached Slack, if it ever does: a
#: replay looks for the post only after that (the process that meant to send it lost its
#: lease first, so it is dead or no longer allowed to send).
LANDING = 3.0
#: The app's clock and Slack's may differ: a post is looked for from this long before its
#: intent.
SKEW = 300.0
PAGE = 200
#: Sends of one post whose answer is lost each time, before its work fails.
SENDS = 3


class OncePoster(WebClient):
    """The Web API client of one work item's listener (a copy of the client Bolt gave it)."""

    def __init__(self, client: WebClient, posts: WorkPosts, key: str) -> None:
        super().__init__(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=client.headers,
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=client.retry_handlers,
        )
        self.posts = posts
        self.key = key
        self._seq = 0
        # Posts go out through a client that does not send them again by itself when Slack's
        # answer is lost (a dropped connection, a 5xx): the post may be in Slack already, so it
        # is looked for first. Rate limits are retried: Slack did not take the call.
        self._sender = WebClient(
            token=self.token,
            base_url=self.base_url,
            timeout=self.timeout,
            ssl=self.ssl,
            proxy=self.proxy,
            headers=self.headers,
            team_id=self.default_params.get("team_id"),
            logger=self.logger,
            retry_handlers=[
                handler
                for handler in client.retry_handlers
                if not isinstance(handler, ServerErrorRetryHandler | ConnectionErrorRetryHandler)
            ],
        )

    def api_call(  # type: ignore[override]
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        if api_method not in RECORDED or json is None:
            return super().api_call(
                api_method,
                http_verb=http_verb,
                files=files,
                data=data,
                params=params,
                json=json,
                headers=headers,
                auth=auth,
            )
        self._seq += 1
        return self._once(api_method, self._seq, json)

    def _once(self, method: str, seq: int, payload: dict[str, Any]) -> SlackResponse:
        channel = str(payload.get("channel") or "")
        thread_ts = payload.get("thread_ts")
        earlier = self.posts.intend(self.key, seq, method, channel, thread_ts)
        if earlier is not None:
            if earlier.ts is not None:
                log.info("%s post %d is in Slack already (ts %s)", self.key, seq, earlier.ts)
                return self._answered(method, earlier.posted_channel or channel, earlier.ts)
            since = _aware(earlier.intended_at).timestamp()
            found = self._find(method, seq, channel, thread_ts, since)
            if found is not None:
                return found
        if method == "chat.postMessage":
            payload = {**payload, "metadata": tag(self.key, seq)}
        for attempt in range(1, SENDS + 1):
            if attempt > 1 or earlier is not None:
                self.posts.intend_again(self.key, seq)  # still ours, and sent from now
            since = time.time()
            try:
                response = self._sender.api_call(method, json=payload)
            except (OSError, SlackApiError) as exc:
                if attempt == SENDS or not _unknown(exc):
                    raise
                log.warning("%s post %d: Slack's answer was lost (%r)", self.key, seq, exc)
                SLACK_RETRIES.labels(
                    "server_error" if isinstance(exc, SlackApiError) else "connection"
                ).inc()
                found = self._find(method, seq, channel, thread_ts, since)
                if found is not None:
                    return found
                continue
            ts = response.get("ts") or response.get("message_ts")
            if ts:
                self.posts.posted(self.key, seq, str(response.get("channel") or channel), str(ts))
            return response
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _find(
        self, method: str, seq: int, channel: str, thread_ts: str | None, since: float
    ) -> SlackResponse | None:
        """Slack's answer for a post sent at ``since`` whose outcome is unknown, if Slack has
        it (found by its tag, and recorded now); None when it is not there. Ephemeral
        messages cannot be read back: None."""
        if method != "chat.postMessage":
            return None
        time.sleep(max(0.0, since + LANDING - time.time()))
        try:
            conversation = self._conversation(channel)
            oldest = f"{since - SKEW:.6f}"
            if thread_ts:
                pages = self.conversations_replies(
                    channel=conversation,
                    ts=thread_ts,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=PAGE,
                )
            else:
                pages = self.conversations_history(
                    channel=conversation, oldest=oldest, include_all_metadata=True, limit=PAGE
                )
            ts = next(
                (
                    str(message["ts"])
                    for page in pages
                    for message in page.get("messages") or []
                    if is_tagged(message, self.key, seq)
                ),
                None,
            )
        except SlackApiError as exc:
            # Cannot tell (a scope missing, the channel gone): a second post beats none.
            log.warning(
                "could not look for %s post %d in Slack (%s); posting it again",
                self.key,
                seq,
                exc.response.get("error"),
            )
            return None
        if ts is None:
            return None
        log.info("%s post %d found in Slack by its tag (ts %s)", self.key, seq, ts)
        self.posts.posted(self.key, seq, conversation, ts)
        return self._answered(method, conversation, ts)

    def _conversation(self, channel: str) -> str:
        """The conversation a post went to: a user id names the app's DM with them."""
        if channel[:1] in ("U", "W"):
            return str(self.conversations_open(users=channel)["channel"]["id"])
        return channel

    def _answered(self, method: str, channel: str, ts: str) -> SlackResponse:
        """What the listener would have got from Slack for the post made earlier."""
        data = {"ok": True, "channel": channel, "ts": ts}
        if method == "chat.postEphemeral":
            data = {"ok": True, "message_ts": ts}
        return SlackResponse(
            client=self,
            http_verb="POST",
            api_url=f"{self.base_url}{method}",
            req_args={},
            data=data,
            headers={},
            status_code=200,
        )


def tag(key: str, seq: int) -> dict[str, Any]:
    """The message metadata a work item's post carries."""
    return {"event_type": EVENT_TYPE, "event_payload": {"work": key, "post": seq}}


def is_tagged(message: dict[str, Any], key: str, seq: int) -> bool:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(
        metadata.get("event_type") == EVENT_TYPE
        and payload.get("work") == key
        and str(payload.get("post")) == str(seq)
    )


def _unknown(exc: BaseException) -> bool:
    """Whether Slack may have taken a call that failed so (no answer, or a server error)."""
    if isinstance(exc, SlackApiError):
        return int(getattr(exc.response, "status_code", 0) or 0) >= 500
    return isinstance(exc, OSError)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
