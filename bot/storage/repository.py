"""The one place the app reads and writes state. Surfaces never touch SQLAlchemy sessions.

Every method is its own short transaction, so the Slack listeners (running in threads, and
later in several replicas) never hold a session across a network call.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core import Answer, Decision, Facts
from bot.core.budget import Approval, ApprovalOutcome, BudgetForm, BudgetRequest, RequestEvent
from bot.core.channels import ChannelMode, ChannelSetting
from bot.core.decision import NextQuestion
from bot.core.review import ReviewEvent, ReviewKind
from bot.errors import CapexbotError
from bot.ops.context import request_id
from bot.ops.metrics import DECISIONS
from bot.storage.db import make_engine, migrate
from bot.storage.models import (
    ApprovalRow,
    ChannelModeRow,
    Conversation,
    DecisionRecord,
    Feedback,
    RequestEventRow,
    RequestRow,
    ReviewEventRow,
    utcnow,
)

log = logging.getLogger(__name__)


class ConflictError(CapexbotError, RuntimeError):
    """Someone else changed the record first (another click, another replica)."""


@dataclass
class ConversationState:
    """A checklist as the conversation service sees it, free of database types."""

    key: str
    user_id: str
    surface: str
    facts: Facts
    question: NextQuestion | None
    status: str = "active"
    text: str = ""
    last_decision_id: int | None = None
    version: int = 0  # 0: not stored yet
    updated_at: datetime | None = None


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, url: str, *, run_migrations: bool = True) -> Store:
        engine = make_engine(url)
        if run_migrations:
            migrate(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    def _tx(self) -> Session:
        return self._session.begin()  # type: ignore[return-value]

    def ping(self) -> None:
        """Raise unless the database answers (``/healthz``)."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # --- audit trail ------------------------------------------------------------------------

    def record_decision(
        self,
        answer: Answer,
        *,
        surface: str,
        user_id: str | None,
        channel: str | None = None,
        thread_ts: str | None = None,
        conversation_key: str | None = None,
        input_text: str = "",
        input: dict[str, Any] | None = None,
    ) -> int:
        """Append the answer to the audit trail, in its flat record shape
        (:meth:`Answer.as_json`), with the Slack request being served (if any); returns its id.

        A Slack request is answered by one decision: when the recovery sweep replays a request
        whose first run recorded its decision before the process died, that decision is
        returned instead of a second one (the request id is unique in the table).
        """
        decision = answer.decision
        data = answer.as_json()
        rid = request_id()
        record = DecisionRecord(
            request_id=rid,
            surface=surface,
            user_id=user_id,
            channel=channel,
            thread_ts=thread_ts,
            conversation_key=conversation_key,
            input_text=input_text,
            input=input or {},
            kind=decision.kind,
            verdict=decision.verdict,
            summary=answer.summary,
            facts=data["facts"],
            rules_fired=data["rules_fired"],
            citations=data["citations"],
            rules_version=decision.rules_version,
            knowledge_version=answer.knowledge_version,
            decision=data,
        )
        try:
            with self._tx() as session:
                session.add(record)
                session.flush()
        except IntegrityError:
            earlier = self._decision_of_request(rid) if rid else None
            if earlier is None:
                raise
            log.info("request %s was answered by decision %s already; reusing it", rid, earlier)
            return earlier
        DECISIONS.labels(decision.verdict, surface).inc()
        return record.id

    def _decision_of_request(self, rid: str) -> int | None:
        query = select(DecisionRecord.id).where(DecisionRecord.request_id == rid)
        with self._session() as session:
            return session.scalar(query)

    def get_decision(self, decision_id: int) -> DecisionRecord | None:
        with self._session() as session:
            return session.get(DecisionRecord, decision_id)

    def answer_of(self, decision_id: int) -> Answer | None:
        """The answer recorded as decision ``decision_id``, read back from its flat record."""
        record = self.get_decision(decision_id)
        return Answer.from_json(record.decision) if record else None

    def decisions(self, *, user_id: str | None = None, limit: int = 100) -> list[DecisionRecord]:
        query = select(DecisionRecord).order_by(DecisionRecord.id.desc()).limit(limit)
        if user_id is not None:
            query = query.where(DecisionRecord.user_id == user_id)
        with self._session() as session:
            return list(session.scalars(query))

    # --- budget requests and approvals ------------------------------------------------------

    def create_request(
        self, *, requester: str, form: BudgetForm, decision_id: int, decision: Decision
    ) -> BudgetRequest:
        approval = decision.approval
        needs_finance = bool(approval and approval.finance_channel)
        request = RequestRow(
            requester=requester,
            objective=form.objective,
            cost_center=form.cost_center,
            form=form.model_dump(mode="json"),
            decision_id=decision_id,
            verdict=decision.verdict,
            route=approval.route if approval else None,
            needs_finance=needs_finance,
            status="pending" if needs_finance else "submitted",
        )
        with self._tx() as session:
            session.add(request)
            session.flush()
            session.add(RequestEventRow(request_id=request.id, kind="submitted", user_id=requester))
        return _request(request)

    def get_request(self, request_id: int) -> BudgetRequest | None:
        with self._session() as session:
            row = session.get(RequestRow, request_id)
            return _request(row) if row else None

    def list_requests(self, requester: str | None = None, limit: int = 10) -> list[BudgetRequest]:
        """The latest requests, newest first: one requester's, or everyone's."""
        query = select(RequestRow).order_by(RequestRow.id.desc()).limit(limit)
        if requester is not None:
            query = query.where(RequestRow.requester == requester)
        with self._session() as session:
            return [_request(row) for row in session.scalars(query)]

    def set_finance_message(self, request_id: int, channel: str, ts: str) -> None:
        with self._tx() as session:
            session.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id)
                .values(finance_channel=channel, finance_ts=ts, updated_at=utcnow())
            )

    def decide_request(
        self,
        request_id: int,
        outcome: ApprovalOutcome,
        approver: str,
        note: str | None = None,
        *,
        step: int | None = None,
        role: str | None = None,
        final: bool = True,
    ) -> RequestEvent | None:
        """Record one approver's word; None when someone recorded it first.

        ``step`` and ``role`` name the route's step the approver acted on. A step approved
        that is not the route's last (``final`` False) is only a timeline event; the last
        step, or a rejection at any step, is also the request's final word in ``approvals``.
        Unique constraints settle a race between two clicks (or two replicas): one event per
        step, one approval per request; the second insert fails and its transaction rolls back.
        """
        if outcome not in ("approved", "rejected"):
            raise ValueError(f"unknown outcome {outcome!r}")
        final = final or outcome == "rejected"
        kind = outcome if final else "step_approved"
        event = RequestEventRow(
            request_id=request_id, kind=kind, user_id=approver, note=note, step=step, role=role
        )
        try:
            with self._tx() as session:
                if final:
                    session.add(
                        ApprovalRow(request_id=request_id, outcome=outcome, approver=approver)
                    )
                    session.flush()
                session.add(event)
                session.flush()
                session.execute(
                    update(RequestRow)
                    .where(RequestRow.id == request_id)
                    .values(status=outcome if final else "pending", updated_at=utcnow())
                )
        except IntegrityError:
            return None
        return _event(event)

    def approval_for(self, request_id: int) -> Approval | None:
        with self._session() as session:
            row = session.scalar(select(ApprovalRow).where(ApprovalRow.request_id == request_id))
            return _approval(row) if row else None

    def request_info(self, request_id: int, user_id: str, note: str | None = None) -> None:
        """An approver asks the requester for more information (the request stays open)."""
        with self._tx() as session:
            session.add(
                RequestEventRow(
                    request_id=request_id, kind="info_requested", user_id=user_id, note=note
                )
            )
            session.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id, RequestRow.status == "pending")
                .values(status="info_requested", updated_at=utcnow())
            )

    def timeline(self, request_id: int) -> list[RequestEvent]:
        query = (
            select(RequestEventRow)
            .where(RequestEventRow.request_id == request_id)
            .order_by(RequestEventRow.id)
        )
        with self._session() as session:
            return [_event(row) for row in session.scalars(query)]

    # --- channel modes ----------------------------------------------------------------------

    def set_channel_mode(self, channel: str, mode: ChannelMode, user_id: str) -> ChannelSetting:
        """Append a channel's new mode (the audit log of who set what, when, is the table)."""
        row = ChannelModeRow(channel=channel, mode=mode, user_id=user_id)
        with self._tx() as session:
            session.add(row)
            session.flush()
        return _channel(row)

    def channel_mode(self, channel: str) -> ChannelSetting | None:
        """The mode a finance admin last set for the channel, if any."""
        query = (
            select(ChannelModeRow)
            .where(ChannelModeRow.channel == channel)
            .order_by(ChannelModeRow.id.desc())
            .limit(1)
        )
        with self._session() as session:
            row = session.scalar(query)
            return _channel(row) if row else None

    def channel_mode_history(self, channel: str) -> list[ChannelSetting]:
        """Every change of the channel's mode, oldest first."""
        query = (
            select(ChannelModeRow)
            .where(ChannelModeRow.channel == channel)
            .order_by(ChannelModeRow.id)
        )
        with self._session() as session:
            return [_channel(row) for row in session.scalars(query)]

    # --- feedback ---------------------------------------------------------------------------

    def record_feedback(self, decision_id: int, user_id: str, value: str) -> None:
        """Store helpful / wrong for a decision; a user's later click replaces the earlier one."""
        for _ in range(2):  # a concurrent first click from the same user: retry as an update
            try:
                with self._tx() as session:
                    existing = session.scalar(
                        select(Feedback).where(
                            Feedback.decision_id == decision_id, Feedback.user_id == user_id
                        )
                    )
                    if existing is None:
                        session.add(Feedback(decision_id=decision_id, user_id=user_id, value=value))
                    else:
                        existing.value = value
                return
            except IntegrityError:
                continue

    def feedback_for(self, decision_id: int) -> list[Feedback]:
        with self._session() as session:
            return list(
                session.scalars(select(Feedback).where(Feedback.decision_id == decision_id))
            )

    # --- flagged answers and their review (append-only) ------------------------------------

    def add_review_event(
        self,
        decision_id: int,
        kind: ReviewKind,
        user_id: str,
        verdict: str | None = None,
        note: str | None = None,
    ) -> ReviewEvent:
        """Append a step to a flagged answer's trail."""
        row = ReviewEventRow(
            decision_id=decision_id, kind=kind, user_id=user_id, verdict=verdict, note=note
        )
        with self._tx() as session:
            session.add(row)
            session.flush()
        return _review_event(row)

    def review_events(self, decision_id: int | None = None) -> list[ReviewEvent]:
        """Every step of every flagged answer's trail (or of one answer's), oldest first."""
        query = select(ReviewEventRow).order_by(ReviewEventRow.id)
        if decision_id is not None:
            query = query.where(ReviewEventRow.decision_id == decision_id)
        with self._session() as session:
            return [_review_event(row) for row in session.scalars(query)]

    # --- conversations ----------------------------------------------------------------------

    def get_conversation(self, key: str) -> ConversationState | None:
        with self._session() as session:
            row = session.get(Conversation, key)
            if row is None:
                return None
            return ConversationState(
                key=row.key,
                user_id=row.user_id,
                surface=row.surface,
                status=row.status,
                text=row.text,
                facts=Facts.model_validate(row.facts),
                question=NextQuestion.model_validate(row.question) if row.question else None,
                last_decision_id=row.last_decision_id,
                version=row.version,
                updated_at=row.updated_at,
            )

    def save_conversation(self, state: ConversationState) -> ConversationState:
        """Insert (version 0) or update the checklist if nobody changed it since it was read.

        Raises :class:`ConflictError` when the stored version moved on in between.
        """
        values: dict[str, Any] = {
            "user_id": state.user_id,
            "surface": state.surface,
            "status": state.status,
            "text": state.text,
            "facts": state.facts.model_dump(mode="json"),
            "question": state.question.model_dump(mode="json") if state.question else None,
            "last_decision_id": state.last_decision_id,
            "updated_at": utcnow(),
        }
        try:
            with self._tx() as session:
                if state.version == 0:
                    session.add(Conversation(key=state.key, version=1, **values))
                else:
                    result = session.execute(
                        update(Conversation)
                        .where(Conversation.key == state.key, Conversation.version == state.version)
                        .values(version=Conversation.version + 1, **values)
                    )
                    if result.rowcount != 1:  # type: ignore[attr-defined]
                        raise ConflictError(f"conversation {state.key} changed meanwhile")
        except IntegrityError as exc:
            raise ConflictError(f"conversation {state.key} was started meanwhile") from exc
        state.version += 1
        return state

    # --- reads for finance outputs (memo, export, digest) -----------------------------------

    def request_for_decision(self, decision_id: int) -> BudgetRequest | None:
        """The budget request a decision was filed with, if it was one."""
        query = select(RequestRow).where(RequestRow.decision_id == decision_id)
        with self._session() as session:
            row = session.scalar(query)
            return _request(row) if row else None

    def decisions_between(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> list[DecisionRecord]:
        """Decisions recorded at or after ``since`` and before ``until`` (UTC), oldest first."""
        query = select(DecisionRecord).order_by(DecisionRecord.id)
        if since is not None:
            query = query.where(DecisionRecord.created_at >= since)
        if until is not None:
            query = query.where(DecisionRecord.created_at < until)
        with self._session() as session:
            return list(session.scalars(query))

    def requests_between(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        statuses: Collection[str] | None = None,
    ) -> list[BudgetRequest]:
        """Budget requests created in [``since``, ``until``) (UTC), oldest first."""
        query = select(RequestRow).order_by(RequestRow.id)
        if since is not None:
            query = query.where(RequestRow.created_at >= since)
        if until is not None:
            query = query.where(RequestRow.created_at < until)
        if statuses is not None:
            query = query.where(RequestRow.status.in_(list(statuses)))
        with self._session() as session:
            return [_request(row) for row in session.scalars(query)]

    def approvals_for(self, request_ids: Collection[int]) -> dict[int, Approval]:
        """The approval or rejection of each request that has one, by request id."""
        if not request_ids:
            return {}
        query = select(ApprovalRow).where(ApprovalRow.request_id.in_(list(request_ids)))
        with self._session() as session:
            return {row.request_id: _approval(row) for row in session.scalars(query)}


def _utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _request(row: RequestRow) -> BudgetRequest:
    return BudgetRequest(
        id=row.id,
        created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        requester=row.requester,
        objective=row.objective,
        cost_center=row.cost_center,
        form=BudgetForm.model_validate(row.form),
        decision_id=row.decision_id,
        verdict=row.verdict,
        route=row.route,
        needs_finance=row.needs_finance,
        status=row.status,  # type: ignore[arg-type]  # the column holds only RequestStatus
        finance_channel=row.finance_channel,
        finance_ts=row.finance_ts,
    )


def _review_event(row: ReviewEventRow) -> ReviewEvent:
    return ReviewEvent(
        decision_id=row.decision_id,
        kind=row.kind,  # type: ignore[arg-type]  # the column holds only ReviewKind
        user_id=row.user_id,
        verdict=row.verdict,  # type: ignore[arg-type]  # the column holds only Verdict
        note=row.note,
        at=_utc(row.at),
    )


def _event(row: RequestEventRow) -> RequestEvent:
    return RequestEvent(
        request_id=row.request_id,
        kind=row.kind,
        user_id=row.user_id,
        at=_utc(row.at),
        note=row.note,
        step=row.step,
        role=row.role,
    )


def _channel(row: ChannelModeRow) -> ChannelSetting:
    return ChannelSetting(
        channel=row.channel,
        mode=row.mode,  # type: ignore[arg-type]  # the column holds only ChannelMode
        user_id=row.user_id,
        at=_utc(row.at),
    )


def _approval(row: ApprovalRow) -> Approval:
    return Approval(
        request_id=row.request_id,
        outcome=row.outcome,  # type: ignore[arg-type]  # the column holds only ApprovalOutcome
        approver=row.approver,
        decided_at=_utc(row.decided_at),
    )
