"""The recovery sweep: every replica finishes acknowledged deliveries nobody finished.

Every ``interval`` seconds it writes down what waited for the database, renews the leases of
the work running here, moves spooled deliveries into the database, and takes over items that
are due: pending for longer than ``recover_after`` (their process died right after the ack)
or running on a lapsed lease (their replica died mid-work). A taken item is replayed through
the app as Slack sent it, so the same listener answers it, under its original request id.
After ``max_attempts`` the user is told it could not be answered.

The leases are also renewed by a heartbeat thread of their own: a sweep replays what it takes
one item after another, and a long pass would otherwise let this replica's running work lapse
and be taken over (and stopped: :mod:`bot.slack.posts`) while it is alive and busy.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from slack_bolt import App, BoltRequest

from bot.ops.context import serving
from bot.ops.metrics import BACKLOG, ERRORS, RECOVERED, SPOOLED
from bot.slack.durable import Ledger, unavailable
from bot.slack.failures import tell
from bot.storage.work import Work

log = logging.getLogger(__name__)

GAVE_UP = (
    "Sorry, I could not answer this after several tries. Please ask again, and if it keeps "
    "happening, tell the finance team."
)
PURGE_EVERY = 3600.0


class Recovery:
    def __init__(
        self,
        app: App,
        ledger: Ledger,
        *,
        interval: float = 2.0,
        max_attempts: int = 3,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self.app = app
        self.ledger = ledger
        self.interval = interval
        self.max_attempts = max_attempts
        self.retention = retention
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._heartbeat: threading.Thread | None = None
        self._reachable_since: float | None = None
        self._purged_at = 0.0

    def start(self) -> Recovery:
        self._thread = threading.Thread(target=self._run, name="capexbot-recovery", daemon=True)
        self._thread.start()
        self._heartbeat = threading.Thread(target=self._beat, name="capexbot-leases", daemon=True)
        self._heartbeat.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in (self._thread, self._heartbeat):
            if thread is not None:
                thread.join(timeout=10)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.ledger.work.renew()
            except Exception as exc:
                if not unavailable(exc):
                    ERRORS.labels("recovery").inc()
                    log.exception("renewing the leases failed")

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sweep()
            except Exception:
                ERRORS.labels("recovery").inc()
                log.exception("recovery sweep failed")

    def sweep(self) -> int:
        """One pass; returns how many deliveries it replayed."""
        SPOOLED.set(len(self.ledger.spool))
        try:
            self.ledger.flush()
        except Exception as exc:
            if not unavailable(exc):
                raise
            self._reachable_since = None
            return 0
        now = time.monotonic()
        if self._reachable_since is None:
            # The database is back (or this replica just started): give every replica one
            # pass to write down what it finished meanwhile before taking anything over.
            self._reachable_since = now
            return 0
        if now - self._reachable_since < self.interval:
            return 0
        due = self.ledger.work.due(self.ledger.recover_after)
        replayed = sum(self._take_over(item) for item in due)
        BACKLOG.set(self.ledger.work.backlog())
        SPOOLED.set(len(self.ledger.spool))
        if now - self._purged_at > PURGE_EVERY:
            self._purged_at = now
            self.ledger.work.purge(self.retention)
        return replayed

    def _take_over(self, item: Work) -> bool:
        if not self.ledger.work.claim(item.key):
            return False  # another replica was quicker
        if item.attempts >= self.max_attempts:
            log.error("%s failed %d times; giving up", item.key, item.attempts)
            self.ledger.finish(item.key, error="gave up")
            try:
                tell(self.app.client, item.body, GAVE_UP)
            except Exception:
                log.exception("could not tell the user about %s", item.key)
            return False
        with serving(item.request_id, kind=item.kind, replaying=item.key):
            log.info(
                "recovering %s, acknowledged at %s (attempt %d)",
                item.key,
                item.created_at.isoformat(),
                item.attempts + 1,
            )
            try:
                response = self.app.dispatch(BoltRequest(body=item.body, mode="socket_mode"))
            except Exception:
                self.ledger.give_back(item.key)
                raise
        if response.status == 404:  # no listener takes it any more: nothing to answer
            self.ledger.finish(item.key)
            return False
        RECOVERED.inc()
        return True
