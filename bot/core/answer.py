"""An answer composed of typed parts: the rules' decision, the policy text cited for it, the
finance figures of its CapEx lines and the optional model's wording.

Each layer adds its own part to a new :class:`Answer` and changes none of the others: the core
decides (:mod:`bot.core.decide`), the assistant cites (:mod:`bot.service`), finance works out
the year-one figures (:mod:`bot.finance.impact`), the optional model words the summary
(:mod:`bot.llm.mode`).

Stored records and ``capexbot ask --json`` keep the flat shape they always had
(:meth:`Answer.as_json`): the decision's fields, its citations and knowledge version beside
them, each line's year-one figures on the line, and the summary and notes as shown.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.core.decision import Citation, Decision


class LineFigures(BaseModel):
    """A CapEx line's schedule start and its charge to the P&L in the fiscal year it starts in
    (expensing would charge the whole amount to that year)."""

    model_config = ConfigDict(frozen=True)

    item: int  # index into decision.line_items
    depreciation_start: str  # YYYY-MM
    year_one_label: str  # that fiscal year, e.g. FY2026
    year_one_charge: Decimal  # in the amount's currency


class FinanceFigures(BaseModel):
    """The budget impact of a decision's schedulable CapEx lines."""

    model_config = ConfigDict(frozen=True)

    lines: list[LineFigures] = Field(default_factory=list)

    def of_line(self, item: int) -> LineFigures | None:
        return next((line for line in self.lines if line.item == item), None)


class Phrasing(BaseModel):
    """What the optional language model made of the summary: its wording, or why it was not
    used; either way a note says so."""

    model_config = ConfigDict(frozen=True)

    wording: str | None  # None when the wording was not used
    note: str


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: Decision
    citations: list[Citation] = Field(default_factory=list)
    knowledge_version: str | None = None  # the policy index the citations come from
    finance: FinanceFigures | None = None  # None: not worked out (a bare decision)
    phrasing: Phrasing | None = None

    @property
    def summary(self) -> str:
        """The model's wording when it was used, else the rules' own summary."""
        if self.phrasing is not None and self.phrasing.wording:
            return self.phrasing.wording
        return self.decision.summary

    @property
    def notes(self) -> list[str]:
        phrased = [self.phrasing.note] if self.phrasing is not None else []
        return [*self.decision.notes, *phrased]

    def as_json(self) -> dict[str, Any]:
        """The flat record: what is stored and what ``capexbot ask --json`` prints."""
        data = self.decision.model_dump(mode="json")
        data["summary"] = self.summary
        data["notes"] = self.notes
        data["citations"] = [c.model_dump(mode="json") for c in self.citations]
        data["knowledge_version"] = self.knowledge_version
        for index, line in enumerate(data["line_items"]):
            figures = self.finance.of_line(index) if self.finance else None
            shown = figures.model_dump(mode="json", exclude={"item"}) if figures else {}
            line["depreciation_start"] = shown.get("depreciation_start")
            line["year_one_label"] = shown.get("year_one_label")
            line["year_one_charge"] = shown.get("year_one_charge")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        """An answer read back from its flat record; the summary and notes are as shown."""
        figures = [
            LineFigures.model_validate({**line, "item": index})
            for index, line in enumerate(data.get("line_items", []))
            if line.get("year_one_charge") is not None
        ]
        return cls(
            decision=Decision.model_validate(data),
            citations=[Citation.model_validate(c) for c in data.get("citations", [])],
            knowledge_version=data.get("knowledge_version"),
            finance=FinanceFigures(lines=figures),
        )
