"""The guided checklist as a dialog, free of Slack: start, answer, start over, cancel, resume.

Every surface (Slack DMs, the Slack assistant pane, buttons, ``capexbot chat``) calls this
service with a conversation key and what the user wrote or clicked; the service runs the
core's loop (answer → ask the next question → apply the answer → decide again) and keeps the
state in the store, so a checklist survives a restart and continues a day later.
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

from bot.app.access import is_owner
from bot.app.questions import Questions, Where
from bot.core import Answer, AnswerError, Facts, Request, apply_answer, read_request
from bot.core.decision import NextQuestion
from bot.service import Assistant
from bot.storage import ConflictError, ConversationState, Store

Status = Literal["active", "done", "cancelled", "none"]

START_OVER = frozenset({"start over", "restart", "reset", "new", "new checklist"})
CANCEL = frozenset({"cancel", "stop", "abort", "never mind", "nevermind"})
RESUME = frozenset({"resume", "continue", "where was i", "status"})
HELP = frozenset({"help", "?", "how does this work"})

HELP_TEXT = (
    "Tell me what you plan to buy, roughly what it costs and what it is for, e.g. "
    "“a $40k GPU server for production inference, 5 year life”. I answer CapEx, OpEx or "
    "split from the capitalization policy, and ask only the questions that can still change "
    "the answer. Say “start over” to redo the checklist, “cancel” to drop it, “resume” to "
    "see the open question."
)


@dataclass
class Turn:
    """What the bot says after one step: an optional note, the answer, the next question."""

    key: str
    status: Status
    note: str | None = None
    answer: Answer | None = None
    decision_id: int | None = None
    question: NextQuestion | None = None
    refused: bool = False  # someone else's checklist: nothing was done


SOMEONE_ELSES = "This checklist belongs to someone else."
NOT_YOUR_ANSWER = (
    "That answer was given to someone else, so only they can continue it. Ask me your own "
    "question and I will walk you through the checklist."
)


class ConversationService:
    def __init__(self, assistant: Assistant, store: Store) -> None:
        self.assistant = assistant
        self.store = store
        self.questions = Questions(assistant, store)

    # --- entry points -----------------------------------------------------------------------

    def message(self, key: str, where: Where, text: str) -> Turn:
        """A message from the user: a command, an answer to the open question, or a new request."""
        command = _normalise(text)
        if command in START_OVER:
            return self.start_over(key, where)
        if command in CANCEL:
            return self.cancel(key, where)
        if command in RESUME:
            return self.resume(key)
        if command in HELP:
            return Turn(key=key, status="none", note=HELP_TEXT)
        state = self._active(key)
        if state is None or state.question is None:
            return self.start(key, where, text)
        index = _option_index(text, state.question)
        answer: Any = state.question.options[index].value if index is not None else text
        try:
            facts = apply_answer(state.facts, state.question, answer, self.assistant.policy)
        except AnswerError as exc:
            if self._reads_as_new_request(text):
                return self.start(key, where, text, note="Starting a new checklist for that.")
            return Turn(key=key, status="active", note=str(exc), question=state.question)
        return self._advance(state, where, facts, {"question": state.question.id, "answer": text})

    def answer_option(self, key: str, where: Where, question_id: str, index: int) -> Turn:
        """A button click: option ``index`` of question ``question_id``."""
        state = self._active(key)
        if state is None or state.question is None:
            return Turn(key=key, status="none", note="That checklist is closed already.")
        if not is_owner(where.user_id, state.user_id):
            return _refused(key)
        if state.question.id != question_id or not 0 <= index < len(state.question.options):
            return Turn(
                key=key,
                status="active",
                note="That question is no longer open; here is the current one.",
                question=state.question,
            )
        option = state.question.options[index]
        try:
            facts = apply_answer(state.facts, state.question, option.value, self.assistant.policy)
        except AnswerError as exc:
            return Turn(key=key, status="active", note=str(exc), question=state.question)
        return self._advance(state, where, facts, {"question": question_id, "answer": option.label})

    def start(self, key: str, where: Where, text: str, note: str | None = None) -> Turn:
        """A new checklist from a free-text question (replacing any open one under ``key``)."""
        answer = self.assistant.answer(Request(text=text))
        if answer.decision.kind != "decision":
            # "thanks!" or a policy question: answered, but no spend decision to keep
            return Turn(key=key, status="none", note=note, answer=answer)
        decision_id = self._record(answer, key, where, text, {"text": text})
        state = ConversationState(
            key=key,
            user_id=where.user_id,
            surface=where.surface,
            facts=answer.decision.facts,
            question=None,
            text=text,
        )
        return self._settle(self._replacing(state), answer, decision_id, note)

    def start_from_decision(self, key: str, where: Where, decision_id: int) -> Turn:
        """Continue, e.g. in a DM, the checklist of a decision given elsewhere (a channel)."""
        record = self.store.get_decision(decision_id)
        if record is None:
            return Turn(key=key, status="none", note="I could not find that answer any more.")
        if not is_owner(where.user_id, record.user_id):
            return Turn(key=key, status="none", note=NOT_YOUR_ANSWER, refused=True)
        facts = Facts.model_validate(record.facts)
        state = ConversationState(
            key=key,
            user_id=where.user_id,
            surface=where.surface,
            facts=facts,
            question=None,
            text=record.input_text,
        )
        answer = self.assistant.answer_facts(facts)
        new_id = self._record(answer, key, where, record.input_text, {"from_decision": decision_id})
        return self._settle(self._replacing(state), answer, new_id, None)

    def start_over(self, key: str, where: Where) -> Turn:
        """Drop the answers given so far and ask again from the original question."""
        state = self.store.get_conversation(key)
        if state is not None and not is_owner(where.user_id, state.user_id):
            return _refused(key)
        if state is None or not state.text.strip():
            if state is not None:
                self._close(state, "cancelled")
            return Turn(key=key, status="none", note="Starting over. " + HELP_TEXT)
        return self.start(key, where, state.text, note="Starting over: your answers are cleared.")

    def cancel(self, key: str, where: Where) -> Turn:
        state = self._active(key)
        if state is None:
            return Turn(key=key, status="none", note="There is no checklist in progress.")
        if not is_owner(where.user_id, state.user_id):
            return _refused(key)
        self._close(state, "cancelled")
        return Turn(
            key=key,
            status="cancelled",
            note="Checklist cancelled. Write to me any time to start a new one.",
        )

    def resume(self, key: str) -> Turn:
        """Re-ask the open question, e.g. after a restart or a day later."""
        state = self._active(key)
        if state is None or state.question is None:
            return Turn(
                key=key, status="none", note="There is no checklist in progress. " + HELP_TEXT
            )
        return Turn(
            key=key,
            status="active",
            note="Picking up where we left off.",
            decision_id=state.last_decision_id,
            question=state.question,
        )

    def pending(self, key: str) -> ConversationState | None:
        """The open checklist under ``key``, if any."""
        return self._active(key)

    # --- the loop ---------------------------------------------------------------------------

    def _advance(
        self, state: ConversationState, where: Where, facts: Facts, given: dict[str, Any]
    ) -> Turn:
        answer = self.assistant.answer_facts(facts)
        decision_id = self._record(answer, state.key, where, state.text, given)
        state.facts = answer.decision.facts
        return self._settle(state, answer, decision_id, None)

    def _settle(
        self, state: ConversationState, answer: Answer, decision_id: int, note: str | None
    ) -> Turn:
        """Store the state after a decision: waiting on the next question, or done."""
        decision = answer.decision
        asking = not decision.complete and decision.next_question is not None
        state.facts = decision.facts
        state.question = decision.next_question if asking else None
        state.status = "active" if asking else "done"
        state.last_decision_id = decision_id
        try:
            self.store.save_conversation(state)
        except ConflictError:
            current = self._active(state.key)
            return Turn(
                key=state.key,
                status="active" if current else "none",
                note="That question was answered meanwhile (another click or window).",
                question=current.question if current else None,
            )
        return Turn(
            key=state.key,
            status=state.status,  # type: ignore[arg-type]
            note=note,
            answer=answer,
            decision_id=decision_id,
            question=state.question,
        )

    # --- helpers ----------------------------------------------------------------------------

    def _active(self, key: str) -> ConversationState | None:
        state = self.store.get_conversation(key)
        return state if state is not None and state.status == "active" else None

    def _replacing(self, state: ConversationState) -> ConversationState:
        """``state`` taking the place of whatever is stored under its key (optimistic lock)."""
        existing = self.store.get_conversation(state.key)
        state.version = existing.version if existing else 0
        return state

    def _close(self, state: ConversationState, status: str) -> None:
        state.status = status
        state.question = None
        with suppress(ConflictError):  # changed meanwhile: whoever changed it decides
            self.store.save_conversation(state)

    def _record(
        self, answer: Answer, key: str, where: Where, text: str, given: dict[str, Any]
    ) -> int:
        return self.questions.record(answer, where, text, given, conversation_key=key)

    def _reads_as_new_request(self, text: str) -> bool:
        """An unparseable answer that is itself a spend question starts a new checklist."""
        facts = read_request(Request(text=text), self.assistant.policy)
        return bool(facts.items) and len(text.split()) >= 4


def _refused(key: str) -> Turn:
    """The owner check: only the person whose checklist it is may answer, restart or cancel it."""
    return Turn(key=key, status="active", note=SOMEONE_ELSES, refused=True)


def _normalise(text: str) -> str:
    return re.sub(r"[\s.!]+", " ", text.strip().lower()).strip()


def _option_index(text: str, question: NextQuestion) -> int | None:
    """``"2"`` picks the second option (terminal users and plain-text Slack clients)."""
    stripped = text.strip().rstrip(".)")
    if question.options and stripped.isdigit():
        index = int(stripped) - 1
        if 0 <= index < len(question.options):
            return index
    return None
