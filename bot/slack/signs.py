"""A sign of life on a mention: a reaction on the message within a second, taken off when the
answer is posted.

Answers are CPU-bound and may queue behind others, so the reaction is not left to the answer's
worker: the acknowledgement hands it to a small pool of its own and returns (the ack never
waits for a Web API call). The answer's worker waits for that reaction before removing it, so
a fast answer cannot remove it before it was added. A failed reaction is logged and never
stops the answer.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ops.context import ContextExecutor

log = logging.getLogger(__name__)

#: The reaction that says "I read this and I am working on it".
WORKING = "hourglass_flowing_sand"
#: How long the answer waits for its reaction to land before removing it anyway.
WAIT = 5.0


class Signs:
    def __init__(self, workers: int = 2) -> None:
        self._pool = ContextExecutor(max_workers=workers, thread_name_prefix="capexbot-sign")
        self._lock = threading.Lock()
        self._shown: dict[tuple[str, str], Future[bool]] = {}

    def working(self, client: WebClient, channel: str, ts: str) -> None:
        """Put the reaction on the message, in the background."""
        future = self._pool.submit(self._react, client, "reactions_add", channel, ts)
        with self._lock:
            self._shown[(channel, ts)] = future

    def done(self, client: WebClient, channel: str, ts: str) -> None:
        """Take the reaction off (the answer is posted); waits for it to have landed."""
        with self._lock:
            future = self._shown.pop((channel, ts), None)
        if future is not None:
            try:
                future.result(timeout=WAIT)
            except FutureTimeout:
                log.warning("the working reaction on %s %s did not land in time", channel, ts)
        # Also when this process did not add it (a replay after a restart, another replica):
        # Slack answers no_reaction if there is none, and that is fine.
        self._react(client, "reactions_remove", channel, ts)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _react(client: WebClient, method: str, channel: str, ts: str) -> bool:
        try:
            getattr(client, method)(channel=channel, timestamp=ts, name=WORKING)
            return True
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            if error not in ("already_reacted", "no_reaction"):
                log.warning("slack %s failed: %s", method, error)
            return False
        except Exception:
            log.exception("slack %s failed", method)
            return False
