"""The guided checklist: which question to ask next, and how an answer becomes a fact.

The next question is the one whose possible answers lead to the most different verdicts
(tried by running the rules on each answer); ties go to the checklist's order. The checklist
stops when no missing fact is left that any rule still needs, i.e. the verdict cannot change.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from bot.core.decision import AnswerOption, MissingFact, NextQuestion
from bot.core.engine import Evaluation, evaluate_facts
from bot.core.facts import Fact, Facts, Money, Source, validate_fact_value
from bot.core.money import find_amounts, find_useful_life, parse_number
from bot.core.parsing import read_facts
from bot.core.policy import Policy, Question
from bot.errors import CapexbotError


class AnswerError(CapexbotError, ValueError):
    """An answer that does not fit the question; the message says what would."""


def next_question(evaluation: Evaluation, policy: Policy) -> NextQuestion | None:
    """The single question that would most change the outcome, or None when nothing can."""
    order = {q.fact: i for i, q in enumerate(policy.checklist.questions)}
    best: tuple[tuple[int, int, int], MissingFact, Question] | None = None
    for missing in evaluation.missing:
        question = policy.question_for(missing.fact)
        if question is None:
            continue
        verdicts = _verdicts_after(evaluation, missing, question, policy)
        resolving = sum(1 for v in verdicts if v != "needs_review")
        score = (len(set(verdicts)), resolving, -order[question.fact])
        if best is None or score > best[0]:
            best = (score, missing, question)
    if best is None:
        return None
    _, missing, question = best
    text = question.text
    if missing.item is not None and len(evaluation.facts.items) > 1:
        text = f"About “{missing.item_description}”: {text}"
    return NextQuestion(
        id=question.id,
        fact=question.fact,
        item=missing.item,
        text=text,
        help=question.help,
        options=[AnswerOption(label=o.label, value=o.value) for o in question.options],
    )


def _verdicts_after(
    evaluation: Evaluation, missing: MissingFact, question: Question, policy: Policy
) -> list[str]:
    candidates = [o.value for o in question.options] or question.probe_values
    verdicts: list[str] = []
    for value in candidates:
        fact = Fact(value=validate_fact_value(question.fact, value), source=Source.ANSWERED)
        trial = evaluation.facts.with_fact(question.fact, fact, item=missing.item)
        verdicts.append(evaluate_facts(trial, policy).verdict)
    return verdicts


def apply_answer(facts: Facts, question: NextQuestion, answer: Any, policy: Policy) -> Facts:
    """Record an answer (an option's value, or free text) as an ``answered`` fact.

    Free text is read like a message: "about 12k each" answers the amount question,
    "3 years" the useful-life one, and a sentence naming an option's words picks it.
    """
    value = _value_from_answer(question, answer, policy)
    fact = Fact(value=value, source=Source.ANSWERED, evidence=question.text)
    return facts.with_fact(question.fact, fact, item=question.item)


_BARE_NUMBER = re.compile(r"[~≈]?\s*\d[\d.,' ]*")


def _value_from_answer(question: NextQuestion, answer: Any, policy: Policy) -> Any:
    if not isinstance(answer, str):
        try:
            return validate_fact_value(question.fact, answer)
        except (ValidationError, KeyError) as exc:
            raise AnswerError(f"That is not an answer to “{question.text}”.") from exc
    text = answer.strip()
    for option in question.options:
        if text.lower() in (option.label.lower(), str(option.value).lower()):
            return validate_fact_value(question.fact, option.value)
    if question.fact in ("unit_amount", "amount"):
        amounts = find_amounts(text, policy.settings.base_currency)
        if amounts:
            return amounts[0].money
        bare = parse_number(text.lstrip("~≈ ")) if _BARE_NUMBER.fullmatch(text) else None
        if bare is None:
            raise AnswerError("I could not read an amount. Try “$12,000” or “€8.500 each”.")
        # the question asked for an amount: a bare "38000" is one, in the base currency
        return Money(amount=bare, currency=policy.settings.base_currency)
    if question.fact == "useful_life":
        lives = find_useful_life(text)
        if not lives:
            raise AnswerError("I could not read a duration. Try “3 years” or “18 months”.")
        return lives[0].life
    parsed = read_facts(text, policy)
    source = parsed.shared.get(question.fact) or next(
        (i.facts[question.fact] for i in parsed.items if question.fact in i.facts), None
    )
    if source is not None:
        return source.value
    labels = ", ".join(f"“{o.label}”" for o in question.options)
    raise AnswerError(f"I could not match that to an answer. Pick one of: {labels}.")
