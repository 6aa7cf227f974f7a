"""The checklist dialog over storage: start, answer, start over, cancel, resume after restart."""

from __future__ import annotations

import pytest

from bot.conversation import ConversationService, Where
from bot.service import Assistant
from bot.storage import ConflictError, Store

ME = Where(user_id="U1", surface="dm", channel="D1")


@pytest.fixture
def service(store: Store, assistant: Assistant) -> ConversationService:
    return ConversationService(assistant, store)


def test_a_checklist_asks_until_the_verdict_cannot_change(service: ConversationService) -> None:
    turn = service.message("k", ME, "we want to buy a GPU server")
    assert turn.status == "active" and turn.question is not None
    asked = [turn.question.id]
    answers = {"amount": "about $40k", "useful_life": "5 years"}
    for _ in range(10):
        if turn.question is None:
            break
        question = turn.question
        if question.id in answers:
            turn = service.message("k", ME, answers[question.id])
        else:
            turn = service.answer_option("k", ME, question.id, 0)
        if turn.question is not None:
            asked.append(turn.question.id)
    assert turn.status == "done" and turn.answer is not None and turn.answer.decision.complete
    assert turn.answer.decision.verdict == "capex"
    assert len(asked) == len(set(asked)), "a question was asked twice"


def test_every_step_is_in_the_audit_trail(service: ConversationService, store: Store) -> None:
    service.message("k", ME, "we want to buy a GPU server")
    service.message("k", ME, "$40,000")
    records = store.decisions(user_id="U1")
    assert len(records) == 2
    assert records[0].input == {"question": "amount", "answer": "$40,000"}
    assert records[0].conversation_key == "k" and records[0].surface == "dm"


def test_a_wrong_answer_is_explained_and_the_question_stays(service: ConversationService) -> None:
    service.message("k", ME, "we want to buy a GPU server")
    turn = service.message("k", ME, "no idea")
    assert turn.status == "active" and turn.note and "amount" in turn.note
    assert turn.question is not None and turn.question.id == "amount"


def test_a_number_picks_an_option(service: ConversationService) -> None:
    turn = service.message("k", ME, "we need $30,000 for a new project")
    assert turn.question is not None and turn.question.id == "what"
    turn = service.message("k", ME, "1")
    assert turn.answer is not None
    assert turn.answer.decision.facts.items[0].facts["asset_type"].value == "gpu_server"


def test_a_stale_button_does_not_answer_the_current_question(service: ConversationService) -> None:
    service.message("k", ME, "we want to buy a GPU server")
    turn = service.answer_option("k", ME, "phase", 0)
    assert turn.note and "no longer open" in turn.note
    assert turn.question is not None and turn.question.id == "amount"


def test_cancel_and_start_over(service: ConversationService) -> None:
    service.message("k", ME, "we want to buy a GPU server")
    service.message("k", ME, "$40,000")
    turn = service.message("k", ME, "Start over!")
    assert turn.note and "cleared" in turn.note
    assert turn.question is not None and turn.question.id == "amount"
    turn = service.message("k", ME, "cancel")
    assert turn.status == "cancelled"
    assert service.pending("k") is None
    assert service.message("k", ME, "resume").status == "none"


def test_a_checklist_resumes_after_a_restart(database_url: str, assistant: Assistant) -> None:
    first = Store.open(database_url)
    ConversationService(assistant, first).message("k", ME, "we want to buy a GPU server")
    first.close()
    second = Store.open(database_url)
    service = ConversationService(assistant, second)
    turn = service.resume("k")
    assert turn.status == "active" and turn.question is not None and turn.question.id == "amount"
    turn = service.message("k", ME, "$40,000")
    assert turn.answer is not None and turn.answer.decision.verdict != "needs_review"
    second.close()


def test_a_stale_write_is_refused(service: ConversationService, store: Store) -> None:
    service.message("k", ME, "we want to buy a GPU server")
    state = store.get_conversation("k")
    assert state is not None
    store.save_conversation(store.get_conversation("k"))  # someone else wrote first
    with pytest.raises(ConflictError):
        store.save_conversation(state)


def test_a_message_that_is_not_about_spending_starts_nothing(service: ConversationService) -> None:
    turn = service.message("k", ME, "hello there")
    assert turn.status == "none" and turn.answer is not None
    assert turn.answer.decision.kind == "not_spending"
    assert service.pending("k") is None
