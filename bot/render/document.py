"""One answer as every surface shows it: built once from an :class:`Answer`, rendered four ways.

:func:`build_document` walks the answer's parts (the rules' decision, the policy text cited,
the finance figures, the model's wording) once; the terminal (:mod:`bot.render.text`), Block
Kit (:mod:`bot.slack.blocks`), the memo (:mod:`bot.finance.memo`) and the optional model's
brief (:mod:`bot.llm.phrase`) each lay the same document out in their own form. It knows no
Slack: the Slack renderer escapes a document's strings on their way in
(:func:`bot.slack.blocks.escaped`).
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from bot.core.answer import Answer, LineFigures
from bot.core.decision import (
    VERDICT_LABELS,
    Approval,
    BudgetBucketResult,
    Citation,
    Counterfactual,
    Kind,
    LineItem,
    LineTrace,
    MissingFact,
    NextQuestion,
    RuleFired,
    Treatment,
    Verdict,
)
from bot.core.facts import Fact, Money


def money(amount: Decimal | None, currency: str) -> str:
    return "-" if amount is None else f"{currency} {amount:,.2f}"


class YearOne(BaseModel):
    """A CapEx line's first month of depreciation and its charge to that fiscal year's P&L."""

    model_config = ConfigDict(frozen=True)

    start: str  # YYYY-MM
    label: str  # the fiscal year, e.g. FY2026
    charge: Decimal  # in the amount's currency


class LineSection(BaseModel):
    """One line of the request: what it is, its treatment, amount, life and year-one charge."""

    model_config = ConfigDict(frozen=True)

    number: int  # 1-based
    name: str  # the asset class's label, else the line's own words
    description: str  # the line's own words
    treatment: Treatment
    rule: str | None  # the rule that decided it
    asset_type: str | None
    amount: Money | None
    amount_base: Decimal | None  # in the policy's base currency
    life_months: int | None
    write_off_word: str  # depreciate or amortize
    per_month: Decimal | None  # straight-line, in the amount's currency
    per_year: Decimal | None
    year_one: YearOne | None = None

    @property
    def treatment_label(self) -> str:
        return VERDICT_LABELS[self.treatment]

    @property
    def year_one_text(self) -> str | None:
        """Its year-one P&L effect against expensing it, in one sentence."""
        if self.year_one is None or self.amount is None:
            return None
        currency, cost, charge = self.amount.currency, self.amount.amount, self.year_one.charge
        return (
            f"{self.name}: from {self.year_one.start}, {self.year_one.label} P&L "
            f"{currency} {charge:,.2f} ({self.write_off_word}d) instead of {currency} "
            f"{cost:,.2f} if expensed; {currency} {cost - charge:,.2f} falls in later years"
        )


class FactRow(BaseModel):
    """A fact the decision rests on, and where it came from."""

    model_config = ConfigDict(frozen=True)

    name: str  # in words: "useful life"
    line: int | None  # index of the line it belongs to; None for a request-wide fact
    item: str | None  # that line's description
    value: str
    source: str
    evidence: str | None


class DecisionDocument(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: Kind
    verdict: Verdict
    framework: str
    summary: str  # the model's wording when it was used, else the rules' summary
    lines: list[LineSection]
    reasons: list[RuleFired]  # the rules that fired
    counterfactuals: list[Counterfactual]
    citations: list[Citation]
    facts: list[FactRow]
    several_items: bool  # facts are named with their line
    assumptions: list[str]
    conflicts: list[str]  # "useful life: 3 years, 5 years"
    ignored_instructions: list[str]
    missing: list[MissingFact]
    next_question: NextQuestion | None
    complete: bool
    budget_bucket: BudgetBucketResult | None
    tracking: str | None
    approval: Approval | None
    trace: list[LineTrace]
    notes: list[str]
    rules_version: str
    knowledge_version: str | None

    @property
    def decided(self) -> bool:
        """A spend decision, not a policy question or a message about something else."""
        return self.kind == "decision"

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def year_one(self) -> list[str]:
        """One sentence per CapEx line on its year-one P&L effect."""
        return [text for line in self.lines if (text := line.year_one_text)]

    @property
    def approval_text(self) -> str | None:
        """Who approves, on what total, under which section."""
        if self.approval is None:
            return None
        approval = self.approval
        total = money(approval.amount_base, approval.currency)
        return f"{', '.join(approval.approvers)} (total {total}; policy §{approval.section})"

    @property
    def amounts(self) -> set[Decimal]:
        """Every amount the answer states, to the cent: nothing else may be quoted for it."""
        values: list[Decimal | None] = []
        for line in self.lines:
            values += [line.amount.amount if line.amount else None, line.amount_base]
            values += [line.per_month, line.per_year]
            values.append(line.year_one.charge if line.year_one else None)
        if self.approval is not None:
            values.append(self.approval.amount_base)
        return {v.quantize(Decimal("0.01")) for v in values if v is not None}


def build_document(answer: Answer) -> DecisionDocument:
    decision = answer.decision
    finance = answer.finance
    facts = decision.facts
    rows = [_fact_row(name, None, None, fact) for name, fact in facts.shared.items()]
    for index, item in enumerate(facts.items):
        rows += [_fact_row(name, index, item.description, f) for name, f in item.facts.items()]
    return DecisionDocument(
        kind=decision.kind,
        verdict=decision.verdict,
        framework=decision.framework,
        summary=answer.summary,
        lines=[
            _line(number, line, finance.of_line(number - 1) if finance else None)
            for number, line in enumerate(decision.line_items, start=1)
        ],
        reasons=decision.rules_fired,
        counterfactuals=decision.counterfactuals,
        citations=answer.citations,
        facts=rows,
        several_items=len(facts.items) > 1,
        assumptions=decision.assumptions,
        conflicts=[f"{k.replace('_', ' ')}: {', '.join(v)}" for k, v in facts.conflicts.items()],
        ignored_instructions=facts.ignored_instructions,
        missing=decision.missing,
        next_question=decision.next_question,
        complete=decision.complete,
        budget_bucket=decision.budget_bucket,
        tracking=decision.tracking,
        approval=decision.approval,
        trace=decision.trace,
        notes=answer.notes,
        rules_version=decision.rules_version,
        knowledge_version=answer.knowledge_version,
    )


def _line(number: int, line: LineItem, figures: LineFigures | None) -> LineSection:
    year_one = None
    if figures is not None:
        year_one = YearOne(
            start=figures.depreciation_start,
            label=figures.year_one_label,
            charge=figures.year_one_charge,
        )
    return LineSection(
        number=number,
        name=line.asset_label or line.description,
        description=line.description,
        treatment=line.treatment,
        rule=line.rule_id,
        asset_type=line.asset_type,
        amount=line.amount,
        amount_base=line.amount_base,
        life_months=line.useful_life_months,
        write_off_word=line.write_off_word,
        per_month=line.depreciation_per_month,
        per_year=line.depreciation_per_year,
        year_one=year_one,
    )


def _fact_row(name: str, line: int | None, item: str | None, fact: Fact) -> FactRow:
    return FactRow(
        name=name.replace("_", " "),
        line=line,
        item=item,
        value=fact.describe(),
        source=fact.source.value,
        evidence=fact.evidence,
    )
