"""What a stored decision was given, so it can be decided again (a replay, a correction's test).

A budget request's decision was given its form; a checklist step its text and the answers so
far; any other answer its text. The facts the bot read from the text are not carried over:
the text is read again, by the rules it is decided with.
"""

from __future__ import annotations

from bot.core import Facts
from bot.core.given import Given, given_answers
from bot.storage import Store
from bot.storage.models import DecisionRecord


def given_of(record: DecisionRecord, store: Store) -> Given:
    request = store.request_for_decision(record.id)
    if request is not None:
        filed = request.form.to_request()
        return Given(text=filed.text, facts={n: f.value for n, f in filed.facts.items()})
    answers = given_answers(Facts.model_validate(record.facts))
    return Given(text=record.input_text, answers=answers)
