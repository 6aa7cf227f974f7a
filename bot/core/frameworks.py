"""US GAAP and IFRS side by side: one request decided under each, compared line by line.

A line differs when its treatment differs or when another rule decides it (the same CapEx
under ASC 350-40's probable-to-complete test and IAS 38.57's six criteria is still a
difference a controller wants to see). Each difference names both rules, their policy
sections and standards and, for a side that needs review, the fact it needs.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from bot.core.answer import Answer
from bot.core.decision import VERDICT_LABELS, Decision, Treatment
from bot.core.policy import Policy

FRAMEWORK_LABELS = {"us_gaap": "US GAAP", "ifrs": "IFRS"}


class Side(BaseModel):
    """One line under one framework."""

    treatment: Treatment
    rule: str | None = None  # the deciding rule; None when the line needs review
    section: str | None = None
    standard: str | None = None
    reason: str | None = None
    needs: list[str] = Field(default_factory=list)  # facts it needs, with why, when undecided


class FrameworkDifference(BaseModel):
    item: int
    description: str
    us_gaap: Side
    ifrs: Side
    why: str  # in words: each framework's rule and what it rests on


class SideBySide(BaseModel):
    """``capexbot ask --framework both --json``: both answers and how they differ."""

    us_gaap: Answer
    ifrs: Answer
    differences: list[FrameworkDifference] = Field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Each answer in its flat record shape (:meth:`Answer.as_json`), then the differences."""
        return {
            "us_gaap": self.us_gaap.as_json(),
            "ifrs": self.ifrs.as_json(),
            "differences": [d.model_dump(mode="json") for d in self.differences],
        }


def compare(us_gaap_answer: Answer, ifrs_answer: Answer, policy: Policy) -> SideBySide:
    """Both answers to one request and the lines on which they differ."""
    us_gaap, ifrs = us_gaap_answer.decision, ifrs_answer.decision
    differences: list[FrameworkDifference] = []
    if us_gaap.kind == ifrs.kind == "decision":
        pairs = zip(us_gaap.line_items, ifrs.line_items, strict=False)
        for index, (us_line, ifrs_line) in enumerate(pairs):
            if (us_line.treatment, us_line.rule_id) == (ifrs_line.treatment, ifrs_line.rule_id):
                continue
            us_side = _side(us_gaap, index, policy)
            ifrs_side = _side(ifrs, index, policy)
            differences.append(
                FrameworkDifference(
                    item=index,
                    description=us_line.description,
                    us_gaap=us_side,
                    ifrs=ifrs_side,
                    why=f"{_why('us_gaap', us_side)} {_why('ifrs', ifrs_side)}",
                )
            )
    return SideBySide(us_gaap=us_gaap_answer, ifrs=ifrs_answer, differences=differences)


def _side(decision: Decision, index: int, policy: Policy) -> Side:
    line = decision.line_items[index]
    rule = next((r for r in policy.rules if r.id == line.rule_id), None)
    needs = [
        f"{m.fact.replace('_', ' ')} ({m.why})"
        for m in decision.missing
        if m.item in (index, None) and line.rule_id is None
    ]
    return Side(
        treatment=line.treatment,
        rule=rule.id if rule else None,
        section=rule.section if rule else None,
        standard=rule.standard if rule else None,
        reason=rule.reason if rule else None,
        needs=needs,
    )


def _why(framework: str, side: Side) -> str:
    label = FRAMEWORK_LABELS[framework]
    verdict = VERDICT_LABELS[side.treatment]
    if side.rule:
        cited = f"policy §{side.section}; {side.standard}"
        reason = (side.reason or "").rstrip(".")
        return f"{label}: {verdict} by {side.rule}: {reason} ({cited})."
    if side.needs:
        return f"{label}: {verdict}: it turns on {'; '.join(side.needs)}."
    return f"{label}: {verdict}: no rule decides it."
