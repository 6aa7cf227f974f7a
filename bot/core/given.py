"""A request as it was given, decided again: the text, the facts a form gave with it, and the
checklist answers, each on the line it answered.

A stored decision, a correction turned into a test case, and a replay under another rules
folder all need the same thing: decide again from what the person gave, not from what the bot
read then. The text is read anew (a new lexicon may read it differently); the form's fields
and the checklist's answers are applied as they were given.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from bot.core.decide import Request, decide, decide_facts, read_request
from bot.core.decision import Decision
from bot.core.facts import Fact, Facts, Framework, Source, validate_fact_value
from bot.core.policy import Policy


class Answer(BaseModel):
    """One checklist answer: a fact's value, on line ``item`` (0-based) or the whole request."""

    fact: str
    value: Any
    item: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _known(self) -> Answer:
        self.value = _checked(self.fact, self.value)
        return self


class Given(BaseModel):
    """What a person gave: ``facts`` are a form's fields (merged as the form merges them),
    ``answers`` the checklist's answers."""

    text: str = ""
    framework: Framework | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    answers: list[Answer] = Field(default_factory=list)

    @field_validator("facts")
    @classmethod
    def _known_facts(cls, facts: dict[str, Any]) -> dict[str, Any]:
        return checked_facts(facts)

    def request(self) -> Request:
        facts = {n: Fact(value=v, source=Source.FORM) for n, v in self.facts.items()}
        return Request(text=self.text, facts=facts, framework=self.framework)


def decide_given(given: Given, policy: Policy) -> Decision:
    """Decide as the surface did: a question or a form by :func:`decide`; a checklist step by
    :func:`decide_facts` over the text read anew with its answers applied."""
    if not given.answers:
        return decide(given.request(), policy)
    facts = read_request(given.request(), policy)
    for answer in given.answers:
        fact = Fact(value=answer.value, source=Source.ANSWERED)
        facts = facts.with_fact(answer.fact, fact, item=_line(facts, answer.item))
    return decide_facts(facts, policy)


def given_answers(facts: Facts) -> list[Answer]:
    """The answered facts of a checklist's state, each on the line it was given for."""
    answers = [
        Answer(fact=name, value=fact.value)
        for name, fact in facts.shared.items()
        if fact.source is Source.ANSWERED
    ]
    for index, item in enumerate(facts.items):
        answers.extend(
            Answer(fact=name, value=fact.value, item=index)
            for name, fact in item.facts.items()
            if fact.source is Source.ANSWERED
        )
    return answers


def checked_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Each value validated for its fact; an unknown fact name is a ``ValueError``."""
    return {name: _checked(name, value) for name, value in facts.items()}


def _checked(name: str, value: Any) -> Any:
    try:
        return validate_fact_value(name, value)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None


def _line(facts: Facts, item: int | None) -> int | None:
    """The answer's line, or every line when the text now reads fewer lines than it had."""
    return item if item is not None and item < len(facts.items) else None
