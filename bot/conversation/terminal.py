"""``capexbot chat``: the checklist dialog on a terminal or a pipe, same service as Slack."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.conversation.service import HELP_TEXT, ConversationService, Turn, Where
from bot.core.decision import NextQuestion
from bot.render.document import build_document
from bot.render.text import render_text

QUIT = frozenset({"quit", "exit", "bye", ":q"})


def render_turn(turn: Turn) -> str:
    """A turn as terminal text: the note, the decision (in full once final), the question."""
    parts: list[str] = []
    if turn.note:
        parts.append(turn.note)
    if turn.answer is not None:
        doc = build_document(turn.answer)
        if turn.question is None:
            parts.append(render_text(doc))
        elif doc.verdict != "needs_review":  # provisional: the question may change it
            parts.append(f"So far: {doc.verdict_label}. {doc.summary}")
    if turn.question is not None:
        parts.append(render_question(turn.question))
    return "\n\n".join(parts)


def render_question(question: NextQuestion) -> str:
    lines = [question.text]
    if question.help:
        lines.append(f"  ({question.help})")
    for number, option in enumerate(question.options, start=1):
        lines.append(f"  {number}. {option.label}")
    if question.options:
        lines.append("Type a number or your own answer.")
    return "\n".join(lines)


def run_chat(
    service: ConversationService,
    user: str,
    lines: Iterable[str],
    write: Callable[[str], None],
    prompt: Callable[[], None] = lambda: None,
) -> None:
    """Talk until the input ends or the user types ``quit``; an open checklist is resumed."""
    key = f"cli:{user}"
    where = Where(user_id=user, surface="cli")
    if service.pending(key) is not None:
        write(render_turn(service.resume(key)))
    else:
        write("Hi! " + HELP_TEXT + " Type “quit” to leave.")
    prompt()
    for raw in lines:
        text = raw.strip()
        if text.lower() in QUIT:
            break
        if text:
            write(render_turn(service.message(key, where, text)))
        prompt()
