"""Facts: what we know about a spend request, each value with where it came from.

A request has *shared* facts (phase, environment, ownership, framework...) and one or more
*items* (the things being paid for: a server, a support contract, build labor...), each with
its own item facts (asset type, amount, useful life...). Rules classify each item; the
verdict combines the items.

Fact names and their value types live in :data:`FACT_TYPES`: rules and checklist files are
validated against it, so a typo in a rules file is caught on load, not at decision time.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator


class Source(StrEnum):
    """Where a fact came from, most trusted last (a later source overrides an earlier one)."""

    DEFAULT = "default"  # a policy default (rules/policy.yaml `defaults`)
    INFERRED = "inferred"  # read from free text by a keyword, not said in so many words
    STATED = "stated"  # said explicitly in the free text ("5 year life")
    PROPOSED = "proposed"  # proposed by the optional language model, validated like input
    FORM = "form"  # a field of the /capex budget request form
    ANSWERED = "answered"  # an answer to a checklist question


class Phase(StrEnum):
    EXPERIMENT = "experiment"
    BUILD = "build"
    PRODUCTION = "production"
    MAINTENANCE = "maintenance"


class Environment(StrEnum):
    CLOUD = "cloud"
    ON_PREM = "on_prem"
    HYBRID = "hybrid"


class Ownership(StrEnum):
    OWNED = "owned"  # bought; the organisation controls the asset
    RENTED = "rented"  # the vendor controls it; we pay for access or usage
    LEASED = "leased"  # a lease: out of scope of the capitalization policy


class Change(StrEnum):
    EXTENDS = "extends"  # adds capacity, life or capability to an existing asset
    MAINTAINS = "maintains"  # keeps the current capability (repairs, patches, retraining)


class Framework(StrEnum):
    US_GAAP = "us_gaap"
    IFRS = "ifrs"


class Money(BaseModel):
    """An amount in a currency, optionally per period (a monthly bill, a yearly subscription)."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per: Literal["month", "year"] | None = None

    def __str__(self) -> str:
        per = f"/{self.per}" if self.per else ""
        return f"{self.currency} {self.amount:,.2f}{per}"


class UsefulLife(BaseModel):
    """Expected useful life in months, as a range when the requester gave one ("3-5 years")."""

    model_config = ConfigDict(frozen=True)

    min_months: int = Field(gt=0, le=1200)
    max_months: int = Field(gt=0, le=1200)

    @model_validator(mode="after")
    def _ordered(self) -> UsefulLife:
        if self.max_months < self.min_months:
            raise ValueError("max_months must not be below min_months")
        return self

    def __str__(self) -> str:
        if self.min_months == self.max_months:
            return _months_text(self.min_months)
        return f"{_months_text(self.min_months)} to {_months_text(self.max_months)}"


def _months_text(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year" + ("s" if years != 1 else "")
    return f"{months} months"


#: Every fact the rules and the checklist may name, with its value type.
FACT_TYPES: dict[str, Any] = {
    "asset_type": str,  # an id from rules/policy.yaml `asset_types`
    "amount": Money,  # total cost of the item
    "unit_amount": Money,  # cost per unit when several are bought
    "quantity": Annotated[int, Field(ge=1, le=1_000_000)],
    "useful_life": UsefulLife,
    "term": UsefulLife,  # the period a service, subscription, lease or prepayment covers
    "recurring": bool,
    "change": Change,
    "creates_separate_asset": bool,  # IFRS SaaS work: creates code the organisation controls
    "alternative_future_use": bool,  # equipment usable beyond the one experiment it is bought for
    "ownership": Ownership,
    "phase": Phase,
    "environment": Environment,
    "framework": Framework,
    "phases_separable": bool,  # can research, build and run costs be told apart (time tracking)
}

#: Facts that belong to one item; the rest are shared by the whole request.
ITEM_FACTS: frozenset[str] = frozenset(
    {
        "asset_type",
        "amount",
        "unit_amount",
        "quantity",
        "useful_life",
        "term",
        "recurring",
        "change",
        "creates_separate_asset",
        "alternative_future_use",
        "ownership",
    }
)

_ADAPTERS: dict[str, TypeAdapter[Any]] = {name: TypeAdapter(t) for name, t in FACT_TYPES.items()}


def validate_fact_value(name: str, value: Any) -> Any:
    """Validate ``value`` for fact ``name``; raises ``KeyError`` or pydantic's ValidationError."""
    if name not in _ADAPTERS:
        raise KeyError(f"unknown fact {name!r}; known facts: {', '.join(sorted(FACT_TYPES))}")
    return _ADAPTERS[name].validate_python(value)


class Fact(BaseModel):
    """One fact value with its provenance."""

    model_config = ConfigDict(frozen=True)

    value: Any
    source: Source
    evidence: str | None = None  # the words it was read from, or the question it answered
    #: how sure the reading is: 1 for what was stated or answered, lower for a guess
    confidence: float = Field(default=1.0, ge=0, le=1)

    def describe(self) -> str:
        value = self.value.value if isinstance(self.value, StrEnum) else self.value
        return str(value)


def _validate_fact_map(facts: dict[str, Fact], allowed: frozenset[str] | None) -> dict[str, Fact]:
    checked: dict[str, Fact] = {}
    for name, fact in facts.items():
        if allowed is not None and name not in allowed:
            raise ValueError(f"{name!r} is not an item fact")
        value = validate_fact_value(name, fact.value)
        checked[name] = fact.model_copy(update={"value": value})
    return checked


class Item(BaseModel):
    """One thing being paid for within a request."""

    description: str
    facts: dict[str, Fact] = Field(default_factory=dict)

    @field_validator("facts")
    @classmethod
    def _known_item_facts(cls, facts: dict[str, Fact]) -> dict[str, Fact]:
        return _validate_fact_map(facts, ITEM_FACTS)


class Unread(BaseModel):
    """A part of the message the bot could not read with confidence: it blocks a verdict."""

    text: str  # the words, as written
    why: str  # what could not be settled, said to the requester


class Facts(BaseModel):
    """Everything known about a request: shared facts, items, and what could not be settled."""

    shared: dict[str, Fact] = Field(default_factory=dict)
    items: list[Item] = Field(default_factory=list)
    #: facts the text gave contradictory values for, with the values seen
    conflicts: dict[str, list[str]] = Field(default_factory=dict)
    #: parts of the message that tried to instruct the bot; recorded, never obeyed
    ignored_instructions: list[str] = Field(default_factory=list)
    #: amounts or costs the bot could not place on a line it understood; no confident verdict
    unread: list[Unread] = Field(default_factory=list)

    @field_validator("shared")
    @classmethod
    def _known_shared_facts(cls, facts: dict[str, Fact]) -> dict[str, Fact]:
        return _validate_fact_map(facts, frozenset(FACT_TYPES) - ITEM_FACTS)

    @property
    def about_spending(self) -> bool:
        """True when the message gave anything a spend decision could rest on."""
        return bool(self.items) or bool(self.shared.keys() - {"framework"})

    def with_fact(self, name: str, fact: Fact, item: int | None = None) -> Facts:
        """A copy with ``fact`` set: on item ``item``, or shared; conflicts on it are settled."""
        conflicts = {k: v for k, v in self.conflicts.items() if k != name}
        if name in ITEM_FACTS:
            # the items not changed are shared with this copy: Facts are never changed in place
            items = list(self.items) or [Item(description="request")]
            targets = range(len(items)) if item is None else [item]
            for index in targets:
                items[index] = Item(
                    description=items[index].description, facts={**items[index].facts, name: fact}
                )
            return self.model_copy(update={"items": items, "conflicts": conflicts})
        return self.model_copy(
            update={"shared": {**self.shared, name: fact}, "conflicts": conflicts}
        )
