"""The organisation's policy as data: the models of the files in ``rules/``.

Finance edits the YAML; these models validate it on load (see :mod:`bot.core.policy_loader`).
Conditions use three-valued logic at decision time: a condition on a fact nobody gave is
*unknown*, which is how the engine knows which fact it still needs.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from bot.core.facts import FACT_TYPES, Environment, Framework, validate_fact_value

Outcome = Literal["capex", "opex", "needs_review"]

#: Facts the engine derives from the stated ones before the rules run.
DERIVED_FACTS: frozenset[str] = frozenset(
    {
        "amount_base",  # item amount in the base currency (yearly when billed per month)
        "unit_amount_base",  # cost per unit in the base currency
        "useful_life_months",  # the low end of the stated (or policy) useful life
        "asset_category",  # the category of the item's asset type
        "with_capital_asset",  # another item of the request is capitalizable hardware
        "with_intangible_asset",  # another item is a capitalizable right (patent, licence...)
        "verdict",  # the request's verdict; only budget buckets may test it
    }
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SettingRef(Strict):
    """A reference to a number in policy.yaml, so thresholds are written once."""

    setting: Literal["capitalization_threshold", "minimum_useful_life_months"]


Operand = Decimal | int | str | bool | SettingRef


class FactTest(Strict):
    """A test on one fact: exactly one operator."""

    fact: str
    equals: Operand | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None
    gte: Decimal | SettingRef | None = None
    gt: Decimal | SettingRef | None = None
    lt: Decimal | SettingRef | None = None
    lte: Decimal | SettingRef | None = None
    known: bool | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("fact")
    @classmethod
    def _known_fact(cls, fact: str) -> str:
        if fact not in FACT_TYPES and fact not in DERIVED_FACTS:
            known = sorted(FACT_TYPES.keys() | DERIVED_FACTS)
            raise ValueError(f"unknown fact {fact!r}; known facts: {', '.join(known)}")
        return fact

    @model_validator(mode="after")
    def _one_operator(self) -> FactTest:
        given = [op for op in _OPERATORS if getattr(self, op) is not None]
        if len(given) != 1:
            names = ", ".join(o.rstrip("_") for o in _OPERATORS)
            raise ValueError(f"give exactly one operator ({names}); got {len(given)}")
        return self

    @cached_property
    def operator(self) -> str:
        """The test's one operator (cached: the engine asks on every evaluation)."""
        return next(op for op in _OPERATORS if getattr(self, op) is not None)


_OPERATORS = ("equals", "in_", "not_in", "gte", "gt", "lt", "lte", "known")


class AllOf(Strict):
    all: list[Condition] = Field(min_length=1)


class AnyOf(Strict):
    any: list[Condition] = Field(min_length=1)


class NotOf(Strict):
    not_: Condition = Field(alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _condition_kind(data: Any) -> str:
    """Pick the condition model by its key, so an error names one model, not four."""
    if isinstance(data, dict):
        for key in ("all", "any", "not"):
            if key in data:
                return key
    elif isinstance(data, AllOf):
        return "all"
    elif isinstance(data, AnyOf):
        return "any"
    elif isinstance(data, NotOf):
        return "not"
    return "fact"


Condition = Annotated[
    Annotated[FactTest, Tag("fact")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")]
    | Annotated[NotOf, Tag("not")],
    Discriminator(_condition_kind),
]


class Rule(Strict):
    """One decision rule: when its conditions hold, the item gets its outcome."""

    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    when: Condition
    outcome: Outcome
    reason: str = Field(min_length=10)
    section: str = Field(pattern=r"^\d+(\.\d+)*$")  # the policy section it implements
    standard: str  # the accounting standard paragraphs the section follows
    review_question: str | None = None  # for needs_review outcomes: what finance must settle

    @model_validator(mode="after")
    def _review_needs_question(self) -> Rule:
        if self.outcome == "needs_review" and not self.review_question:
            raise ValueError("a needs_review rule must say its review_question")
        return self


class RulesFile(Strict):
    rules: list[Rule] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> RulesFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return self


AssetCategory = Literal[
    "land",  # land: capitalized, never depreciated
    "tangible",  # property and equipment
    "intangible",  # purchased software licences
    "internal_software",  # internally developed software (build labor)
    "implementation",  # implementation of a cloud/SaaS arrangement
    "directly_attributable",  # installation, shipping: follows the asset it serves
    "service",  # consumed services: cloud usage, subscriptions, support, training runs
    "expensed",  # always expensed: user training, data conversion, post-launch fixes
    "operating",  # operating costs never capitalized: travel, insurance, salaries (§14)
    "lease",  # leases and rentals of equipment or space
    "out_of_scope",  # outside this policy, e.g. software to be sold (§1.4)
]


class AssetType(Strict):
    label: str
    category: AssetCategory
    useful_life_years: Decimal | None = Field(default=None, gt=0, le=100)
    #: a type that is only a placeholder until ownership is known ("GPUs": bought or rented?):
    #: ownership value -> the asset type it then is
    by_ownership: dict[str, str] = Field(default_factory=dict)
    #: asset types that, named with an amount right after an item of this type that has none,
    #: are that item's cost ("the ticket-routing assistant ... 1,840 hrs of coding, $176k":
    #: the hours are the build's cost, not a second purchase)
    absorbs: list[str] = Field(default_factory=list)
    #: a right that ends with its term ("a one-year licence") is used no longer than the term
    life_within_term: bool = False


class Default(Strict):
    """A fact assumed when nobody gave it, with the policy reason that makes it safe."""

    value: Any
    reason: str
    section: str
    asset_types: list[str] = Field(default_factory=list)  # empty: every item


#: A Slack user id (``U…``, or ``W…`` in Enterprise Grid), as the approver roles are held by.
SlackUser = Annotated[str, Field(pattern=r"^[UW][A-Z0-9]{2,}$")]


class ApprovalRoute(Strict):
    id: str
    min_amount: Decimal = Field(ge=0)
    max_amount: Decimal | None = None  # exclusive; None means no upper bound
    #: the approver roles, one step each, in the order they approve (keys of approvers_by_role)
    approvers: list[str] = Field(min_length=1)
    finance_channel: bool = False  # post to the finance approvals channel
    section: str


class BudgetBucket(Strict):
    id: str
    label: str
    when: Condition
    tracking: str
    section: str


class Tracking(Strict):
    capex: str
    opex: str


class Settings(Strict):
    """rules/policy.yaml: organisation-wide settings."""

    organisation: str
    framework: Framework
    base_currency: str = Field(pattern=r"^[A-Z]{3}$")
    capitalization_threshold: Decimal = Field(gt=0)
    minimum_useful_life_months: int = Field(gt=0)
    experiment_cap: Decimal = Field(gt=0)
    fx_rates: dict[str, Decimal]
    fx_rates_as_of: str
    asset_types: dict[str, AssetType] = Field(min_length=1)
    defaults: dict[str, Default] = Field(default_factory=dict)
    approval_routes: list[ApprovalRoute] = Field(min_length=1)
    #: Who holds each approver role the routes name: role -> Slack user ids (§10.1).
    approvers_by_role: dict[str, list[SlackUser]] = Field(default_factory=dict)
    #: Who may set how the bot behaves in a channel (``/capex channel``).
    finance_admins: list[SlackUser] = Field(default_factory=list)
    capex_register_threshold: Decimal = Field(gt=0)
    budget_buckets: list[BudgetBucket] = Field(min_length=1)
    tracking: Tracking
    #: How the budget request form names each environment (the phases are named by the
    #: checklist's phase question).
    environments: dict[Environment, str]

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.fx_rates.get(self.base_currency) != 1:
            raise ValueError(f"fx_rates must give the base currency {self.base_currency} as 1")
        if unnamed := [e.value for e in Environment if e not in self.environments]:
            raise ValueError(f"environments must name {', '.join(unnamed)}")
        for name, default in self.defaults.items():
            validate_fact_value(name, default.value)
        return self

    def to_base(self, amount: Decimal, currency: str) -> Decimal | None:
        """An amount in the base currency at the planning rate; None without a rate (§3.4)."""
        rate = self.fx_rates.get(currency)
        return None if rate is None else amount * rate

    def approval_route(self, amount_base: Decimal) -> ApprovalRoute:
        for route in self.approval_routes:
            upper_ok = route.max_amount is None or amount_base < route.max_amount
            if route.min_amount <= amount_base and upper_ok:
                return route
        return self.approval_routes[-1]


class Option(Strict):
    label: str = Field(max_length=75)  # Slack button text limit
    value: Any


class Question(Strict):
    """A checklist question that fills one fact."""

    id: str
    fact: str
    text: str
    help: str | None = None
    options: list[Option] = Field(default_factory=list)  # empty: free-text answer
    probe_values: list[Any] = Field(default_factory=list)  # for free-text facts: values to try

    @model_validator(mode="after")
    def _fact_known(self) -> Question:
        if self.fact not in FACT_TYPES:
            raise ValueError(f"unknown fact {self.fact!r}")
        for option in self.options:
            validate_fact_value(self.fact, option.value)
        for value in self.probe_values:
            validate_fact_value(self.fact, value)
        return self


class Checklist(Strict):
    questions: list[Question] = Field(min_length=1)


class LexiconEntry(Strict):
    value: Any
    patterns: list[str] = Field(min_length=1)
    #: asset words that are only context after a preposition ("installed on our servers")
    context_after_preposition: bool = False
    #: words that count units of an item ("4 seats"): they name an item only in a clause that
    #: states its own amount, and otherwise describe the item before them
    unit_word: bool = False
    #: these words settle the fact whatever else the message says of it: "Gate 2 was
    #: approved" holds against the prototype or POC the message also mentions (§10.2)
    decisive: bool = False


class Lexicon(Strict):
    """rules/lexicon.yaml: the words, in each language, that signal a fact value."""

    facts: dict[str, list[LexiconEntry]]
    phase_precedence: list[str]
    phase_conflicts: list[list[str]] = Field(default_factory=list)
    instruction_patterns: list[str] = Field(default_factory=list)
    #: a fact's words right after one of these do not count ("no gate 2 yet", "not approved")
    negation_patterns: list[str] = Field(default_factory=list)
    policy_question_patterns: list[str] = Field(default_factory=list)
    #: words that say a message is about buying or paying ("buy", "invoice", "kaufen"): with
    #: no amount and no lexicon word, the classifier reads a message only when one is there
    purchase_patterns: list[str] = Field(default_factory=list)
    #: words that say one price covers several things with no breakdown ("bundled in", "no
    #: breakdown"): the bot asks for each part's amount rather than put the price on one line
    no_breakdown_patterns: list[str] = Field(default_factory=list)
    #: words that say a deciding fact is still open ("still deciding if we buy or rent", "no
    #: detail yet whether it's a swap or a fix"): the bot asks rather than pick a reading
    undecided_patterns: list[str] = Field(default_factory=list)
    #: words that open a correction of what was said before ("actually the quote says..."):
    #: such a clause restates a cost, it never names a new one
    correction_patterns: list[str] = Field(default_factory=list)


#: The reserved class of ``rules/classes/``: phrases that name no cost (a site, a team, the
#: question itself). It is no asset type: it teaches the classifier what to leave unnamed.
NOT_A_COST = "not_a_cost"


class SpendClass(Strict):
    """``rules/classes/<asset type>.yaml``: what a kind of spend is, and how people write it.

    The example phrases teach the classifier (:mod:`bot.core.understanding`) to recognise the
    class in wording the lexicon has no entry for, in every language listed.
    """

    definition: str = Field(min_length=10)
    examples: dict[str, list[str]] = Field(min_length=1)  # language code -> phrases

    @field_validator("examples")
    @classmethod
    def _phrases(cls, examples: dict[str, list[str]]) -> dict[str, list[str]]:
        for language, phrases in examples.items():
            if not re.fullmatch(r"[a-z]{2}", language):
                raise ValueError(f"{language!r} is not a two-letter language code")
            if not phrases or not all(isinstance(p, str) and p.strip() for p in phrases):
                raise ValueError(f"{language}: give at least one non-empty phrase")
        return examples


class Policy(BaseModel):
    """The whole policy: settings, rules, checklist and lexicon, with a content version."""

    model_config = ConfigDict(frozen=True)

    settings: Settings
    rules: list[Rule]
    checklist: Checklist
    lexicon: Lexicon
    classes: dict[str, SpendClass] = Field(default_factory=dict)  # asset type -> examples
    version: str  # sha256 of the rules files, so every answer says which policy decided it
    directory: str

    def question_for(self, fact: str) -> Question | None:
        return next((q for q in self.checklist.questions if q.fact == fact), None)


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()
