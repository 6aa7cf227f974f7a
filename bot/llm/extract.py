"""Facts a language model proposes from messy text, checked like user input before they count.

The model only fills gaps. A proposal is dropped, with a note saying why, when:

- it names a fact the policy does not know, or a value that fails the fact's validation
  (an asset type the policy does not list, a negative amount, a phase that does not exist);
- its evidence is not words of the request, or lies inside an instruction to the bot;
- the words it quotes carry a number and the proposed value does not match it;
- the parser already read that fact from the request, or read contradictory values for it
  (contradictions go back to the requester, not to the model);
- the request has several items and the evidence does not say which one it belongs to.

Accepted proposals enter the facts as :attr:`Source.PROPOSED` with their evidence, and the
rules decide from the facts exactly as they do for any other request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.core import Fact, Facts, Policy, Source
from bot.core.facts import FACT_TYPES, ITEM_FACTS, Money, UsefulLife, validate_fact_value
from bot.core.money import find_amounts, find_useful_life
from bot.core.parsing import MAX_TEXT

_JSON = re.compile(r"\{.*\}|\[.*\]", re.DOTALL)
_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|grand|million|billion|"
    r"zwei|drei|vier|fünf|zehn|hundert|tausend|deux|trois|quatre|cinq|dix|cent|mille|dos|"
    r"tres|cuatro|cinco|diez|cien|mil|dois|quatro|dez|twee|drie|vijf|tien|duizend)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Proposal:
    fact: str
    value: Any
    evidence: str


def parse_proposals(reply: str) -> list[Proposal]:
    """The proposals in a model's reply: ``{"facts": [{"fact", "value", "evidence"}]}``.

    Raises ValueError when the reply holds no such JSON.
    """
    match = _JSON.search(reply)
    if match is None:
        raise ValueError("the reply held no JSON")
    data = json.loads(match.group(0))
    entries = data.get("facts") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ValueError("the reply's JSON has no list of facts")
    proposals = []
    for entry in entries:
        if isinstance(entry, dict) and isinstance(entry.get("fact"), str):
            evidence = entry.get("evidence")
            proposals.append(
                Proposal(
                    entry["fact"], entry.get("value"), evidence if isinstance(evidence, str) else ""
                )
            )
    return proposals


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


def _matches_quoted_number(name: str, value: Any, evidence: str, policy: Policy) -> bool:
    """A number the model proposes must be a number the quoted words say.

    For amounts, quantities and lives the evidence has to state a number, in digits or in
    words ("forty grand"); a value with no number behind it in the request ("GPU server" →
    USD 400,000) is invented and dropped. Digits, when there are any, must be the value.
    """
    if name not in ("amount", "unit_amount", "useful_life", "quantity"):
        return True
    if not _DIGIT.search(evidence):
        return _NUMBER_WORD.search(evidence) is not None
    if name in ("amount", "unit_amount"):
        found = find_amounts(evidence, policy.settings.base_currency)
        return not found or any(
            f.money.amount == value.amount and f.money.currency == value.currency for f in found
        )
    if name == "useful_life":
        lives = find_useful_life(evidence)
        return not lives or any(life.life == value for life in lives)
    if name == "quantity":
        return str(value) in re.findall(r"\d+", evidence)
    return True


def _describe(value: Any) -> str:
    if isinstance(value, Money | UsefulLife):
        return str(value)
    return str(getattr(value, "value", value))


class ProposalChecker:
    """Applies proposals to the parsed facts of one request, collecting notes on each outcome."""

    def __init__(self, facts: Facts, text: str, policy: Policy) -> None:
        self.facts = facts
        self.policy = policy
        self.notes: list[str] = []
        self.accepted: list[str] = []
        clean = text[:MAX_TEXT]
        for instruction in facts.ignored_instructions:
            clean = clean.replace(instruction, " ")
        self._text = _fold(clean)

    def _drop(self, proposal: Proposal, why: str) -> None:
        self.notes.append(f"Dropped the model's {proposal.fact.replace('_', ' ')}: {why}.")

    def apply(self, proposal: Proposal) -> None:
        name = proposal.fact
        if name not in FACT_TYPES:
            return self._drop(proposal, "not a fact the policy knows")
        try:
            value = validate_fact_value(name, proposal.value)
        except (ValidationError, ValueError, TypeError):
            return self._drop(proposal, f"{proposal.value!r} is not a valid value")
        if name == "asset_type" and value not in self.policy.settings.asset_types:
            return self._drop(proposal, f"{value!r} is not an asset type of the policy")
        evidence = _fold(proposal.evidence)
        if len(evidence) < 2 or evidence not in self._text:
            return self._drop(proposal, "its evidence is not words of the request")
        if not _matches_quoted_number(name, value, proposal.evidence, self.policy):
            return self._drop(
                proposal, f"{_describe(value)} is not what “{proposal.evidence}” says"
            )
        if name in self.facts.conflicts:
            return self._drop(
                proposal, "the request gives contradictory values; the requester settles it"
            )
        item = self._item_for(proposal) if name in ITEM_FACTS else None
        if item == -1:
            return self._drop(proposal, "it does not say which item of the request it is about")
        known = self._known(name, item)
        if known is not None:
            if _describe(known.value) != _describe(value):
                self._drop(proposal, f"the request itself says {known.describe()}")
            return None
        fact = Fact(value=value, source=Source.PROPOSED, evidence=proposal.evidence)
        self.facts = self.facts.with_fact(name, fact, item=item)
        self.accepted.append(
            f"{name.replace('_', ' ')}: {_describe(value)} (“{proposal.evidence}”)"
        )
        return None

    def _item_for(self, proposal: Proposal) -> int | None:
        """The item a proposal is about; None for a request without items yet, -1 if unclear."""
        items = self.facts.items
        if len(items) <= 1:
            return 0 if items else None
        evidence = _fold(proposal.evidence)
        holding = [i for i, item in enumerate(items) if evidence in _fold(item.description)]
        return holding[0] if len(holding) == 1 else -1

    def _known(self, name: str, item: int | None) -> Fact | None:
        if name not in ITEM_FACTS:
            return self.facts.shared.get(name)
        if item is None:
            return None
        return self.facts.items[item].facts.get(name)


def apply_proposals(
    facts: Facts, proposals: list[Proposal], text: str, policy: Policy
) -> tuple[Facts, list[str], list[str]]:
    """The facts with the valid proposals added; what was accepted; notes on what was dropped."""
    checker = ProposalChecker(facts, text, policy)
    for proposal in proposals:
        checker.apply(proposal)
    return checker.facts, checker.accepted, checker.notes


def fact_guide(policy: Policy) -> str:
    """The facts the model may propose, with their value formats, for the prompt."""
    asset_types = ", ".join(policy.settings.asset_types)
    return "\n".join(
        [
            f"- asset_type: one of {asset_types}",
            '- amount, unit_amount: {"amount": "40000", "currency": "USD", "per": null | '
            '"month" | "year"} (total cost, or the price of one unit)',
            "- quantity: an integer",
            '- useful_life: {"min_months": 60, "max_months": 60}',
            "- recurring, creates_separate_asset, alternative_future_use, phases_separable: "
            "true or false",
            "- change: extends or maintains",
            "- ownership: owned, rented or leased",
            "- phase: experiment, build, production or maintenance",
            "- environment: cloud, on_prem or hybrid",
            "- framework: us_gaap or ifrs",
        ]
    )
