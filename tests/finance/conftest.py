"""A real store (SQLite, and PostgreSQL when a server answers) filled the way the app fills it.

Budget requests go through the /capex form model, the decision core and :class:`Store`; the
``clock`` fixture sets the time the store stamps on new rows, so a test can file requests in
different months without editing the append-only audit trail afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from bot.core import Answer, Decision, Policy, Request, decide
from bot.core.budget import FORECAST_CASES, BudgetForm, BudgetRequest
from bot.core.decision import Citation
from bot.storage import Store
from bot.storage.models import ApprovalRow, DecisionRecord, RequestEventRow, RequestRow

# A real passage of knowledge/capitalization-policy.md §5.1, as retrieval would cite it.
CITATION = Citation(
    source="capitalization-policy.md",
    section="Halcyon Data, Inc. — Capitalization Policy › 5. Property and equipment › 5.1",
    passage="Servers, GPU and accelerator hardware that Halcyon buys are property and equipment.",
)


class Clock:
    """The time stamped on rows inserted while it is set (None: the store's own clock)."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def set(self, year: int, month: int, day: int, hour: int = 10) -> None:
        self.now = datetime(year, month, day, hour, tzinfo=UTC)

    def _stamp(self, _mapper: Any, _connection: Any, row: Any) -> None:
        if self.now is None:
            return
        for column in ("created_at", "updated_at", "decided_at", "at"):
            if hasattr(row, column):
                setattr(row, column, self.now)


@pytest.fixture
def clock() -> Iterator[Clock]:
    clock = Clock()
    models = (DecisionRecord, RequestRow, ApprovalRow, RequestEventRow)
    for model in models:
        event.listen(model, "before_insert", clock._stamp)
    yield clock
    for model in models:
        event.remove(model, "before_insert", clock._stamp)


def form(
    objective: str,
    amount: int,
    *,
    asset_type: str = "gpu_server",
    phase: str = "production",
    environment: str = "on_prem",
    life_years: int = 5,
    currency: str = "USD",
    cost_center: str = "CC-410 Platform",
    forecast: tuple[int | None, int | None, int | None] = (None, None, None),
) -> BudgetForm:
    cases = dict(zip(FORECAST_CASES, forecast, strict=True))
    return BudgetForm.model_validate(
        {
            "objective": objective,
            "phase": phase,
            "environment": environment,
            "asset_type": asset_type,
            "useful_life_years": Decimal(life_years),
            "amount": Decimal(amount),
            "currency": currency,
            "cost_center": cost_center,
            "forecast": {k: None if v is None else Decimal(v) for k, v in cases.items()},
        }
    )


@dataclass
class Filed:
    request: BudgetRequest
    decision: Decision
    decision_id: int


@dataclass
class Filer:
    """Files budget requests and questions the way the Slack app does (see file_request)."""

    store: Store
    policy: Policy

    def request(
        self,
        intake: BudgetForm,
        requester: str = "UREQ",
        *,
        outcome: str | None = None,
        approver: str = "UFIN",
        cite: bool = False,
    ) -> Filed:
        decision = decide(intake.to_request(), self.policy)
        answer = Answer(decision=decision)
        if cite:
            answer = Answer(decision=decision, citations=[CITATION], knowledge_version="kb-test-1")
        decision_id = self.store.record_decision(
            answer,
            surface="form",
            user_id=requester,
            channel="CFORM",
            input_text=intake.objective,
            input=intake.model_dump(mode="json"),
        )
        request = self.store.create_request(
            requester=requester, form=intake, decision_id=decision_id, decision=decision
        )
        if outcome == "info":
            self.store.request_info(request.id, approver, "Which cluster?")
        elif outcome is not None:
            self.store.decide_request(request.id, outcome, approver)
        stored = self.store.get_request(request.id)
        assert stored is not None
        return Filed(stored, decision, decision_id)

    def question(self, text: str, user: str = "UASK") -> int:
        decision = decide(Request(text=text), self.policy)
        return self.store.record_decision(
            Answer(decision=decision),
            surface="mention",
            user_id=user,
            channel="CGEN",
            input_text=text,
        )


@pytest.fixture
def filer(store: Store, policy: Policy) -> Filer:
    return Filer(store, policy)
