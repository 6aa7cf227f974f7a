"""What the finance outputs read from the store: a stored decision with its budget request."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.core import Answer
from bot.core.budget import Approval, BudgetRequest, RequestEvent
from bot.errors import NotFound
from bot.storage import Store
from bot.storage.models import DecisionRecord

_REQUEST_REF = re.compile(r"^cx-?0*(\d{1,9})$", re.IGNORECASE)
_DECISION_REF = re.compile(r"^(?:d-?|#)?0*(\d{1,9})$", re.IGNORECASE)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC); PostgreSQL aware ones."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def day_after(day: date) -> datetime:
    return day_start(day + timedelta(days=1))


@dataclass(frozen=True)
class StoredDecision:
    record: DecisionRecord
    answer: Answer
    request: BudgetRequest | None = None
    approval: Approval | None = None
    events: list[RequestEvent] = field(default_factory=list)

    @property
    def created(self) -> datetime:
        return as_utc(self.record.created_at)


def parse_id(text: str) -> tuple[str, int]:
    """``CX-00012`` names budget request 12; ``12`` (or ``#12``) names decision 12."""
    text = text.strip()
    if match := _REQUEST_REF.match(text):
        return "request", int(match.group(1))
    if match := _DECISION_REF.match(text):
        return "decision", int(match.group(1))
    raise NotFound(f"{text!r} is neither a decision id (12) nor a request id (CX-00012)")


def load(store: Store, ref: str) -> StoredDecision:
    kind, number = parse_id(ref)
    request: BudgetRequest | None
    if kind == "request":
        request = store.get_request(number)
        if request is None:
            raise NotFound(f"no budget request {ref}")
        decision_id = request.decision_id
    else:
        decision_id = number
        request = store.request_for_decision(decision_id)
    record = store.get_decision(decision_id)
    if record is None:
        raise NotFound(f"no decision {decision_id}")
    return StoredDecision(
        record=record,
        answer=Answer.from_json(record.decision),
        request=request,
        approval=store.approval_for(request.id) if request else None,
        events=store.timeline(request.id) if request else [],
    )
