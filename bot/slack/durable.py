"""Deliveries that survive a crash and a database outage, and are answered once.

At the acknowledgement, each event, button click and form submission is stored as a work item
(:mod:`bot.storage.work`), in the request's own thread, before Slack hears back. The listener's
background work then claims it: the first claim wins, on whichever replica, so a Slack retry or
a delivery to two replicas is answered once. If the process dies between the ack and the answer,
the item is still there and the recovery sweep (:mod:`bot.slack.recovery`) answers it.

While the database does not answer, the ack keeps the item in a local spool instead, the user
is told their question is queued, and the sweep finishes it once the database is back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Any

from bot.ops.context import current, request_id
from bot.ops.metrics import ERRORS
from bot.slack.failures import QUEUED, tell
from bot.slack.posts import OncePoster
from bot.storage import Store
from bot.storage.db import Schema, unavailable
from bot.storage.models import utcnow
from bot.storage.posts import NotHeld, WorkPosts
from bot.storage.spool import Spool
from bot.storage.work import WorkItems

log = logging.getLogger(__name__)

#: After the database failed an ack, later acks go straight to the spool for this long, so a
#: database that hangs (rather than refusing) costs one slow ack, not every ack.
COOLDOWN = 2.0

Body = dict[str, Any]


class Start(Enum):
    RUN = "run"  # this process holds the item (or it is not one we track): do the work
    SKIP = "skip"  # done already, or running elsewhere
    QUEUED = "queued"  # the database is unreachable: the item waits for it


#: Top-level fields of a delivery that are not stored with it: the legacy verification token
#: (a credential; the app checks signatures instead and never reads it).
NOT_KEPT = frozenset({"token"})


def work_key(body: Body) -> tuple[str, str] | None:
    """The item's key and kind: events by event id (Slack's retries repeat it), clicks and
    submissions by trigger id (unique per interaction). None for what is not tracked."""
    kind = body.get("type")
    if kind == "event_callback" and body.get("event_id"):
        return f"event:{body['event_id']}", "event"
    if kind in ("block_actions", "view_submission"):
        trigger = body.get("trigger_id") or _digest(body)
        return f"{'action' if kind == 'block_actions' else 'view'}:{trigger}", str(kind)
    return None


class Ledger:
    def __init__(
        self,
        store: Store,
        spool_dir: Path,
        *,
        lease: float = 15.0,
        recover_after: float = 5.0,
        schema: Schema | None = None,
    ) -> None:
        """``schema``: one not migrated yet (the database was down at start); until the sweep
        migrates it, deliveries wait in the spool."""
        self.work = WorkItems(store.engine, lease=lease)
        self.posts = WorkPosts(store.engine, owner=self.work.owner)
        self.schema = schema
        self.spool = Spool(spool_dir)
        self.recover_after = recover_after
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._unfinished: dict[str, str | None] = {}  # finished here, not yet written down
        self._give_back: set[str] = set()  # held here, to release once the database answers

    # --- at the ack ---------------------------------------------------------------------------

    def accept(self, body: Body) -> None:
        """Store the delivery (the database, else the local spool). Never raises: the ack
        must go out whatever happens here."""
        found = work_key(body)
        if found is None:
            return
        key, kind = found
        body = {name: value for name, value in body.items() if name not in NOT_KEPT}
        if self._schema_ready() and time.monotonic() >= self._down_until:
            try:
                self.work.accept(key, kind, body, request_id())
                return
            except Exception as exc:
                self._down_until = time.monotonic() + COOLDOWN
                ERRORS.labels("database").inc()
                log.warning("could not store %s at the ack (%s); spooling it", key, _why(exc))
        try:
            entry = {"kind": kind, "body": body, "request_id": request_id()}
            self.spool.put(key, {**entry, "created_at": utcnow().isoformat()})
        except OSError:
            ERRORS.labels("spool").inc()
            log.exception("could not spool %s either: it is lost if this process stops", key)

    # --- in the background work ---------------------------------------------------------------

    def start(self, body: Body) -> tuple[Start, str | None]:
        """Claim the delivery for this process."""
        found = work_key(body)
        if found is None:
            return Start.RUN, None
        key = found[0]
        scope = current()
        if scope is not None and scope.replaying == key:
            return Start.RUN, key  # the recovery sweep claimed it before replaying it
        if not self._schema_ready():
            return Start.QUEUED, key
        try:
            self._drain(key)
            return (Start.RUN if self.work.claim(key) else Start.SKIP), key
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("database unreachable; %s waits for it (%s)", key, _why(exc))
            return Start.QUEUED, key

    def posting(self, client: Any, key: str) -> OncePoster:
        """The client for the work of ``key``: each post is made once across replays."""
        return OncePoster(client, self.posts, key)

    def finish(self, key: str, error: str | None = None) -> None:
        try:
            if not self.work.finish(key, error):
                log.warning("%s was taken over by another replica while it ran here", key)
        except Exception as exc:
            if not unavailable(exc):
                raise
            with self._lock:
                self._unfinished[key] = error

    def give_back(self, key: str) -> None:
        """The database failed during the work: let the item be taken again once it is back."""
        try:
            self.work.release(key)
        except Exception as exc:
            if not unavailable(exc):
                raise
            with self._lock:
                self._give_back.add(key)

    # --- for the recovery sweep ---------------------------------------------------------------

    def flush(self) -> None:
        """Write down what waited for the database, keep this process's leases alive, and move
        spooled deliveries into the database. Raises while the database is unreachable."""
        if self.schema is not None:
            self.schema.migrate()
        with self._lock:
            unfinished, self._unfinished = self._unfinished, {}
            give_back, self._give_back = self._give_back, set()
        try:
            while unfinished:
                key, error = next(iter(unfinished.items()))
                self.work.finish(key, error)
                del unfinished[key]
            while give_back:
                self.work.release(next(iter(give_back)))
                give_back.pop()
        finally:
            with self._lock:
                self._unfinished.update(unfinished)
                self._give_back.update(give_back)
        self.work.renew()
        for entry in self.spool.entries():
            self._drain(str(entry["key"]), entry)

    def _schema_ready(self) -> bool:
        return self.schema is None or self.schema.ready

    def _drain(self, key: str, entry: dict[str, Any] | None = None) -> None:
        """Move a spooled delivery into the database (a no-op when it is not spooled here)."""
        entry = entry if entry is not None else self.spool.get(key)
        if entry is None:
            return
        created = entry.get("created_at")
        self.work.accept(
            key,
            str(entry["kind"]),
            entry["body"],
            entry.get("request_id"),
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else None,
        )
        self.spool.remove(key)


def acknowledging(
    ledger: Ledger, wanted: Callable[[Body], bool] | None = None
) -> Callable[..., None]:
    """A listener's ack function: store the delivery (if ``wanted``), then acknowledge."""

    def accept_and_ack(ack: Callable[..., Any], body: Body) -> None:
        if wanted is None or wanted(body):
            ledger.accept(body)
        ack()

    return accept_and_ack


def once(
    ledger: Ledger, wanted: Callable[[Body], bool] | None = None
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Wrap a lazy listener (it must take ``body`` and ``client``) so it runs for the first
    claim of its delivery only, with a client that makes each of its posts once across
    replays (:mod:`bot.slack.posts`); a delivery ``wanted`` rejects is ignored altogether."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        @wraps(func)
        def wrapper(**kwargs: Any) -> None:
            body = kwargs["body"]
            if wanted is not None and not wanted(body):
                return
            start, key = ledger.start(body)
            if start is Start.SKIP:
                log.info("%s is handled already; this delivery is skipped", key)
                return
            if start is Start.QUEUED:
                _tell_queued(kwargs["client"], body)
                return
            if key is not None:
                kwargs = {**kwargs, "client": ledger.posting(kwargs["client"], key)}
            try:
                if key is not None:
                    ledger.work.begin(key)
                func(**kwargs)
            except NotHeld:
                log.warning("%s was taken over by another replica; it posts no more here", key)
                return
            except Exception as exc:
                if key is not None and unavailable(exc):
                    log.warning("database unreachable during %s (%s); it waits", key, _why(exc))
                    ledger.give_back(key)
                    _tell_queued(kwargs["client"], body)
                    return
                if key is not None:
                    ledger.finish(key, error=type(exc).__name__)
                raise
            if key is not None:
                ledger.finish(key)

        return wrapper

    return decorate


def _tell_queued(client: Any, body: Body) -> None:
    event = body.get("event") or {}
    if event.get("type") == "message" and event.get("channel_type") != "im":
        return  # a watched channel: only spend questions get a reply, and only with the answer
    try:
        tell(client, body, QUEUED)
    except Exception:
        log.exception("could not tell the user their request is queued")


def _digest(body: Body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _why(exc: BaseException) -> str:
    return type(exc).__name__
