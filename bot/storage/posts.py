"""The Slack posts of each work item: what it meant to post, and what Slack took.

Only the process holding a work item may record an intent for it, and the check is made in
the intent's own transaction by touching the work item's row (a write, so PostgreSQL locks the
row and SQLite serialises the transaction): either the intent is stored before another replica
takes the item over, and that replica sees it, or the take-over came first and the intent is
refused. A replica replaying the item therefore knows every post that may have been sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import CapexbotError
from bot.storage.models import WorkItem, WorkPost, utcnow


@dataclass(frozen=True)
class Post:
    """One post of a work item as recorded: posted when ``ts`` is known."""

    work_key: str
    seq: int
    method: str
    channel: str
    thread_ts: str | None
    owner: str
    intended_at: datetime
    posted_channel: str | None
    ts: str | None


class NotHeld(CapexbotError):
    """This process no longer holds the work item (another replica took it over): it must not
    post for it any more."""


class WorkPosts:
    def __init__(self, engine: Engine, owner: str) -> None:
        self.owner = owner
        self._session = sessionmaker(engine, expire_on_commit=False)

    def intend(
        self, key: str, seq: int, method: str, channel: str, thread_ts: str | None
    ) -> Post | None:
        """Record that this process is about to send post ``seq`` of ``key``: None when it is
        recorded now (send it), else the earlier record (posted, or intended by a run that
        did not say how it went). Raises :class:`NotHeld` if the item is not this process's."""
        try:
            with self._session.begin() as session:
                self._hold(session, key)
                earlier = session.get(WorkPost, (key, seq))
                if earlier is not None:
                    return _post(earlier)
                session.add(
                    WorkPost(
                        work_key=key,
                        seq=seq,
                        method=method,
                        channel=channel,
                        thread_ts=thread_ts,
                        owner=self.owner,
                        intended_at=utcnow(),
                    )
                )
        except IntegrityError as exc:  # another process recorded it meanwhile: not ours now
            raise NotHeld(key) from exc
        return None

    def intend_again(self, key: str, seq: int) -> None:
        """An earlier intent was looked for in Slack and is not there: this process sends it."""
        with self._session.begin() as session:
            self._hold(session, key)
            session.execute(
                update(WorkPost)
                .where(WorkPost.work_key == key, WorkPost.seq == seq)
                .values(owner=self.owner, intended_at=utcnow())
            )

    def posted(self, key: str, seq: int, channel: str, ts: str) -> None:
        """Slack took the post (it answered, or it was found there by its tag)."""
        with self._session.begin() as session:
            session.execute(
                update(WorkPost)
                .where(WorkPost.work_key == key, WorkPost.seq == seq)
                .values(posted_channel=channel, ts=ts)
            )

    def of(self, key: str) -> list[Post]:
        query = select(WorkPost).where(WorkPost.work_key == key).order_by(WorkPost.seq)
        with self._session() as session:
            return [_post(row) for row in session.scalars(query)]

    def _hold(self, session: Session, key: str) -> None:
        """Touch the work item's row if this process holds it (locking it until commit)."""
        held = session.execute(
            update(WorkItem)
            .where(
                WorkItem.key == key,
                WorkItem.owner == self.owner,
                WorkItem.status == "running",
                WorkItem.lease_until > utcnow(),
            )
            .values(updated_at=utcnow())
        )
        if held.rowcount != 1:  # type: ignore[attr-defined]
            raise NotHeld(key)


def _post(row: WorkPost) -> Post:
    return Post(
        work_key=row.work_key,
        seq=row.seq,
        method=row.method,
        channel=row.channel,
        thread_ts=row.thread_ts,
        owner=row.owner,
        intended_at=row.intended_at,
        posted_channel=row.posted_channel,
        ts=row.ts,
    )
