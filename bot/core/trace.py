"""The rule trace: every rule the engine evaluated for a line, with its result and the facts
it read, recorded while the engine decides (nothing is evaluated twice).

The shape follows what rules engines such as zen-engine return beside their result: per
decision node, what it read and what it concluded, so a reader can replay the reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from bot.core.decision import LineTrace, RuleEvaluation, TraceResult, Treatment
from bot.core.facts import Money, UsefulLife
from bot.core.policy import AllOf, Condition, FactTest, NotOf, Rule

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Evaluated:
    """One rule as the engine evaluated it for one item."""

    rule: Rule
    result: bool | None  # None: unknown
    unknown: frozenset[str]  # the facts whose absence left it unknown


def facts_read(condition: Condition) -> list[str]:
    """The facts a condition reads, in the order it names them (the engine reads them all)."""
    if isinstance(condition, FactTest):
        return [condition.fact]
    if isinstance(condition, NotOf):
        return facts_read(condition.not_)
    children = condition.all if isinstance(condition, AllOf) else condition.any
    names: list[str] = []
    for child in children:
        names += [n for n in facts_read(child) if n not in names]
    return names


def traced(value: Any) -> str | int | bool | None:
    """A fact's value as a trace shows it: amounts and lives in words, numbers exact."""
    if value is None or isinstance(value, bool | int | str):
        return value.value if isinstance(value, StrEnum) else value
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, Money | UsefulLife):
        return str(value)
    return str(value)


def _result(value: bool | None) -> TraceResult:
    return "unknown" if value is None else "true" if value else "false"


def line_trace(
    index: int,
    description: str,
    treatment: Treatment,
    decided_by: Rule | None,
    evaluated: list[Evaluated],
    values: dict[str, Any],
) -> LineTrace:
    """The trace of one line from what the engine recorded and the values it tested."""
    return LineTrace(
        item=index,
        description=description,
        treatment=treatment,
        decided_by=decided_by.id if decided_by else None,
        rules=[
            RuleEvaluation(
                rule=e.rule.id,
                outcome=e.rule.outcome,
                result=_result(e.result),
                facts={name: traced(values.get(name)) for name in facts_read(e.rule.when)},
                unknown=sorted(e.unknown),
                section=e.rule.section,
            )
            for e in evaluated
        ],
    )
