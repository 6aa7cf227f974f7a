"""The repository: audit trail, requests, one approval per request, feedback."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from bot.core import Request
from bot.core.budget import BudgetForm, format_ref
from bot.core.facts import Environment, Phase
from bot.service import Assistant
from bot.storage import Store
from tests.support.databases import head


def _decision(assistant: Assistant, text_: str = "a $80,000 GPU server for production, 5 years"):
    return assistant.answer(Request(text=text_))


def test_migrations_create_every_table(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert {
        "alembic_version",
        "decisions",
        "requests",
        "approvals",
        "request_events",
        "feedback",
        "conversations",
        "work_items",
    } <= tables


def test_migrating_twice_is_a_no_op(database_url: str) -> None:
    Store.open(database_url).close()
    store = Store.open(database_url)
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head()
    store.close()


def test_the_audit_record_keeps_everything_the_answer_rests_on(
    store: Store, assistant: Assistant
) -> None:
    answer = _decision(assistant)
    decision = answer.decision
    decision_id = store.record_decision(
        answer,
        surface="mention",
        user_id="U1",
        channel="C1",
        thread_ts="1.2",
        input_text="a $80,000 GPU server",
        input={"text": "a $80,000 GPU server"},
    )
    record = store.get_decision(decision_id)
    assert record is not None
    assert (record.user_id, record.channel, record.surface) == ("U1", "C1", "mention")
    assert record.verdict == decision.verdict == "capex"
    assert record.rules_version == decision.rules_version
    assert record.rules_fired and record.rules_fired[0]["id"]
    assert record.facts["items"][0]["facts"]["asset_type"]["source"] in ("inferred", "stated")
    assert record.citations == [c.model_dump(mode="json") for c in answer.citations]
    assert store.answer_of(decision_id) == answer  # every part read back as it was given


@pytest.mark.parametrize(
    "statement", ["UPDATE decisions SET verdict = 'opex'", "DELETE FROM decisions"]
)
def test_the_audit_trail_is_append_only(store: Store, assistant: Assistant, statement: str) -> None:
    store.record_decision(_decision(assistant), surface="cli", user_id="U1")
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))
    assert store.decisions()[0].verdict == "capex"


def _form(objective: str, amount: int) -> BudgetForm:
    return BudgetForm(
        objective=objective,
        phase=Phase.PRODUCTION,
        environment=Environment.ON_PREM,
        asset_type="gpu_server",
        useful_life_years=Decimal(5),
        amount=Decimal(amount),
        currency="USD",
        cost_center="CC-100",
    )


def test_a_request_gets_an_id_a_status_and_a_timeline(store: Store, assistant: Assistant) -> None:
    answer = _decision(assistant)
    decision_id = store.record_decision(answer, surface="form", user_id="U1")
    request = store.create_request(
        requester="U1",
        form=_form("GPU server", 80000),
        decision_id=decision_id,
        decision=answer.decision,
    )
    assert request.ref == format_ref(request.id) and request.ref.startswith("CX-")
    assert request.status == "pending" and request.needs_finance  # 80k is above the controller line
    assert store.get_request(request.id).form == request.form  # stored and read back typed
    assert [r.id for r in store.list_requests("U1")] == [request.id]
    assert store.list_requests("U2") == []
    store.request_info(request.id, "UAPP", "which rack?")
    assert store.get_request(request.id).status == "info_requested"
    assert [e.kind for e in store.timeline(request.id)] == ["submitted", "info_requested"]


def test_two_approvals_at_once_record_one(store: Store, assistant: Assistant) -> None:
    answer = _decision(assistant)
    decision_id = store.record_decision(answer, surface="form", user_id="U1")
    request = store.create_request(
        requester="U1", form=_form("x", 80000), decision_id=decision_id, decision=answer.decision
    )
    clicks = [("approved", "UA"), ("rejected", "UB")] * 4
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda c: store.decide_request(request.id, *c), clicks))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    stored = store.approval_for(request.id)
    assert stored is not None and stored.outcome == winners[0].kind
    assert store.get_request(request.id).status == stored.outcome
    assert [e.kind for e in store.timeline(request.id)].count(stored.outcome) == 1


def test_feedback_is_one_per_user_and_the_latest_wins(store: Store, assistant: Assistant) -> None:
    decision_id = store.record_decision(_decision(assistant), surface="mention", user_id="U1")
    store.record_feedback(decision_id, "U1", "helpful")
    store.record_feedback(decision_id, "U1", "wrong")
    store.record_feedback(decision_id, "U2", "helpful")
    assert sorted((f.user_id, f.value) for f in store.feedback_for(decision_id)) == [
        ("U1", "wrong"),
        ("U2", "helpful"),
    ]
