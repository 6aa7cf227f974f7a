"""What would change the answer: the smallest one-fact changes that flip a confident verdict.

Nothing here is written by hand per case. For each line, the facts read by its deciding rule
and by the earlier rules with another outcome (ownership, the unit amount against the
threshold, the useful life, the phase, the framework...) are changed one at a time to the
values the policy's own conditions name: the other options a condition lists, the other side
of a boolean, and the nearest value across each numeric bound (USD 4,999.99 or USD 5,000 for
the capitalization threshold; 12 or 13 months for the minimum useful life). The rules run
again on each change, as they would on a checklist answer, and a change is kept only when
the request's verdict differs: at most :data:`PER_LINE` a line, a change to a confident
verdict before one that only makes the answer need review.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from bot.core.decision import VERDICT_LABELS, Counterfactual
from bot.core.engine import Evaluation, LineMemo, evaluate_facts
from bot.core.facts import (
    FACT_TYPES,
    ITEM_FACTS,
    Fact,
    Money,
    Source,
    UsefulLife,
    validate_fact_value,
)
from bot.core.policy import AllOf, Condition, FactTest, NotOf, Policy, SettingRef
from bot.core.trace import facts_read

#: At most this many changes per line: the nearest flips, not every way to reach them.
PER_LINE = 3

#: The facts a person can be asked to change, from the facts rules test.
_CHANGEABLE = {
    "unit_amount_base": "unit_amount",
    "amount_base": "unit_amount",
    "unit_amount": "unit_amount",
    "useful_life_months": "useful_life",
    "useful_life": "useful_life",
    **{
        name: name
        for name in FACT_TYPES
        if FACT_TYPES[name] is not Money and name not in ("asset_type", "quantity", "term")
    },
}
_BOUNDED = {
    "unit_amount": ("unit_amount_base", "amount_base"),
    "useful_life": ("useful_life_months",),
}
_STEP = {"unit_amount": Decimal("0.01"), "useful_life": Decimal(1)}

_OWNERSHIP = {"owned": "bought", "rented": "rented (capacity the vendor runs)", "leased": "leased"}
_PHASE = {
    "experiment": "an experiment, pilot or proof of concept",
    "build": "build work approved at Gate 2",
    "production": "for something already live",
    "maintenance": "maintenance of something already live",
}
_CHANGE = {
    "extends": "added capacity, life or features to an existing asset",
    "maintains": "only kept an existing asset running",
}
_FRAMEWORK = {"us_gaap": "US GAAP", "ifrs": "IFRS"}
_ENVIRONMENT = {"cloud": "in the cloud", "on_prem": "on premises", "hybrid": "hybrid"}


@dataclass(frozen=True)
class _Change:
    fact: str
    item: int | None
    value: Any
    phrase: str


def counterfactuals(evaluation: Evaluation, policy: Policy) -> list[Counterfactual]:
    """The one-fact changes that flip ``evaluation``'s verdict; none for needs_review.

    Per line, at most :data:`PER_LINE`: changes to a confident verdict first, in the order
    the deciding rule reads its facts; a change that only makes the answer need review fills
    the rest. A line's search stops once it has its confident changes.
    """
    if evaluation.verdict == "needs_review":
        return []
    found: list[Counterfactual] = []
    memo: LineMemo = {}  # the lines a change leaves as they were are not decided again
    for line in _changes(evaluation, policy):
        confident: list[Counterfactual] = []
        review: list[Counterfactual] = []
        done: set[str] = set()  # facts with a confident change already
        for change in line:
            if change.fact in done:
                continue
            fact = Fact(value=change.value, source=Source.ANSWERED, evidence=change.phrase)
            trial = evaluation.facts.with_fact(change.fact, fact, change.item)
            after = evaluate_facts(trial, policy, memo)
            if after.verdict == evaluation.verdict:
                continue
            flip = _counterfactual(change, evaluation, after)
            if flip.verdict == "needs_review":
                if all(c.fact != change.fact for c in review):
                    review.append(flip)
                continue
            confident.append(flip)
            done.add(change.fact)
            if len(confident) == PER_LINE:
                break
        review = [c for c in review if c.fact not in done]
        found += (confident + review)[:PER_LINE]
    return sorted(found, key=lambda c: c.verdict == "needs_review")  # stable: line order kept


def _counterfactual(change: _Change, before: Evaluation, after: Evaluation) -> Counterfactual:
    lines = [change.item] if change.item is not None else range(len(after.results))
    changed = [
        after.results[i].rule for i in lines if before.results[i].rule is not after.results[i].rule
    ]
    rule = changed[0] if changed else None
    many = len(before.facts.items) > 1 and change.item is not None
    description = before.facts.items[change.item].description if change.item is not None else None
    where = f"for “{description}”, " if many else ""
    return Counterfactual(
        fact=change.fact,
        value=getattr(change.value, "value", change.value),  # an option as its plain value
        verdict=after.verdict,
        item=change.item,
        item_description=description,
        text=f"{where}{change.phrase}: {VERDICT_LABELS[after.verdict]}",
        rule=rule.id if rule else None,
        section=rule.section if rule else None,
    )


def _changes(evaluation: Evaluation, policy: Policy) -> Iterator[list[_Change]]:
    """Candidate changes of each line, the deciding rule's facts first; a request-wide fact
    (phase, framework) with the first line that reads it.

    A line's treatment changes only if its deciding rule stops holding or an earlier rule
    with another outcome starts to hold (or becomes unknown): only the facts those rules
    read are tried. Leaving others out can only miss a change, never report a false one:
    every change kept is checked by running the rules.
    """
    shared_seen: set[str] = set()
    for index, result in enumerate(evaluation.results):
        decider = result.rule
        rules = [
            e.rule
            for e in reversed(result.evaluated)  # the decider, then the earlier ones
            if decider is None or e.rule is decider or e.rule.outcome != decider.outcome
        ]
        names: list[str] = []
        for rule in rules:
            for name in facts_read(rule.when):
                fact = _CHANGEABLE.get(name)
                if fact is not None and fact not in names:
                    names.append(fact)
        line: list[_Change] = []
        for fact in names:
            item = index if fact in ITEM_FACTS else None
            if item is None:
                if fact in shared_seen:
                    continue
                shared_seen.add(fact)
            line += _changes_of(fact, item, result.view.values, policy)
        yield line


def _changes_of(
    fact: str, item: int | None, values: dict[str, Any], policy: Policy
) -> Iterator[_Change]:
    if fact in _BOUNDED:
        yield from _across_bounds(fact, item, values, policy)
        return
    current = values.get(fact)
    for option in _options(fact, policy):
        try:
            value = validate_fact_value(fact, option)
        except (ValidationError, ValueError):
            continue
        if current is not None and str(value) == str(current):
            continue
        yield _Change(fact, item, value, _phrase(fact, value, current, policy))


def _options(fact: str, policy: Policy) -> list[Any]:
    """The values the policy's conditions name for ``fact`` (both sides of a boolean)."""
    if FACT_TYPES[fact] is bool:
        return [True, False]
    return _index(policy).named.get(fact, [])


@dataclass(frozen=True)
class _Index:
    named: dict[str, list[Any]]  # fact -> the values equals, in and not_in name
    bounds: dict[str, list[tuple[Decimal, bool]]]  # fact -> (bound, bound on the low side)


_INDEXES: dict[str, _Index] = {}


def _index(policy: Policy) -> _Index:
    """What the rules' conditions name, read once per policy version (its content hash)."""
    if policy.version not in _INDEXES:
        named: dict[str, list[Any]] = {}
        bounds: dict[str, list[tuple[Decimal, bool]]] = {}
        for rule in policy.rules:
            for test in _tests_in(rule.when):
                if test.operator in ("gt", "gte", "lt", "lte"):
                    # "gt b" and "lte b" put b itself on the low side; "gte b", "lt b" high
                    bound = (_bound(test, policy), test.operator in ("gt", "lte"))
                    if bound not in bounds.setdefault(test.fact, []):
                        bounds[test.fact].append(bound)
                    continue
                values = named.setdefault(test.fact, [])
                for value in (test.equals, *(test.in_ or []), *(test.not_in or [])):
                    if value is not None and value not in values:
                        values.append(value)
        _INDEXES[policy.version] = _Index(named, bounds)
    return _INDEXES[policy.version]


def _across_bounds(
    fact: str, item: int | None, values: dict[str, Any], policy: Policy
) -> Iterator[_Change]:
    """The nearest value on the other side of each bound a rule tests the fact against."""
    derived = _BOUNDED[fact]
    current = next((values[d] for d in derived if values.get(d) is not None), None)
    if current is None:
        return
    index = _index(policy)
    bounds = sorted(
        {bound for name in derived for bound in index.bounds.get(name, [])},
        key=lambda b: abs(b[0] - Decimal(str(current))),
    )
    for bound, bound_is_low_side in bounds:
        step = _STEP[fact]
        low, high = (bound, bound + step) if bound_is_low_side else (bound - step, bound)
        target = low if Decimal(str(current)) >= high else high
        if target <= 0:
            continue
        yield _bounded_change(fact, item, target, target == low, bound, policy)


def _bounded_change(
    fact: str, item: int | None, target: Decimal, lower: bool, bound: Decimal, policy: Policy
) -> _Change:
    if fact == "useful_life":
        months = int(target)
        life = UsefulLife(min_months=months, max_months=months)
        side = "or less" if lower else "or more"
        return _Change(fact, item, life, f"if the useful life were {months} months {side}")
    currency = policy.settings.base_currency
    money = Money(amount=target, currency=currency)
    if lower:
        phrase = f"below {currency} {bound:,.0f} a unit"
    else:
        phrase = f"at {currency} {bound:,.0f} a unit or more"
    return _Change(fact, item, money, phrase)


def _bound(test: FactTest, policy: Policy) -> Decimal:
    operand = getattr(test, test.operator)
    if isinstance(operand, SettingRef):
        return Decimal(str(getattr(policy.settings, operand.setting)))
    return Decimal(str(operand))


def _tests_in(condition: Condition) -> Iterator[FactTest]:
    if isinstance(condition, FactTest):
        yield condition
    elif isinstance(condition, NotOf):
        yield from _tests_in(condition.not_)
    else:
        for child in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from _tests_in(child)


def _phrase(fact: str, value: Any, current: Any, policy: Policy) -> str:
    """A change in words; the facts are fixed in code (``FACT_TYPES``), so is their wording."""
    new = str(getattr(value, "value", value))
    old = None if current is None else str(getattr(current, "value", current))
    organisation = policy.settings.organisation.split(",")[0]
    if fact == "ownership":
        rather = f" rather than {_OWNERSHIP[old].split(' (')[0]}" if old in _OWNERSHIP else ""
        return f"if it were {_OWNERSHIP.get(new, new)}{rather}"
    if fact == "phase":
        return f"if it were {_PHASE.get(new, new)}"
    if fact == "framework":
        return f"under {_FRAMEWORK.get(new, new)}"
    if fact == "change":
        return f"if it {_CHANGE.get(new, new)}"
    if fact == "environment":
        return f"if it ran {_ENVIRONMENT.get(new, new)}"
    flags = {
        "recurring": ("if it were billed monthly or yearly", "if it were paid once"),
        "alternative_future_use": (
            "if it could be reused after the experiment",
            "if it had no use after the experiment",
        ),
        "creates_separate_asset": (
            f"if the work created code {organisation} controls, separate from the vendor's",
            "if the work were configuration inside the vendor's product",
        ),
        "phases_separable": (
            "if research, build and support costs could be told apart",
            "if research, build and support costs could not be told apart",
        ),
    }
    if fact in flags:
        return flags[fact][0] if value is True else flags[fact][1]
    return f"if {fact.replace('_', ' ')} were {new}"
