"""The tables: audit trail, budget requests, approvals, feedback and its review, conversations,
Slack work.

``decisions``, ``approvals``, ``request_events``, ``review_events`` and ``channel_modes`` are
append-only: the
migrations add database triggers that refuse UPDATE and DELETE on them, so the audit trail
cannot be edited through this code or beside it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}  # noqa: RUF012


class WorkItem(Base):
    """A Slack delivery acknowledged and not yet answered, stored at the ack.

    The key (``event:<event id>``, ``action:<trigger id>``...) is the primary key, so a
    redelivery, on any replica, finds the first one instead of adding work. ``status`` moves
    pending → running (``owner`` holds a lease it keeps renewing) → done or failed; a pending
    item nobody took, or a running one whose lease ran out (its replica died), is finished by
    the recovery sweep. See :mod:`bot.storage.work`.
    """

    __tablename__ = "work_items"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column()  # the request as Slack sent it
    request_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_work_items_status_created", "status", "created_at"),)


class WorkPost(Base):
    """A Slack post a work item makes, recorded before it is sent and after Slack took it.

    ``seq`` numbers the work item's posts in the order its listener makes them (a replay makes
    them in the same order). A row with ``ts`` is posted; one without is an intent whose
    outcome nobody wrote down (the process died around the call): before posting it again, a
    replay looks for it in Slack by the metadata tag every post carries. See
    :mod:`bot.slack.posts`.
    """

    __tablename__ = "work_posts"

    work_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    method: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(64))  # as the listener named it (a user id: DM)
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(100))  # the process that meant to post it
    intended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    posted_channel: Mapped[str | None] = mapped_column(String(64))  # as Slack answered
    ts: Mapped[str | None] = mapped_column(String(32))


class DecisionRecord(Base):
    """One decision as it was given: who asked, where, the input, and everything it rests on."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The Slack request this decision answered (also in the logs of that request); one
    #: decision per request, so a request replayed after a crash is not recorded twice.
    request_id: Mapped[str | None] = mapped_column(String(32), index=True, unique=True)
    surface: Mapped[str] = mapped_column(String(20))  # mention, channel, dm, assistant, form, cli
    user_id: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str | None] = mapped_column(String(64))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    conversation_key: Mapped[str | None] = mapped_column(String(200))
    input_text: Mapped[str] = mapped_column(Text, default="")
    input: Mapped[dict[str, Any]] = mapped_column(default=dict)
    kind: Mapped[str] = mapped_column(String(20))
    verdict: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column()
    rules_fired: Mapped[list[Any]] = mapped_column()
    citations: Mapped[list[Any]] = mapped_column()
    rules_version: Mapped[str] = mapped_column(String(64))
    knowledge_version: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[dict[str, Any]] = mapped_column()  # the whole Decision as JSON


class RequestRow(Base):
    """A /capex budget request; ``status`` moves pending → approved/rejected (or recorded)."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    requester: Mapped[str] = mapped_column(String(64), index=True)
    objective: Mapped[str] = mapped_column(Text)
    cost_center: Mapped[str] = mapped_column(String(100))
    form: Mapped[dict[str, Any]] = mapped_column()  # the validated form, forecast included
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    verdict: Mapped[str] = mapped_column(String(20))
    route: Mapped[str | None] = mapped_column(String(50))
    needs_finance: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20))
    finance_channel: Mapped[str | None] = mapped_column(String(64))
    finance_ts: Mapped[str | None] = mapped_column(String(32))


class ApprovalRow(Base):
    """The final word on a request; unique per request, so two clicks at once record one."""

    __tablename__ = "approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))  # approved or rejected
    approver: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class RequestEventRow(Base):
    """A request's timeline: submitted, info_requested, step_approved, approved, rejected.

    An approval step names its step (1-based) and the approver role it was done as; the
    unique index on (request, step) lets one approver record each step.
    """

    __tablename__ = "request_events"
    __table_args__ = (Index("ux_request_events_request_step", "request_id", "step", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    step: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str | None] = mapped_column(String(100))


class ChannelModeRow(Base):
    """How the bot behaves in a channel, as a finance admin set it; append-only, the latest
    row of a channel is its mode (``mentions``, ``all`` or ``off``)."""

    __tablename__ = "channel_modes"
    __table_args__ = (Index("ix_channel_modes_channel", "channel", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Feedback(Base):
    """Helpful / wrong on an answer; one per user and decision (the latest click wins)."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("decision_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"))
    user_id: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ReviewEventRow(Base):
    """A flagged answer's trail: flagged (with the verdict expected) and reviewed (the right
    verdict and why); see :class:`bot.core.review.ReviewEvent`."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Conversation(Base):
    """A checklist in progress: the facts so far and the question waiting for an answer.

    ``version`` is an optimistic lock (see :meth:`bot.storage.Store.save_conversation`): two
    replicas answering the same checklist at once cannot both win.
    """

    __tablename__ = "conversations"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    surface: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # active, done, cancelled
    text: Mapped[str] = mapped_column(Text, default="")  # what started it
    facts: Mapped[dict[str, Any]] = mapped_column()
    question: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_decision_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
