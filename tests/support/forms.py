"""The /capex modal's submitted values, as Slack sends them in ``view.state.values``."""

from __future__ import annotations

from typing import Any


def selected(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def typed(value: str | None, kind: str = "plain_text_input") -> dict[str, Any]:
    return {"value": {"type": kind, "value": value}}
