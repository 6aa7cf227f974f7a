"""How the bot behaves in a channel: answer mentions only, every spend question, or nothing.

Finance admins set a channel's mode (``/capex channel all``); until they do, the environment
decides (``CAPEXBOT_WATCHED_CHANNELS``: every spend question; elsewhere: mentions only).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

ChannelMode = Literal["mentions", "all", "off"]

#: What the bot does in each mode, as ``/capex channel`` says it ("In #general I ...").
MODE_LABELS: dict[str, str] = {
    "mentions": "answer when mentioned",
    "all": "answer every spend question, mentioned or not",
    "off": "stay quiet, mentions included",
}


def parse_mode(text: str) -> ChannelMode | None:
    """``mentions``, ``all`` or ``off`` (any case); None for anything else."""
    word = text.strip().lower()
    for mode in get_args(ChannelMode):
        if word == mode:
            return mode  # type: ignore[no-any-return]  # one of ChannelMode's literals
    return None


class ChannelSetting(BaseModel):
    """A channel's mode: set by a finance admin (``user_id``, ``at``) or the default (None)."""

    model_config = ConfigDict(frozen=True)

    channel: str
    mode: ChannelMode
    user_id: str | None = None
    at: datetime | None = None
