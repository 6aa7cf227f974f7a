"""The one entry point every surface calls: a request in, a :class:`Decision` out.

The CLI, Slack and the checklist all go through :func:`decide` (free text plus explicit
facts) or :func:`decide_facts` (facts gathered so far), so they answer the same way.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.core.checklist import next_question
from bot.core.counterfactuals import counterfactuals
from bot.core.decision import Decision, LineItem
from bot.core.engine import build_decision, evaluate_facts
from bot.core.facts import Fact, Facts, Framework, Source
from bot.core.parsing import MAX_TEXT, is_policy_question, merge_facts, read_facts
from bot.core.policy import Policy


class Request(BaseModel):
    """A spend question: free text, facts given explicitly (form, answers), a framework."""

    text: str = ""
    facts: dict[str, Fact] = Field(default_factory=dict)
    framework: Framework | None = None


def read_request(request: Request, policy: Policy) -> Facts:
    """The facts of a request: parsed text, overridden by explicit facts and the framework."""
    facts = merge_facts(read_facts(request.text, policy), request.facts)
    if request.framework is not None:
        facts = facts.with_fact("framework", Fact(value=request.framework, source=Source.FORM))
    return facts


def decide(request: Request, policy: Policy) -> Decision:
    facts = read_request(request, policy)
    asks_policy = is_policy_question(request.text, policy) and not _states_amount(facts)
    if not facts.about_spending or asks_policy:
        return _not_a_decision(request, facts, policy)
    decision = decide_facts(facts, policy)
    if len(request.text) > MAX_TEXT:
        note = f"Only the first {MAX_TEXT} characters of the message were read."
        decision = decision.model_copy(update={"notes": [*decision.notes, note]})
    return decision


def _states_amount(facts: Facts) -> bool:
    """A message with a price is about a purchase, however it is phrased."""
    return any("amount" in i.facts or "unit_amount" in i.facts for i in facts.items)


def decide_facts(facts: Facts, policy: Policy) -> Decision:
    evaluation = evaluate_facts(facts, policy)
    built = build_decision(evaluation, policy)
    question = None if built.complete else next_question(evaluation, policy)
    complete = built.complete or (
        question is None and not any(policy.question_for(m.fact) for m in built.missing)
    )
    decision = built.model_copy(
        update={
            "counterfactuals": counterfactuals(evaluation, policy),
            "next_question": question,
            "complete": complete,
        }
    )
    return decision.model_copy(update={"summary": summarize(decision)})


def _not_a_decision(request: Request, facts: Facts, policy: Policy) -> Decision:
    asking_policy = is_policy_question(request.text, policy)
    if asking_policy:
        summary = "That is a question about the policy; here is what it says."
    elif facts.ignored_instructions:
        summary = (
            "I only classify spending from the policy rules, and instructions in a message do "
            "not change them. Tell me what you want to buy and roughly what it costs."
        )
    elif len(request.text) > MAX_TEXT:
        summary = (
            f"I read only the first {MAX_TEXT:,} characters of that message and found no "
            "purchase in them. Send the purchase on its own: what you are buying, roughly what "
            "it costs, and what it is for."
        )
    else:
        summary = (
            "I could not find a purchase in that message. I answer “is this CapEx or OpEx?” "
            "from Halcyon's capitalization policy: tell me what you are buying, roughly what "
            "it costs, and what it is for."
        ).replace("Halcyon", policy.settings.organisation.split(",")[0])
    question = None if asking_policy else next_question(evaluate_facts(facts, policy), policy)
    return Decision(
        kind="policy_question" if asking_policy else "not_spending",
        verdict="needs_review",
        summary=summary,
        framework=(
            facts.shared["framework"].describe()
            if "framework" in facts.shared
            else policy.settings.framework.value
        ),
        facts=facts,
        complete=False,
        rules_version=policy.version,
        notes=[f"Ignored an instruction in the message: “{t}”" for t in facts.ignored_instructions],
        next_question=question,
    )


def summarize(decision: Decision) -> str:
    """One or two sentences a requester reads first."""
    lines = decision.line_items
    if decision.verdict == "capex":
        parts = [_capex_phrase(line) for line in lines]
        return "CapEx: capitalize " + "; ".join(parts) + "."
    if decision.verdict == "opex":
        return "OpEx: " + _opex_phrase(lines) + "."
    if decision.verdict == "split":
        capex = [_capex_phrase(line) for line in lines if line.treatment == "capex"]
        opex = [line for line in lines if line.treatment == "opex"]
        expensed = _opex_phrase(opex)
        return f"Split: capitalize {'; '.join(capex)}. {expensed[:1].upper()}{expensed[1:]}."
    if decision.facts.unread:
        unplaced = "; ".join(f"“{u.text}” ({u.why})" for u in decision.facts.unread)
        return (
            f"Needs review: I could not place every part of this request: {unplaced}. "
            "Send each cost on its own line with what it is for and its amount."
        )
    reviews = [r.review_question for r in decision.rules_fired if r.review_question]
    if reviews:
        return "Needs review by finance: " + " ".join(reviews)
    if decision.next_question:
        return f"Needs review: I need one more fact. {decision.next_question.text}"
    if decision.missing:
        facts = ", ".join(m.fact.replace("_", " ") for m in decision.missing)
        return f"Needs review: the policy needs {facts}, which I could not ask for."
    return "Needs review: no policy rule covers this request; finance will look at it."


def _opex_phrase(lines: list[LineItem]) -> str:
    """Expensed lines: as incurred, or a payment in advance released over its term (§14.11)."""
    parts = []
    incurred = [
        (line.asset_label or line.description).lower()
        for line in lines
        if line.prepaid_release_per_month is None
    ]
    if incurred:
        parts.append(f"expense {', '.join(incurred)} as incurred")
    for line in lines:
        if line.prepaid_release_per_month is not None and line.amount is not None:
            name = (line.asset_label or line.description).lower()
            parts.append(
                f"record {name} ({line.amount}) as a prepaid expense and release it over "
                f"{line.term_months} months ({line.amount.currency} "
                f"{line.prepaid_release_per_month:,.2f} a month)"
            )
    return "; ".join(parts)


def _capex_phrase(line: LineItem) -> str:
    name = (line.asset_label or line.description).lower()
    if line.amount is not None and line.useful_life_months and line.depreciation_per_month:
        years = line.useful_life_months / 12
        return (
            f"{name} ({line.amount}) and {line.write_off_word} it over {years:g} years "
            f"({line.amount.currency} {line.depreciation_per_month:,.2f} a month)"
        )
    return name
