"""The modals of corrections: "what did you expect?" after *Wrong*, and finance's review."""

from __future__ import annotations

import json
from typing import Any

from bot.app.reviews import MAX_NOTE, Flagged
from bot.core.decision import VERDICT_LABELS, Verdict
from bot.slack.blocks import Block, plain, section
from bot.slack.escaping import slack_escape

WRONG_CALLBACK = "feedback_wrong"
REVIEW_CALLBACK = "review_answer"


def _verdict_select(initial: str | None = None) -> dict[str, Any]:
    options = [
        {"text": plain(label), "value": verdict} for verdict, label in VERDICT_LABELS.items()
    ]
    element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
    if initial in VERDICT_LABELS:
        element["initial_option"] = next(o for o in options if o["value"] == initial)
    return element


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }


def _text_input() -> dict[str, Any]:
    return {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": True,
        "max_length": MAX_NOTE,
    }


def wrong_modal(decision_id: int, channel: str, thread_ts: str | None) -> dict[str, Any]:
    """Asked after *Wrong* (already recorded): the verdict expected and a note, both optional."""
    place = {"d": decision_id, "c": channel, "t": thread_ts}
    return {
        "type": "modal",
        "callback_id": WRONG_CALLBACK,
        "private_metadata": json.dumps(place),
        "title": plain("Wrong answer", 24),
        "submit": plain("Send", 24),
        "close": plain("Skip", 24),
        "blocks": [
            section(
                "Thanks: finance will review this answer. If you can, say what you expected; "
                "it becomes a test the bot must pass."
            ),
            _input("expected", "The right answer would be", _verdict_select(), optional=True),
            _input("note", "What did I miss?", _text_input(), optional=True),
        ],
    }


def review_modal(item: Flagged) -> dict[str, Any]:
    """Finance records the right verdict and why."""
    answered = VERDICT_LABELS.get(item.verdict, item.verdict)
    text = slack_escape(" ".join(item.text.split())[:1500])
    notes = "".join(f"\n> {slack_escape(' '.join(n.split())[:300])}" for n in item.notes[-3:])
    return {
        "type": "modal",
        "callback_id": REVIEW_CALLBACK,
        "private_metadata": str(item.decision_id),
        "title": plain(f"Review answer #{item.decision_id}", 24),
        "submit": plain("Record", 24),
        "close": plain("Cancel", 24),
        "blocks": [
            section(f"“{text}”\nI answered *{answered}*.{notes}"),
            _input(
                "verdict",
                "The right verdict",
                _verdict_select(item.expected or item.verdict),
                optional=False,
            ),
            _input("reason", "Why (kept with the correction)", _text_input(), optional=False),
        ],
    }


def chosen(view: dict[str, Any], block_id: str) -> str | None:
    """A select's value or a text input's stripped text in a submitted modal."""
    values = (view.get("state") or {}).get("values") or {}
    element = values.get(block_id, {}).get("value") or {}
    if not isinstance(element, dict):
        return None
    selected = element.get("selected_option")
    if isinstance(selected, dict):
        value = selected.get("value")
        return value if isinstance(value, str) else None
    typed = element.get("value")
    return typed.strip() or None if isinstance(typed, str) else None


def verdict_of(view: dict[str, Any], block_id: str) -> Verdict | None:
    value = chosen(view, block_id)
    return value if value in VERDICT_LABELS else None  # type: ignore[return-value]
