"""Migrations: an empty database goes to head, and a database of the previous release, with
data in it, upgrades without losing any (and downgrades again). SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, MetaData, inspect, text
from sqlalchemy.exc import DBAPIError

from bot.service import Assistant
from bot.storage import Store, make_engine, migrate
from bot.storage.db import alembic_config
from bot.storage.work import WorkItems
from tests.support.databases import head

#: A form as release 0001 stored it (the /capex model dumped as JSON), read back typed now.
PREVIOUS_FORM = {
    "objective": "GPU server",
    "phase": "production",
    "environment": "on_prem",
    "asset_type": "gpu_server",
    "useful_life_years": "5",
    "amount": "40000",
    "currency": "USD",
    "cost_center": "CC-1",
    "forecast": {"conservative": None, "expected": None, "accelerated": None},
}
AT = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
#: The newest revision: each branch's migration moves it, so the tests read it from Alembic.
DECISION = {
    "kind": "decision",
    "verdict": "capex",
    "summary": "CapEx: a server.",
    "facts": {"items": [], "shared": {}},
    "rules_fired": [],
    "citations": [],
}


def previous_release_with_data(engine: Engine) -> None:
    """Revision 0001, as the Slack app's first release left it: a decision, a request with
    its approval and timeline, feedback, a checklist, and two event ids already answered."""
    migrate(engine, "0001")
    with engine.begin() as conn:
        tables = MetaData()
        tables.reflect(conn)
        decision_id = conn.execute(
            tables.tables["decisions"].insert(),
            {
                "created_at": AT,
                "surface": "mention",
                "user_id": "UOLD",
                "channel": "C1",
                "thread_ts": "1.1",
                "conversation_key": None,
                "input_text": "a $40k server",
                "input": {"text": "a $40k server"},
                "kind": "decision",
                "verdict": "capex",
                "summary": "CapEx: a server.",
                "facts": DECISION["facts"],
                "rules_fired": [],
                "citations": [],
                "rules_version": "r1",
                "knowledge_version": "k1",
                "decision": DECISION,
            },
        ).inserted_primary_key[0]
        request_id = conn.execute(
            tables.tables["requests"].insert(),
            {
                "created_at": AT,
                "updated_at": AT,
                "requester": "UOLD",
                "objective": "GPU server",
                "cost_center": "CC-1",
                "form": PREVIOUS_FORM,
                "decision_id": decision_id,
                "verdict": "capex",
                "route": "finance",
                "needs_finance": True,
                "status": "approved",
                "finance_channel": "CFIN",
                "finance_ts": "2.2",
            },
        ).inserted_primary_key[0]
        conn.execute(
            tables.tables["approvals"].insert(),
            {"request_id": request_id, "outcome": "approved", "approver": "UAPP", "decided_at": AT},
        )
        conn.execute(
            tables.tables["request_events"].insert(),
            [
                {
                    "request_id": request_id,
                    "kind": "submitted",
                    "user_id": "UOLD",
                    "at": AT,
                    "note": None,
                },
                {
                    "request_id": request_id,
                    "kind": "approved",
                    "user_id": "UAPP",
                    "at": AT,
                    "note": None,
                },
            ],
        )
        conn.execute(
            tables.tables["feedback"].insert(),
            {"decision_id": decision_id, "user_id": "UOLD", "value": "helpful", "at": AT},
        )
        conn.execute(
            tables.tables["conversations"].insert(),
            {
                "key": "dm:T1:UOLD",
                "user_id": "UOLD",
                "surface": "dm",
                "status": "active",
                "text": "a server",
                "facts": {"items": [], "shared": {}},
                "question": None,
                "last_decision_id": decision_id,
                "created_at": AT,
                "updated_at": AT,
                "version": 3,
            },
        )
        conn.execute(
            tables.tables["processed_events"].insert(),
            [{"event_id": "EvOld1", "received_at": AT}, {"event_id": "EvOld2", "received_at": AT}],
        )
    assert decision_id == request_id == 1  # the ids the assertions below name


@pytest.fixture
def engine(database_url: str) -> Engine:
    engine = make_engine(database_url)
    yield engine  # type: ignore[misc]
    engine.dispose()


def version(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar())


def test_an_empty_database_migrates_to_head(engine: Engine) -> None:
    migrate(engine)
    assert version(engine) == head()
    tables = set(inspect(engine).get_table_names())
    assert {"work_items", "work_posts", "review_events"} <= tables
    assert "processed_events" not in tables
    assert "request_id" in {c["name"] for c in inspect(engine).get_columns("decisions")}


def test_the_previous_release_upgrades_with_its_data(
    engine: Engine, database_url: str, assistant: Assistant
) -> None:
    previous_release_with_data(engine)
    migrate(engine)
    assert version(engine) == head()
    store = Store(engine)
    record = store.get_decision(1)
    assert record is not None and record.verdict == "capex" and record.request_id is None
    request = store.get_request(1)
    assert request is not None and request.status == "approved"
    assert request.form.amount == Decimal(40000) and request.form.forecast.expected is None
    approval = store.approval_for(1)
    assert approval is not None and approval.approver == "UAPP"
    assert [e.kind for e in store.timeline(1)] == ["submitted", "approved"]
    assert [f.value for f in store.feedback_for(1)] == ["helpful"]
    state = store.get_conversation("dm:T1:UOLD")
    assert state is not None and state.version == 3 and state.status == "active"
    # Events answered before the upgrade are still recognised as answered.
    work = WorkItems(engine)
    old = work.get("event:EvOld1")
    assert old is not None and old.status == "done"
    assert not work.accept("event:EvOld2", "event", {}, None)
    assert not work.claim("event:EvOld1")
    # The audit trail is still append-only, and new decisions carry their request id.
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE decisions SET verdict = 'opex' WHERE id = 1"))
    new_id = store.record_decision(
        assistant.answer_facts(record_facts(store)), surface="cli", user_id="UNEW"
    )
    assert store.get_decision(new_id) is not None


def test_the_upgrade_downgrades_again_without_losing_answered_events(engine: Engine) -> None:
    previous_release_with_data(engine)
    migrate(engine)
    WorkItems(engine).accept("event:EvNew", "event", {}, "r9")
    downgrade(engine, "0001")
    assert version(engine) == "0001"
    with engine.connect() as conn:
        ids = conn.execute(text("SELECT event_id FROM processed_events ORDER BY event_id"))
        assert [row[0] for row in ids] == ["EvNew", "EvOld1", "EvOld2"]
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM decisions WHERE id = 1"))
    migrate(engine)
    assert version(engine) == head()


def test_approval_steps_upgrade_and_downgrade_keeping_the_timeline(engine: Engine) -> None:
    previous_release_with_data(engine)
    migrate(engine, "0003_homes")
    store = Store(engine)
    assert [(e.kind, e.step, e.role) for e in store.timeline(1)] == [
        ("submitted", None, None),
        ("approved", None, None),
    ]
    with engine.begin() as conn:  # a second request, approved step by step
        conn.execute(
            text(
                "INSERT INTO requests (created_at, updated_at, requester, objective, "
                "cost_center, form, decision_id, verdict, route, needs_finance, status) "
                "SELECT created_at, updated_at, requester, objective, cost_center, form, "
                "decision_id, verdict, 'controller', true, 'pending' FROM requests WHERE id = 1"
            )
        )
    assert store.decide_request(2, "approved", "UA", step=1, role="budget owner", final=False)
    assert (
        store.decide_request(2, "approved", "UB", step=1, role="budget owner", final=False) is None
    )
    assert store.get_request(2).status == "pending" and store.approval_for(2) is None
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE request_events SET role = 'CFO' WHERE request_id = 2"))
    downgrade(engine, "0002")
    with engine.connect() as conn:
        kinds = conn.execute(text("SELECT kind FROM request_events ORDER BY id")).scalars()
        assert list(kinds) == ["submitted", "approved", "step_approved"]
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM request_events WHERE request_id = 2"))
    migrate(engine)
    assert version(engine) == head()


def record_facts(store: Store):  # type: ignore[no-untyped-def]
    from bot.core import Facts

    record = store.get_decision(1)
    assert record is not None
    return Facts.model_validate(record.facts)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
