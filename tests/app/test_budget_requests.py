"""Filing and deciding budget requests through the application layer: the authorization
checks hold whatever the surface, and the store gives back typed records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.app.access import NOT_AN_APPROVER
from bot.app.questions import Where
from bot.app.services import Services
from bot.core import Policy
from bot.core.budget import BudgetForm, phase_labels
from bot.errors import AlreadyDecided, CapexbotError, NotAllowed, NotFound

from .conftest import APPROVER, CFO, CONTROLLER, SECOND_APPROVER


def _form(amount: str = "120000", **changes: object) -> dict[str, object]:
    return {
        "objective": "Four GPU servers for the production inference cluster",
        "phase": "production",
        "environment": "on_prem",
        "asset_type": "gpu_server",
        "useful_life_years": "5",
        "amount": amount,
        "currency": "USD",
        "cost_center": "CC-410",
        "forecast": {"conservative": "100000", "expected": "120000", "accelerated": None},
        **changes,
    }


def _valid(policy: Policy, **changes: object) -> BudgetForm:
    form = BudgetForm.read(_form(**changes), policy)  # type: ignore[arg-type]
    assert isinstance(form, BudgetForm), form
    return form


def test_the_form_checks_ranges_choices_and_the_forecast_order(policy: Policy) -> None:
    problems = BudgetForm.read(
        _form(
            amount="-5",
            currency="XYZ",
            cost_center=" ",
            useful_life_years="101",
            forecast={"conservative": "9", "expected": "5"},
        ),
        policy,
    )
    assert isinstance(problems, dict)
    assert set(problems) == {
        "amount",
        "currency",
        "cost_center",
        "useful_life_years",
        "accelerated",
    }
    assert problems["accelerated"].startswith("The cases should rise")
    assert _valid(policy, amount="96,000").amount == Decimal(96000)


def test_phase_labels_come_from_the_checklist(policy: Policy) -> None:
    question = policy.question_for("phase")
    assert question is not None
    assert list(phase_labels(policy).values()) == [o.label for o in question.options]


def test_a_filed_request_is_recorded_typed_and_routed(services: Services, policy: Policy) -> None:
    filed = services.requests.file(_valid(policy), "UREQ", channel="C1")
    request = filed.request
    assert request.ref == "CX-00001" and request.status == "pending" and request.needs_finance
    assert filed.answer.decision.verdict == "capex" and filed.answer.citations
    shown = services.requests.show(request.id)
    assert shown.request.form == request.form
    assert shown.request.form.forecast.expected == Decimal(120000)
    assert [e.kind for e in shown.events] == ["submitted"]
    assert [r.ref for r in services.requests.mine("UREQ")] == ["CX-00001"]


def test_only_approvers_decide_and_never_on_their_own_request(
    services: Services, policy: Policy
) -> None:
    mine = services.requests.file(_valid(policy), APPROVER).request
    with pytest.raises(NotAllowed, match=NOT_AN_APPROVER):
        services.requests.decide(mine.id, "UREQ", "approve")
    with pytest.raises(NotAllowed, match="yourself"):
        services.requests.decide(mine.id, APPROVER, "approve")
    with pytest.raises(NotAllowed, match="yourself"):
        services.requests.decide(mine.id, APPROVER, "info")
    assert services.requests.show(mine.id).approval is None
    # the budget owner filed it, so nobody else may take the budget owner's step for them
    with pytest.raises(NotAllowed, match="waits for the budget owner"):
        services.requests.decide(mine.id, SECOND_APPROVER, "approve", "fits the plan")
    assert [e.kind for e in services.requests.show(mine.id).events] == ["submitted"]


def test_a_route_is_approved_step_by_step_in_its_order(services: Services, policy: Policy) -> None:
    request = services.requests.file(_valid(policy), "UREQ").request
    assert request.route == "controller"
    for early in (CONTROLLER, SECOND_APPROVER, CFO):
        with pytest.raises(NotAllowed, match="waits for the budget owner"):
            services.requests.decide(request.id, early, "approve")
    first = services.requests.decide(request.id, APPROVER, "approve", "in the plan")
    assert first.approval is None and first.request.status == "pending"
    assert first.step is not None and (first.step.step, first.step.role) == (1, "budget owner")
    assert first.progress.waiting_text() == "step 2 of 3: finance business partner"
    with pytest.raises(NotAllowed, match="approved a step of CX-00001 already"):
        services.requests.decide(request.id, APPROVER, "approve")
    with pytest.raises(NotAllowed, match="waits for the finance business partner"):
        services.requests.decide(request.id, CONTROLLER, "approve")
    services.requests.decide(request.id, SECOND_APPROVER, "approve")
    last = services.requests.decide(request.id, CONTROLLER, "approve")
    assert last.approval is not None and last.approval.approver == CONTROLLER
    assert last.request.status == "approved" and last.progress.next_step is None
    events = services.requests.show(request.id).events
    assert [(e.kind, e.step, e.role, e.user_id) for e in events] == [
        ("submitted", None, None, "UREQ"),
        ("step_approved", 1, "budget owner", APPROVER),
        ("step_approved", 2, "finance business partner", SECOND_APPROVER),
        ("approved", 3, "controller", CONTROLLER),
    ]
    assert events[1].note == "in the plan"


def test_the_cfo_route_is_approved_only_by_the_cfo(services: Services, policy: Policy) -> None:
    request = services.requests.file(_valid(policy, amount="300000"), "UREQ").request
    assert request.route == "cfo"
    for user in (APPROVER, SECOND_APPROVER, CONTROLLER):
        assert services.requests.decide(request.id, user, "approve").approval is None
    assert services.requests.show(request.id).request.status == "pending"
    assert [s.request.ref for s in services.requests.waiting_for(CFO)] == [request.ref]
    assert services.requests.waiting_for(CONTROLLER) == []
    done = services.requests.decide(request.id, CFO, "approve")
    assert done.approval is not None and done.approval.approver == CFO
    assert done.request.status == "approved"
    assert services.requests.waiting_for(CFO) == []


def test_a_rejection_at_any_step_rejects_the_request(services: Services, policy: Policy) -> None:
    request = services.requests.file(_valid(policy), "UREQ").request
    services.requests.decide(request.id, APPROVER, "approve")
    done = services.requests.decide(request.id, SECOND_APPROVER, "reject", "no budget left")
    assert done.approval is not None and done.approval.outcome == "rejected"
    assert done.request.status == "rejected"
    with pytest.raises(AlreadyDecided, match="already rejected by U0FINPARTNER"):
        services.requests.decide(request.id, CONTROLLER, "approve")
    last = services.requests.show(request.id).events[-1]
    assert (last.kind, last.step, last.role) == ("rejected", 2, "finance business partner")


def test_any_approver_on_the_route_may_ask_for_information(
    services: Services, policy: Policy
) -> None:
    request = services.requests.file(_valid(policy), "UREQ").request
    done = services.requests.decide(request.id, CONTROLLER, "info", "which rack?")
    assert done.step is None and done.request.status == "info_requested"
    with pytest.raises(NotAllowed, match="only its approvers"):
        services.requests.decide(request.id, CFO, "info")  # not on the controller route
    first = services.requests.decide(request.id, APPROVER, "approve")
    assert first.request.status == "pending"  # the route moves on


def test_a_decided_request_stays_decided(services: Services, policy: Policy) -> None:
    request = services.requests.file(_valid(policy), "UREQ").request
    services.requests.decide(request.id, APPROVER, "info", "which rack?")
    assert services.requests.show(request.id).request.status == "info_requested"
    services.requests.decide(request.id, APPROVER, "reject")
    with pytest.raises(AlreadyDecided, match="already rejected by U0BUDGETOWNER"):
        services.requests.decide(request.id, SECOND_APPROVER, "approve")
    kinds = [e.kind for e in services.requests.show(request.id).events]
    assert kinds == ["submitted", "info_requested", "rejected"]


def test_only_requests_waiting_on_their_finance_post_are_decided(
    services: Services, policy: Policy
) -> None:
    small = services.requests.file(_valid(policy, amount="2000"), "UREQ").request
    assert small.status == "submitted" and not small.needs_finance
    with pytest.raises(NotAllowed, match="not sent to finance"):
        services.requests.decide(small.id, APPROVER, "approve")
    large = services.requests.file(_valid(policy), "UREQ").request
    services.requests.posted_for_finance(large, "CFIN", "1.5")
    with pytest.raises(NotAllowed, match="not on the finance post"):
        services.requests.decide(large.id, APPROVER, "approve", post=("CFIN", "9.9"))
    done = services.requests.decide(large.id, APPROVER, "info", post=("CFIN", "1.5"))
    assert done.request.status == "info_requested"  # still on its post, buttons and all
    done = services.requests.decide(large.id, APPROVER, "approve", post=("CFIN", "1.5"))
    assert done.step is not None and done.step.role == "budget owner"
    assert services.requests.show(small.id).approval is None


def test_status_is_for_the_requester_and_approvers(services: Services, policy: Policy) -> None:
    request = services.requests.file(_valid(policy), "UREQ").request
    assert services.requests.status_for(request.id, "UREQ").request.id == request.id
    assert services.requests.status_for(request.id, APPROVER).request.id == request.id
    with pytest.raises(NotAllowed):
        services.requests.status_for(request.id, "UOTHER")
    with pytest.raises(NotFound):
        services.requests.show(999)


def test_every_refusal_shares_one_root(services: Services) -> None:
    with pytest.raises(CapexbotError):
        services.requests.decide(1, "UNOBODY", "approve")


def test_a_question_is_answered_cited_and_recorded(services: Services) -> None:
    where = Where("UASK", "mention", "C1", "1.0")
    recorded = services.questions.ask("a $40k GPU server for production inference", where)
    assert recorded is not None and recorded.answer.decision.verdict == "capex"
    record = services.questions.store.get_decision(recorded.decision_id)
    assert record is not None and (record.surface, record.user_id) == ("mention", "UASK")
    assert record.citations
    assert services.questions.ask("what's for lunch?", where, spending_only=True) is None


def test_someone_elses_checklist_is_refused(services: Services) -> None:
    mine = Where("UOWNER", "dm", "D1")
    turn = services.checklists.message("k", mine, "we want to buy a GPU server")
    assert turn.answer is not None
    other = Where("UOTHER", "button", "D1")
    assert services.checklists.start_over("k", other).refused
    assert services.checklists.cancel("k", other).refused
    assert services.checklists.pending("k") is not None
    assert services.checklists.cancel("k", mine).status == "cancelled"
