"""The rules' decision: a verdict with everything that explains it, built once by the core.

A :class:`Decision` is not changed once built; the policy text cited for it, the finance
figures and the model's wording are separate parts of a :class:`bot.core.answer.Answer`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.facts import Facts, Money, UsefulLife

Verdict = Literal["capex", "opex", "split", "needs_review"]

#: Each verdict in words, the same on every surface.
VERDICT_LABELS: dict[str, str] = {
    "capex": "CapEx",
    "opex": "OpEx",
    "split": "Split (CapEx and OpEx)",
    "needs_review": "Needs review",
}
Treatment = Literal["capex", "opex", "needs_review"]
Kind = Literal["decision", "not_spending", "policy_question"]


class LineItem(BaseModel):
    description: str
    asset_type: str | None = None
    asset_label: str | None = None
    asset_category: str | None = None
    amount: Money | None = None
    amount_base: Decimal | None = None  # in the policy's base currency
    treatment: Treatment
    rule_id: str | None = None
    useful_life_months: int | None = None
    depreciation_per_month: Decimal | None = None  # straight-line, in the amount's currency
    depreciation_per_year: Decimal | None = None
    #: the period the line's payment covers (a contract, subscription, lease or prepayment)
    term_months: int | None = None
    #: an OpEx line paid once for a period: a prepaid expense released monthly over the term
    prepaid_release_per_month: Decimal | None = None

    @property
    def yearly_amount_base(self) -> Decimal | None:
        """The line in the base currency, a monthly bill counted for a year (§10.1)."""
        if self.amount_base is None:
            return None
        per_month = self.amount is not None and self.amount.per == "month"
        return self.amount_base * 12 if per_month else self.amount_base

    @property
    def committed_amount_base(self) -> Decimal | None:
        """What the line commits to in the base currency: a recurring bill over its whole term
        when the term is known (§10.1: multi-year commitments and leases at their total),
        otherwise a year of it."""
        if self.amount_base is None or self.amount is None:
            return None
        if self.amount.per is None:
            return self.amount_base
        if self.term_months:
            per_months = 1 if self.amount.per == "month" else 12
            return self.amount_base * self.term_months / per_months
        return self.yearly_amount_base

    @property
    def write_off_word(self) -> str:
        """Tangible assets are depreciated; software and deferred costs are amortized."""
        return "depreciate" if self.asset_category == "tangible" else "amortize"


class RuleFired(BaseModel):
    id: str
    outcome: Treatment
    reason: str
    section: str
    standard: str
    item: str  # the item the rule decided
    review_question: str | None = None


TraceResult = Literal["true", "false", "unknown"]


class RuleEvaluation(BaseModel):
    """One rule tested on one line: its three-valued result and the facts it read."""

    rule: str
    outcome: Treatment
    result: TraceResult
    #: every fact the rule's conditions read, as the rule saw it (derived ones included);
    #: None when nobody gave it
    facts: dict[str, str | int | bool | None]
    unknown: list[str] = Field(default_factory=list)  # the facts that left it unknown
    section: str


class LineTrace(BaseModel):
    """The rules a line went through, in policy order, up to the one that decided it."""

    item: int  # index into facts.items and line_items
    description: str
    treatment: Treatment
    decided_by: str | None  # the rule that decided the line; None when it needs review
    rules: list[RuleEvaluation] = Field(default_factory=list)


class Counterfactual(BaseModel):
    """The smallest change of one fact that flips a confident verdict, found by the rules."""

    fact: str  # the fact to change, as a form or checklist answer names it
    value: Money | UsefulLife | bool | str  # its changed value, as a form or answer gives it
    verdict: Verdict  # the request's verdict with that one change
    item: int | None = None  # the line the fact belongs to; None for a request-wide fact
    item_description: str | None = None
    text: str  # in words: "if it were rented rather than bought: OpEx"
    rule: str | None = None  # the rule that decides the changed line
    section: str | None = None  # the policy section of that rule


class MissingFact(BaseModel):
    fact: str
    item: int | None = None  # index into facts.items for item facts
    item_description: str | None = None
    why: str  # which rules it decides between, in words


class AnswerOption(BaseModel):
    label: str
    value: Any


class NextQuestion(BaseModel):
    id: str
    fact: str
    item: int | None = None
    text: str
    help: str | None = None
    options: list[AnswerOption] = Field(default_factory=list)


class BudgetBucketResult(BaseModel):
    id: str
    label: str
    tracking: str
    section: str


class Approval(BaseModel):
    route: str
    approvers: list[str]
    finance_channel: bool
    amount_base: Decimal | None  # total the route was chosen on (yearly for monthly bills)
    currency: str
    section: str
    notes: list[str] = Field(default_factory=list)


class Citation(BaseModel):
    source: str  # document file name
    section: str  # heading path, e.g. "Capitalization Policy › 5. Property › 5.1 Owned hardware"
    passage: str
    score: float | None = None


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Kind = "decision"
    verdict: Verdict
    summary: str
    framework: str
    line_items: list[LineItem] = Field(default_factory=list)
    facts: Facts
    assumptions: list[str] = Field(default_factory=list)
    missing: list[MissingFact] = Field(default_factory=list)
    next_question: NextQuestion | None = None
    complete: bool  # True when no answer could change the verdict: the checklist stops
    rules_fired: list[RuleFired] = Field(default_factory=list)
    #: every rule evaluated for each line (true, false or unknown, and the facts it read)
    trace: list[LineTrace] = Field(default_factory=list)
    #: on a confident answer, the one-fact changes that would flip it (smallest first)
    counterfactuals: list[Counterfactual] = Field(default_factory=list)
    budget_bucket: BudgetBucketResult | None = None
    tracking: str | None = None
    approval: Approval | None = None
    notes: list[str] = Field(default_factory=list)
    rules_version: str
