"""The decision: facts in, verdict out, with the rules that fired and what is still missing.

Rules are tested per item in file order with three-valued logic (true / false / unknown).
The first rule that holds decides the item, *unless* an earlier rule with a different outcome
is unknown: then the verdict depends on a fact nobody gave, and the item needs review with
that fact named. This is how "never guess from thin facts" is kept mechanically.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from bot.core.decision import (
    Approval,
    BudgetBucketResult,
    Decision,
    LineItem,
    MissingFact,
    RuleFired,
    Treatment,
    Verdict,
)
from bot.core.facts import ITEM_FACTS, Facts, Framework, Item, Money, Source, UsefulLife
from bot.core.policy import (
    AllOf,
    AssetType,
    Condition,
    FactTest,
    NotOf,
    Policy,
    Rule,
    SettingRef,
)
from bot.core.trace import Evaluated, line_trace

#: Derived facts map back to the fact a person can be asked for.
_ASKABLE = {
    "unit_amount_base": "unit_amount",
    "amount_base": "unit_amount",
    "amount": "unit_amount",
    "useful_life_months": "useful_life",
    "asset_category": "asset_type",
}

CENT = Decimal("0.01")

#: Categories that directly attributable costs (installation, site work, legal fees) join.
_PROPERTY = frozenset({"tangible", "land"})


@dataclass
class _View:
    """The values the rules see for one item: shared + item + defaults + derived."""

    values: dict[str, Any]
    assumptions: list[str] = field(default_factory=list)


@dataclass
class _ItemResult:
    rule: Rule | None  # the deciding rule, when decided
    missing: dict[str, str]  # askable fact -> why it matters
    view: _View
    evaluated: list[Evaluated] = field(default_factory=list)  # in order, up to the decider


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def _to_base(money: Money | None, policy: Policy) -> Decimal | None:
    return None if money is None else policy.settings.to_base(money.amount, money.currency)


def _item_view(facts: Facts, index: int, policy: Policy, framework: Framework) -> _View:
    settings = policy.settings
    item = facts.items[index]
    values: dict[str, Any] = {
        name: _plain(f.value) for name, f in facts.shared.items() if name not in facts.conflicts
    }
    values.setdefault("framework", framework.value)
    values.update({name: _plain(f.value) for name, f in item.facts.items()})
    view = _View(values)

    asset = settings.asset_types.get(values.get("asset_type", ""))
    resolved = asset.by_ownership.get(str(values.get("ownership"))) if asset else None
    if resolved is not None:  # "GPUs" once it is known whether they are bought or rented
        values["asset_type"] = resolved
        asset = settings.asset_types.get(resolved)
    category = asset.category if asset else None
    values["asset_category"] = category
    for name, default in settings.defaults.items():
        applies = not default.asset_types or values.get("asset_type") in default.asset_types
        if applies and values.get(name) is None and name not in facts.conflicts:
            values[name] = _plain(default.value)
            label = name.replace("_", " ")
            view.assumptions.append(
                f"{label}: {_plain(default.value)} ({default.reason} §{default.section})"
            )

    amount: Money | None = values.get("amount")
    unit: Money | None = values.get("unit_amount")
    quantity = values.get("quantity")
    if unit is None and amount is not None:
        unit = (
            amount
            if not quantity
            else Money(amount=amount.amount / quantity, currency=amount.currency, per=amount.per)
        )
    if amount is None and unit is not None:
        amount = Money(amount=unit.amount * (quantity or 1), currency=unit.currency, per=unit.per)
    values["quantity"] = quantity or (1 if amount is not None else None)
    values["amount"] = amount
    values["unit_amount"] = unit
    values["amount_base"] = _to_base(amount, policy)
    values["unit_amount_base"] = _to_base(unit, policy)
    if amount is not None and values["amount_base"] is None:
        view.assumptions.append(f"no planning rate for {amount.currency}: amount not compared")
    attributable = _attributable_base(facts, policy)
    if category == "tangible" and attributable and values["unit_amount_base"] is not None:
        values["unit_amount_base"] += attributable / (values["quantity"] or 1)
        view.assumptions.append(
            f"the cost tested against the threshold includes {policy.settings.base_currency} "
            f"{attributable:,.2f} of shipping and installation (§3.1, §5.2)"
        )

    life = values.get("useful_life")
    if life is not None:
        straddles = life.min_months <= settings.minimum_useful_life_months < life.max_months
        # "12-24 months" could go either way: unknown, so the bot asks rather than guesses
        values["useful_life_months"] = None if straddles else life.min_months
    elif asset and asset.useful_life_years:
        values["useful_life_months"] = int(asset.useful_life_years * 12)
        view.assumptions.append(
            f"useful life: {asset.useful_life_years:g} years, the policy life for "
            f"{asset.label.lower()} (§4.2)"
        )
    else:
        values["useful_life_months"] = None
    term: UsefulLife | None = values.get("term")
    if asset and asset.life_within_term and term is not None:
        life_months = values["useful_life_months"]
        if life_months is None or life_months > term.max_months:
            values["useful_life_months"] = term.max_months
            view.assumptions.append(
                f"period of use: at most the term of {term.max_months} months (§6.6)"
            )

    # set by evaluate_facts once the asset the cost belongs to is decided
    values["with_capital_asset"] = False
    values["with_intangible_asset"] = False
    return view


def _category(item: Item, policy: Policy) -> str | None:
    fact = item.facts.get("asset_type")
    asset = policy.settings.asset_types.get(fact.value) if fact else None
    return asset.category if asset else None


def _attributable_base(facts: Facts, policy: Policy) -> Decimal:
    """Shipping and installation of the request's one piece of equipment count toward its cost.

    Only when the request has exactly one equipment item: with several, which costs belong to
    which asset is not known, and the installation is judged on its own (§3.1, §5.2).
    """
    tangible = [i for i in facts.items if _category(i, policy) == "tangible"]
    if len(tangible) != 1:
        return Decimal(0)
    total = Decimal(0)
    for item in facts.items:
        fact = item.facts.get("amount") or item.facts.get("unit_amount")
        if _category(item, policy) == "directly_attributable" and fact is not None:
            total += _to_base(fact.value, policy) or Decimal(0)
    return total


def _operand(value: Any, policy: Policy) -> Any:
    if isinstance(value, SettingRef):
        return Decimal(str(getattr(policy.settings, value.setting)))
    return value


def evaluate(
    condition: Condition, values: dict[str, Any], policy: Policy
) -> tuple[bool | None, set[str]]:
    """Three-valued evaluation: (True/False/None for unknown, facts that were unknown).

    ``all`` stops at its first false child and ``any`` at its first true one: a decisive
    child decides whatever the others are, known or not.
    """
    if isinstance(condition, FactTest):
        return _test(condition, values, policy)
    if isinstance(condition, NotOf):
        inner, missing = evaluate(condition.not_, values, policy)
        return (None if inner is None else not inner), missing
    children = condition.all if isinstance(condition, AllOf) else condition.any
    return _combined(
        (evaluate(child, values, policy) for child in children),
        decisive=not isinstance(condition, AllOf),
    )


def _combined(
    results: Iterable[tuple[bool | None, set[str]]], decisive: bool
) -> tuple[bool | None, set[str]]:
    """``all`` (``decisive`` False) or ``any`` (True) of three-valued results, stopping at the
    first decisive one; unknown, with the facts it waits for, when an unknown one could
    still decide."""
    unknown: set[str] = set()
    undecided = False
    for result, missing in results:
        if result is decisive:
            return decisive, set()
        if result is None:
            undecided = True
            unknown |= missing
    if undecided:
        return None, unknown
    return not decisive, set()


_COMPARE: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "gte": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _test(test: FactTest, values: dict[str, Any], policy: Policy) -> tuple[bool | None, set[str]]:
    value = values.get(test.fact)
    if test.known is not None:
        return (value is not None) == test.known, set()
    if value is None:
        return None, {test.fact}
    operator = test.operator
    if operator == "equals":
        return _same(value, _operand(test.equals, policy)), set()
    if operator in ("in_", "not_in"):
        listed = test.in_ if operator == "in_" else test.not_in
        inside = any(_same(value, option) for option in listed or [])
        return (inside if operator == "in_" else not inside), set()
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    bound = _operand(getattr(test, operator), policy)
    bound = bound if isinstance(bound, Decimal) else Decimal(str(bound))
    return _COMPARE[operator](number, bound), set()


def _same(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected or str(value).lower() == str(expected).lower()
    return str(value) == str(expected)


#: A condition compiled for one policy: the facts' values in, what :func:`evaluate` returns out.
_Test = Callable[[dict[str, Any]], tuple[bool | None, set[str]]]


def _compiled_test(condition: Condition, policy: Policy) -> _Test:
    """``condition`` as a function doing what :func:`evaluate` does, with each test's operator
    and operand (a policy setting turned into a Decimal) looked up once instead of on every
    evaluation: the rules run some ten times per answer (what would change it, the
    checklist), so this is most of the engine's time."""
    if isinstance(condition, FactTest):
        return _compiled_fact_test(condition, policy)
    if isinstance(condition, NotOf):
        inner = _compiled_test(condition.not_, policy)

        def negated(values: dict[str, Any]) -> tuple[bool | None, set[str]]:
            result, missing = inner(values)
            return (None if result is None else not result), missing

        return negated
    decisive = not isinstance(condition, AllOf)
    children = [
        _compiled_test(child, policy)
        for child in (condition.all if isinstance(condition, AllOf) else condition.any)
    ]

    def combined(values: dict[str, Any]) -> tuple[bool | None, set[str]]:
        return _combined((child(values) for child in children), decisive)

    return combined


def _compiled_fact_test(test: FactTest, policy: Policy) -> _Test:
    """What :func:`_test` does for ``test``, its operand resolved once."""
    fact = test.fact
    known = test.known
    if known is not None:
        return lambda values: ((values.get(fact) is not None) == known, set())
    operator = test.operator
    if operator == "equals":
        expected = _operand(test.equals, policy)

        def equals(values: dict[str, Any]) -> tuple[bool | None, set[str]]:
            value = values.get(fact)
            if value is None:
                return None, {fact}
            return _same(value, expected), set()

        return equals
    if operator in ("in_", "not_in"):
        listed = tuple((test.in_ if operator == "in_" else test.not_in) or [])
        wanted = operator == "in_"

        def among(values: dict[str, Any]) -> tuple[bool | None, set[str]]:
            value = values.get(fact)
            if value is None:
                return None, {fact}
            inside = any(_same(value, option) for option in listed)
            return (inside if wanted else not inside), set()

        return among
    operand = _operand(getattr(test, operator), policy)
    bound = operand if isinstance(operand, Decimal) else Decimal(str(operand))
    compare = _COMPARE[operator]

    def compared(values: dict[str, Any]) -> tuple[bool | None, set[str]]:
        value = values.get(fact)
        if value is None:
            return None, {fact}
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return compare(number, bound), set()

    return compared


#: Each policy's rule conditions compiled, by the identity of its rules and settings (the
#: objects are kept here, so their ids cannot be reused while the entry lives).
_RULE_TESTS: dict[tuple[int, int], tuple[list[Rule], Any, list[_Test]]] = {}


def _rule_tests(policy: Policy) -> list[_Test]:
    """``policy.rules``' conditions, compiled once per rules list and settings."""
    key = (id(policy.rules), id(policy.settings))
    cached = _RULE_TESTS.get(key)
    if cached is None or cached[0] is not policy.rules or cached[1] is not policy.settings:
        if len(_RULE_TESTS) >= 16:
            _RULE_TESTS.clear()
        tests = [_compiled_test(rule.when, policy) for rule in policy.rules]
        cached = _RULE_TESTS[key] = (policy.rules, policy.settings, tests)
    return cached[2]


def _classify(view: _View, policy: Policy) -> _ItemResult:
    blockers: list[tuple[Rule, set[str]]] = []
    evaluated: list[Evaluated] = []
    for rule, test in zip(policy.rules, _rule_tests(policy), strict=True):
        result, unknown = test(view.values)
        evaluated.append(Evaluated(rule, result, frozenset(unknown)))
        if result is True:
            differing = [(r, u) for r, u in blockers if r.outcome != rule.outcome]
            if not differing:
                return _ItemResult(rule, {}, view, evaluated)
            return _ItemResult(None, _why_missing(differing, rule), view, evaluated)
        if result is None:
            blockers.append((rule, unknown))
    return _ItemResult(None, _why_missing(blockers, None), view, evaluated)


def _why_missing(blockers: list[tuple[Rule, set[str]]], fired: Rule | None) -> dict[str, str]:
    missing: dict[str, str] = {}
    for rule, unknown in blockers:
        for fact in sorted(unknown):
            askable = _ASKABLE.get(fact, fact)
            if askable in missing:
                continue
            against = f"; otherwise {fired.id} ({fired.outcome})" if fired else ""
            missing[askable] = f"decides whether {rule.id} ({rule.outcome}) applies{against}"
    return missing


def verdict_of(treatments: list[Treatment], undecided: bool) -> Verdict:
    if undecided or "needs_review" in treatments or not treatments:
        return "needs_review"
    kinds = set(treatments)
    if kinds == {"capex"}:
        return "capex"
    if kinds == {"opex"}:
        return "opex"
    return "split"


@dataclass
class Evaluation:
    """The rules' outcome for every item, before it is dressed as a Decision."""

    facts: Facts
    framework: Framework
    results: list[_ItemResult]
    verdict: Verdict

    @property
    def missing(self) -> list[MissingFact]:
        found: list[MissingFact] = []
        for index, result in enumerate(self.results):
            for fact, why in result.missing.items():
                item = index if fact in ITEM_FACTS else None
                if any(m.fact == fact and m.item == item for m in found):
                    continue
                description = self.facts.items[index].description if item is not None else None
                if fact in self.facts.conflicts:
                    seen = " and ".join(self.facts.conflicts[fact])
                    why = f"the message says both {seen}; {why}"
                found.append(
                    MissingFact(fact=fact, item=item, item_description=description, why=why)
                )
        return found


#: Lines already classified, by the values their rules saw: a line's result depends on nothing
#: else, so a search deciding many variants of one request reuses the lines it did not change.
LineMemo = dict[tuple[Any, ...], _ItemResult]


def evaluate_facts(facts: Facts, policy: Policy, memo: LineMemo | None = None) -> Evaluation:
    """Run the rules on every item; cheap enough to call many times (the checklist does)."""
    chosen = _framework(facts, policy)
    if not facts.items:
        return Evaluation(facts, chosen, [], "needs_review")
    views = [_item_view(facts, index, policy, chosen) for index in range(len(facts.items))]
    results: list[_ItemResult | None] = [None] * len(views)
    # equipment first: installation follows the asset it brings into use (§5.2)
    order = sorted(range(len(views)), key=lambda i: _attributable(views[i]))
    for index in order:
        view = views[index]
        if _attributable(view):
            capitalized = {
                r.view.values.get("asset_category")
                for r in results
                if r is not None and r.rule is not None and r.rule.outcome == "capex"
            }
            view.values["with_capital_asset"] = bool(capitalized & _PROPERTY)
            view.values["with_intangible_asset"] = "intangible" in capitalized
        results[index] = _classified(view, facts, policy, memo)
    decided = [r for r in results if r is not None]
    treatments = [r.rule.outcome for r in decided if r.rule]
    # a part of the message nobody could place may be another cost: never a confident verdict
    undecided = (
        any(r.rule is None for r in decided) or bool(facts.unread) or "amount" in facts.conflicts
    )
    return Evaluation(facts, chosen, decided, verdict_of(treatments, undecided))


def _classified(view: _View, facts: Facts, policy: Policy, memo: LineMemo | None) -> _ItemResult:
    if memo is None:
        return _classify_item(view, facts, policy)
    key = (*view.values.items(), "amount" in facts.conflicts)
    try:
        known = memo.get(key)
    except TypeError:  # a value that cannot be a key: decide it afresh
        return _classify_item(view, facts, policy)
    if known is None:
        known = memo[key] = _classify_item(view, facts, policy)
    return known


def _attributable(view: _View) -> bool:
    return view.values.get("asset_category") == "directly_attributable"


def _classify_item(view: _View, facts: Facts, policy: Policy) -> _ItemResult:
    if view.values.get("asset_type") is None:
        return _ItemResult(None, {"asset_type": "nothing can be decided without it"}, view)
    if "amount" in facts.conflicts and view.values.get("amount") is None:
        # several amounts and no way to tell which is this item's: one may be another cost
        why = f"the message gives {' and '.join(facts.conflicts['amount'])}"
        return _ItemResult(None, {"unit_amount": why}, view)
    return _classify(view, policy)


def _framework(facts: Facts, policy: Policy) -> Framework:
    fact = facts.shared.get("framework")
    return Framework(_plain(fact.value)) if fact else policy.settings.framework


def build_decision(evaluation: Evaluation, policy: Policy) -> Decision:
    """Dress an evaluation as the full answer (line items, bucket, approval, assumptions)."""
    facts = evaluation.facts
    settings = policy.settings
    lines = [_line_item(facts.items[i], r, policy) for i, r in enumerate(evaluation.results)]
    fired = [
        RuleFired(
            id=r.rule.id,
            outcome=r.rule.outcome,
            reason=r.rule.reason,
            section=r.rule.section,
            standard=r.rule.standard,
            item=facts.items[i].description,
            review_question=r.rule.review_question,
        )
        for i, r in enumerate(evaluation.results)
        if r.rule
    ]
    trace = [
        line_trace(
            i, facts.items[i].description, line.treatment, r.rule, r.evaluated, r.view.values
        )
        for i, (r, line) in enumerate(zip(evaluation.results, lines, strict=True))
    ]
    assumptions: list[str] = []
    for result in evaluation.results:
        for text in result.view.assumptions:
            if text not in assumptions:
                assumptions.append(text)
    if any(
        f.source is Source.INFERRED
        for i in facts.items
        for n, f in i.facts.items()
        if n in ("amount", "unit_amount")
    ):
        assumptions.append(f"amounts written without a currency are in {settings.base_currency}")
    notes = [
        f"Ignored an instruction in the message: “{text}”" for text in facts.ignored_instructions
    ]
    for fact, seen in facts.conflicts.items():
        notes.append(f"The message gives conflicting {fact.replace('_', ' ')}: {', '.join(seen)}")
    notes += [f"I could not place “{part.text}”: {part.why}" for part in facts.unread]
    bucket = _bucket(evaluation, policy)
    complete = not evaluation.missing
    return Decision(
        verdict=evaluation.verdict,
        summary="",
        framework=evaluation.framework.value,
        line_items=lines,
        facts=facts,
        assumptions=assumptions,
        missing=evaluation.missing,
        complete=complete,
        rules_fired=fired,
        trace=trace,
        budget_bucket=bucket,
        tracking=_tracking(evaluation.verdict, bucket, policy),
        approval=_approval(evaluation, lines, policy),
        notes=notes,
        rules_version=policy.version,
    )


def _line_item(item: Item, result: _ItemResult, policy: Policy) -> LineItem:
    values = result.view.values
    asset = policy.settings.asset_types.get(values.get("asset_type") or "")
    treatment: Treatment = result.rule.outcome if result.rule else "needs_review"
    amount: Money | None = values.get("amount")
    line = LineItem(
        description=item.description,
        asset_type=values.get("asset_type"),
        asset_label=asset.label if asset else None,
        asset_category=asset.category if asset else None,
        amount=amount,
        amount_base=_round(values.get("amount_base")),
        treatment=treatment,
        rule_id=result.rule.id if result.rule else None,
    )
    term: UsefulLife | None = values.get("term")
    line.term_months = term.max_months if term else None
    one_payment = amount is not None and amount.per is None
    if treatment == "opex" and term and one_payment and term.max_months > 1:
        assert amount is not None
        line.prepaid_release_per_month = _round(amount.amount / term.max_months)
    if treatment == "capex":
        months = _write_off_months(values.get("useful_life"), asset)
        line.useful_life_months = months
        if months and amount is not None and amount.per is None:
            monthly = amount.amount / months
            line.depreciation_per_month = _round(monthly)
            line.depreciation_per_year = _round(monthly * min(12, months))
    return line


def _write_off_months(stated: UsefulLife | None, asset: AssetType | None) -> int | None:
    """The policy life of the class, or the requester's shorter estimate (§3.2, §4.2).

    A range ("1 to 3 years") counts at its upper end here: its lower end only decides the
    more-than-a-year test.
    """
    policy_months = int(asset.useful_life_years * 12) if asset and asset.useful_life_years else None
    if stated is None:
        return policy_months
    if policy_months is None:
        return stated.max_months
    return min(policy_months, stated.max_months)


def _round(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CENT, rounding=ROUND_HALF_UP)


def _bucket(evaluation: Evaluation, policy: Policy) -> BudgetBucketResult | None:
    """The first bucket (in policy order) that holds for every item of the request (§11.1)."""
    if not evaluation.results:
        return None
    for bucket in policy.settings.budget_buckets:
        holds = all(
            evaluate(bucket.when, {**r.view.values, "verdict": evaluation.verdict}, policy)[0]
            is True
            for r in evaluation.results
        )
        if holds:
            return BudgetBucketResult(
                id=bucket.id, label=bucket.label, tracking=bucket.tracking, section=bucket.section
            )
    return None


def _tracking(verdict: Verdict, bucket: BudgetBucketResult | None, policy: Policy) -> str | None:
    tracking = policy.settings.tracking
    if verdict == "capex":
        return tracking.capex
    if verdict == "opex":
        return bucket.tracking if bucket else tracking.opex
    if verdict == "split":
        return f"CapEx lines: {tracking.capex} OpEx lines: {tracking.opex}"
    return None


def _approval(evaluation: Evaluation, lines: list[LineItem], policy: Policy) -> Approval | None:
    settings = policy.settings
    known = [line for line in lines if line.amount_base is not None]
    if not known:
        return None
    total = sum((line.committed_amount_base or Decimal(0) for line in known), start=Decimal(0))
    route = settings.approval_route(total)
    notes = []
    if len(known) < len(lines):
        notes.append("Some amounts are unknown: the route may rise once they are given.")
    recurring = [line for line in known if line.amount and line.amount.per]
    if any(line.term_months for line in recurring):
        notes.append("Recurring payments count at their total over the committed term (§10.1).")
    if any(not line.term_months for line in recurring):
        notes.append("Recurring amounts without a stated term are counted for a year.")
    phase = evaluation.facts.shared.get("phase")
    expensed = sum(
        (line.yearly_amount_base or Decimal(0) for line in known if line.treatment == "opex"),
        start=Decimal(0),
    )  # equipment that is capitalized does not count against the Gate 1 cap (§5.3)
    if phase and _plain(phase.value) == "experiment" and expensed > settings.experiment_cap:
        notes.append(
            f"Above the experiment cap of {settings.base_currency} {settings.experiment_cap:,.0f}:"
            " finance review and a revised forecast are required (§10.3)."
        )
    if any(
        line.treatment == "capex" and (line.amount_base or 0) >= settings.capex_register_threshold
        for line in known
    ):
        notes.append(
            "Fixed-asset accounting sets up the asset-register entry before the PO (§10.1)."
        )
    return Approval(
        route=route.id,
        approvers=route.approvers,
        finance_channel=route.finance_channel,
        amount_base=_round(total),
        currency=settings.base_currency,
        section=route.section,
        notes=notes,
    )
