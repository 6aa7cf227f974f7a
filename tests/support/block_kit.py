"""Block Kit payloads checked as Slack would: slack_sdk's models and Slack's documented limits.

slack_sdk's models check some limits (a section's text, ten fields); the rest are here, from
Slack's Block Kit reference: 50 blocks in a message, 100 in a modal or App Home, 3,000
characters of section or context text, 2,000 in a field, 75 in a button label, 2,000 in a
button value, 150 in a header, 40,000 in a message's ``text``.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000


def loaded(value: Any) -> Any:
    """A payload field as sent: the Web API takes blocks and views as JSON text or objects."""
    return json.loads(value) if isinstance(value, str) else value


def message_problems(params: dict[str, Any]) -> list[str]:
    """What Slack would refuse or cut in a message's ``text`` and ``blocks``."""
    problems = []
    text = params.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        problems.append(f"text of {len(text)} characters")
    blocks = loaded(params.get("blocks")) or []
    if len(blocks) > MESSAGE_BLOCKS:
        problems.append(f"{len(blocks)} blocks in a message")
    return problems + [p for block in blocks for p in block_problems(block)]


def view_problems(view: dict[str, Any]) -> list[str]:
    """What Slack would refuse in a modal or an App Home view."""
    problems = []
    try:
        View(**view).validate_json()
    except Exception as exc:  # slack_sdk raises several kinds, all meaning "Slack refuses"
        problems.append(f"view: {exc}")
    blocks = view.get("blocks") or []
    if len(blocks) > VIEW_BLOCKS:
        problems.append(f"{len(blocks)} blocks in a view")
    return problems + [p for block in blocks for p in block_problems(block)]


def block_problems(block: dict[str, Any]) -> list[str]:
    parsed = Block.parse(block)
    if parsed is None:
        return [f"unknown block {block.get('type')!r}"]
    try:
        parsed.validate_json()
    except Exception as exc:
        return [f"{block.get('type')} block: {exc}"]
    problems = []
    kind = block["type"]
    if kind == "section":
        problems += _too_long(block.get("text"), 3000, "section text")
        problems += [p for f in block.get("fields") or [] for p in _too_long(f, 2000, "field")]
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > 10:
            problems.append(f"{len(elements)} context elements")
        problems += [p for e in elements for p in _too_long(e, 3000, "context text")]
    elif kind == "header":
        problems += _too_long(block.get("text"), 150, "header")
    elif kind == "actions":
        for element in block.get("elements") or []:
            if element.get("type") == "button":
                problems += _too_long(element.get("text"), 75, "button label")
                if len(element.get("value") or "") > 2000:
                    problems.append("button value over 2000 characters")
    return problems


def _too_long(text_object: Any, limit: int, what: str) -> list[str]:
    text = text_object.get("text", "") if isinstance(text_object, dict) else ""
    return [f"{what} of {len(text)} characters (limit {limit})"] if len(text) > limit else []
