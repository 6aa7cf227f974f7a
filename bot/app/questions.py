"""Answering a question: decide, cite, record. One path for every surface.

A channel mention, a watched channel, a DM checklist, the assistant pane and a budget request
all end in :meth:`Questions.record`, so every answer lands in the audit trail the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.core import Answer, Request
from bot.service import Assistant
from bot.storage import Store

Feedback = Literal["helpful", "wrong"]


@dataclass(frozen=True)
class Where:
    """Who is asking and where, for the audit trail."""

    user_id: str
    surface: str  # mention, channel, dm, assistant, button, form, cli
    channel: str | None = None
    thread_ts: str | None = None


@dataclass(frozen=True)
class Recorded:
    """An answer and its id in the audit trail."""

    answer: Answer
    decision_id: int


class Questions:
    def __init__(self, assistant: Assistant, store: Store) -> None:
        self.assistant = assistant
        self.store = store

    def ask(self, text: str, where: Where, *, spending_only: bool = False) -> Recorded | None:
        """Decide ``text``, cite the policy, record the answer.

        ``spending_only`` (a watched channel) answers nothing, and records nothing, when the
        message is not about spending.
        """
        answer = self.assistant.answer(Request(text=text))
        if spending_only and answer.decision.kind == "not_spending":
            return None
        decision_id = self.record(answer, where, text, {"text": text})
        return Recorded(answer, decision_id)

    def record(
        self,
        answer: Answer,
        where: Where,
        text: str,
        given: dict[str, Any],
        *,
        conversation_key: str | None = None,
    ) -> int:
        """Append an answer to the audit trail; ``given`` is the input as it was given."""
        return self.store.record_decision(
            answer,
            surface=where.surface,
            user_id=where.user_id or None,
            channel=where.channel,
            thread_ts=where.thread_ts,
            conversation_key=conversation_key,
            input_text=text,
            input=given,
        )

    def feedback(self, decision_id: int, user: str, value: Feedback) -> None:
        """Helpful or wrong on an answer; a later click by the same person replaces it."""
        self.store.record_feedback(decision_id, user, value)
