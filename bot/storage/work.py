"""Slack deliveries as durable work: stored at the ack, taken under a lease, finished once.

A replica takes an item by moving it to ``running`` with itself as ``owner`` and a lease
(``lease_until``) that its recovery sweep keeps renewing while the work runs. Every move is
one conditional UPDATE, so of two replicas (or a Slack retry and the first delivery) exactly
one wins, on SQLite and PostgreSQL alike. When a replica dies, its leases run out and another
replica's sweep takes the items over; a pending item nobody took (the process died right after
the ack) is taken over once it is older than a few seconds.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.storage.models import WorkItem, WorkPost, utcnow

OPEN = ("pending", "running")


@dataclass(frozen=True)
class Work:
    """A stored delivery as the Slack layer replays it."""

    key: str
    kind: str
    body: dict[str, Any]
    request_id: str | None
    status: str
    attempts: int
    created_at: datetime


def process_owner() -> str:
    """This process, as the owner of the work it runs: host, pid and a random suffix."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


class WorkItems:
    def __init__(self, engine: Engine, owner: str | None = None, lease: float = 15.0) -> None:
        self.owner = owner or process_owner()
        self.lease = timedelta(seconds=lease)
        self._session = sessionmaker(engine, expire_on_commit=False)

    def accept(
        self,
        key: str,
        kind: str,
        body: dict[str, Any],
        request_id: str | None,
        created_at: datetime | None = None,
    ) -> bool:
        """Store a delivery; False when its key is known already (a redelivery)."""
        now = utcnow()
        item = WorkItem(
            key=key,
            kind=kind,
            body=body,
            request_id=request_id,
            status="pending",
            attempts=0,
            created_at=created_at or now,
            updated_at=now,
        )
        try:
            with self._session.begin() as session:
                session.add(item)
        except IntegrityError:
            return False
        return True

    def claim(self, key: str) -> bool:
        """Take the item for this process: True for exactly one caller while it is open."""
        now = utcnow()
        return self._update(
            update(WorkItem)
            .where(
                WorkItem.key == key,
                or_(
                    WorkItem.status == "pending",
                    (WorkItem.status == "running") & (WorkItem.lease_until < now),
                ),
            )
            .values(
                status="running",
                owner=self.owner,
                lease_until=now + self.lease,
                updated_at=now,
            )
        )

    def begin(self, key: str) -> bool:
        """The work of this process's item starts: one more attempt. Counted here, not at the
        claim: an item claimed and cut (the replica killed) while it waited in a queue did
        not fail, and must not be given up for it."""
        return self._update(
            update(WorkItem)
            .where(WorkItem.key == key, WorkItem.owner == self.owner)
            .values(attempts=WorkItem.attempts + 1)
        )

    def finish(self, key: str, error: str | None = None) -> bool:
        """Mark this process's item done (or failed, with why); False if it was taken over."""
        return self._update(
            update(WorkItem)
            .where(WorkItem.key == key, WorkItem.owner == self.owner)
            .values(
                status="failed" if error else "done",
                owner=None,
                lease_until=None,
                error=error,
                updated_at=utcnow(),
            )
        )

    def release(self, key: str) -> bool:
        """Give this process's item back, to be taken again (by the sweep, from any replica)."""
        return self._update(
            update(WorkItem)
            .where(WorkItem.key == key, WorkItem.owner == self.owner)
            .values(status="pending", owner=None, lease_until=None, updated_at=utcnow())
        )

    def renew(self) -> int:
        """Extend the lease of every item this process is running; returns how many."""
        now = utcnow()
        with self._session.begin() as session:
            result = session.execute(
                update(WorkItem)
                .where(WorkItem.owner == self.owner, WorkItem.status == "running")
                .values(lease_until=now + self.lease)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    def due(self, older_than: float, limit: int = 20) -> list[Work]:
        """Items to take over: pending for ``older_than`` seconds, or running on a lapsed lease."""
        now = utcnow()
        query = (
            select(WorkItem)
            .where(
                or_(
                    (WorkItem.status == "pending")
                    & (WorkItem.created_at < now - timedelta(seconds=older_than)),
                    (WorkItem.status == "running") & (WorkItem.lease_until < now),
                )
            )
            .order_by(WorkItem.created_at)
            .limit(limit)
        )
        with self._session() as session:
            return [_work(row) for row in session.scalars(query)]

    def get(self, key: str) -> Work | None:
        with self._session() as session:
            row = session.get(WorkItem, key)
            return _work(row) if row else None

    def backlog(self) -> int:
        """Items acknowledged and not finished, on every replica."""
        query = select(func.count()).select_from(WorkItem).where(WorkItem.status.in_(OPEN))
        with self._session() as session:
            return int(session.scalar(query) or 0)

    def purge(self, older_than: timedelta) -> int:
        """Forget finished items (the messages they carry, and the record of their posts) after
        ``older_than``."""
        finished = (WorkItem.status.not_in(OPEN)) & (WorkItem.updated_at < utcnow() - older_than)
        with self._session.begin() as session:
            session.execute(
                delete(WorkPost).where(WorkPost.work_key.in_(select(WorkItem.key).where(finished)))
            )
            result = session.execute(delete(WorkItem).where(finished))
            return int(result.rowcount)  # type: ignore[attr-defined]

    def _update(self, statement: Any) -> bool:
        with self._session.begin() as session:
            return session.execute(statement).rowcount == 1  # type: ignore[attr-defined, no-any-return]


def _work(row: WorkItem) -> Work:
    return Work(
        key=row.key,
        kind=row.kind,
        body=row.body,
        request_id=row.request_id,
        status=row.status,
        attempts=row.attempts,
        created_at=row.created_at,
    )
