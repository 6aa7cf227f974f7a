"""Answers flagged as wrong and finance's review of them, as typed records (no storage)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.core.decision import Verdict

ReviewKind = Literal["flagged", "reviewed"]


class ReviewEvent(BaseModel):
    """One step of a flagged answer's trail.

    ``flagged``: someone pressed "Wrong", with the verdict they expected when they said
    (``verdict``) and an optional note. ``reviewed``: a finance reviewer recorded the right
    verdict and the reason (``note``). A later review of the same answer supersedes an
    earlier one; both stay in the trail.
    """

    model_config = ConfigDict(frozen=True)

    decision_id: int
    kind: ReviewKind
    user_id: str
    verdict: Verdict | None = None
    note: str | None = None
    at: datetime
