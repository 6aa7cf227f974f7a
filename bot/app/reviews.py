"""Answers flagged as wrong: flag, review, export as regression cases. Free of Slack.

Whoever sees an answer may press "Wrong" and say what they expected; the configured approvers
review the flagged answers (App Home, ``capexbot review list``) and record the right verdict
and why; ``capexbot review export`` writes every reviewed answer as a scenario line that
``capexbot eval`` scores, decided again from everything its requester gave. Every step is a
row of the append-only ``review_events`` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.app.access import Access
from bot.app.stored import given_of
from bot.core.decision import VERDICT_LABELS, Verdict
from bot.core.review import ReviewEvent
from bot.errors import CapexbotError, NotFound
from bot.storage import Store

#: The longest note or reason kept (a Slack text input allows 3,000 characters).
MAX_NOTE = 2000


class ReviewRefused(CapexbotError, ValueError):
    """A review that cannot be recorded as given (no verdict, no reason)."""


@dataclass(frozen=True)
class Flagged:
    """An answer someone flagged, with its trail."""

    decision_id: int
    asked_at: datetime
    asked_by: str | None
    surface: str
    text: str
    verdict: str  # what the bot answered
    flags: list[ReviewEvent]
    review: ReviewEvent | None  # the latest review, if any

    @property
    def expected(self) -> Verdict | None:
        """The verdict the latest flag that named one expected."""
        named = [f.verdict for f in self.flags if f.verdict is not None]
        return named[-1] if named else None

    @property
    def notes(self) -> list[str]:
        return [f.note for f in self.flags if f.note]


class Reviews:
    def __init__(self, store: Store, access: Access) -> None:
        self.store = store
        self.access = access

    def flag(
        self,
        decision_id: int,
        user: str,
        expected: Verdict | None = None,
        note: str | None = None,
    ) -> ReviewEvent:
        """Someone says the answer is wrong, optionally with the verdict they expected."""
        if self.store.get_decision(decision_id) is None:
            raise NotFound(f"no answer {decision_id}")
        return self.store.add_review_event(decision_id, "flagged", user, expected, _clean(note))

    def review(self, decision_id: int, user: str, verdict: str, reason: str) -> ReviewEvent:
        """An approver records the right verdict and why; a later review supersedes it."""
        self.access.check_approver(user)
        if verdict not in VERDICT_LABELS:
            raise ReviewRefused(f"{verdict!r} is not a verdict: use {', '.join(VERDICT_LABELS)}.")
        reason = _clean(reason) or ""
        if not reason:
            raise ReviewRefused("Say why: the reason is kept with the correction.")
        if self.store.get_decision(decision_id) is None:
            raise NotFound(f"no answer {decision_id}")
        return self.store.add_review_event(decision_id, "reviewed", user, verdict, reason)

    def flagged(self, user: str, *, reviewed: bool = False) -> list[Flagged]:
        """Flagged answers for an approver, newest first: those waiting for a review, or
        (``reviewed``) every one, reviewed or not."""
        self.access.check_approver(user)
        trails: dict[int, list[ReviewEvent]] = {}
        for event in self.store.review_events():
            trails.setdefault(event.decision_id, []).append(event)
        shown = []
        for decision_id in sorted(trails, reverse=True):
            item = self._flagged(decision_id, trails[decision_id])
            if item is not None and (reviewed or item.review is None):
                shown.append(item)
        return shown

    def corrections(self, user: str) -> list[dict[str, Any]]:
        """Every reviewed answer as a scenario line of ``capexbot eval``, oldest first."""
        lines = []
        for item in reversed(self.flagged(user, reviewed=True)):
            if item.review is None:
                continue
            record = self.store.get_decision(item.decision_id)
            assert record is not None  # _flagged found it
            given = given_of(record, self.store).model_dump(mode="json", exclude_defaults=True)
            lines.append(
                {
                    "id": f"correction-{item.decision_id}",
                    **given,
                    "text": given.get("text", ""),
                    "expected": item.review.verdict,
                    "reason": item.review.note,
                    "kind": "correction",
                }
            )
        return lines

    def _flagged(self, decision_id: int, trail: list[ReviewEvent]) -> Flagged | None:
        record = self.store.get_decision(decision_id)
        if record is None:
            return None
        reviews = [e for e in trail if e.kind == "reviewed"]
        return Flagged(
            decision_id=decision_id,
            asked_at=record.created_at,
            asked_by=record.user_id,
            surface=record.surface,
            text=record.input_text,
            verdict=record.verdict,
            flags=[e for e in trail if e.kind == "flagged"],
            review=reviews[-1] if reviews else None,
        )


def _clean(note: str | None) -> str | None:
    note = (note or "").strip()[:MAX_NOTE]
    return note or None
