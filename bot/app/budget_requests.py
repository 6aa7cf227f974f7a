"""Budget requests: file one, decide on one, list and show them. Free of Slack.

Filing classifies the form with the same decision path as a question and records both; the
surface then tells the requester and, above the finance threshold, the finance channel.
Deciding checks who may decide in :mod:`bot.app.access`, then lets the store settle a race
between two approvers (one approval per request).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.app.access import Access
from bot.app.questions import Questions, Where
from bot.core import Decision
from bot.core.budget import (
    Approval,
    ApprovalOutcome,
    BudgetForm,
    BudgetRequest,
    RequestEvent,
    format_ref,
)
from bot.errors import AlreadyDecided, NotAllowed, NotFound
from bot.storage import Store

Action = Literal["approve", "reject", "info"]
OUTCOMES: dict[Action, ApprovalOutcome] = {
    "approve": "approved",
    "reject": "rejected",
}


@dataclass(frozen=True)
class Filed:
    request: BudgetRequest
    decision: Decision


@dataclass(frozen=True)
class Shown:
    """A request with everything a person may want to see about it."""

    request: BudgetRequest
    decision: Decision
    approval: Approval | None = None
    events: list[RequestEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Decided:
    """What an approver's action did: ``approval`` is None when they asked for information."""

    request: BudgetRequest
    decision: Decision
    approval: Approval | None


class BudgetRequests:
    def __init__(self, questions: Questions, store: Store, access: Access) -> None:
        self.questions = questions
        self.store = store
        self.access = access

    def file(
        self, form: BudgetForm, requester: str, *, surface: str = "form", channel: str | None = None
    ) -> Filed:
        """Classify the form, record the decision and the request.

        A submission replayed after a crash (same Slack request id) finds the decision and
        the request its first run recorded, instead of filing a second one.
        """
        decision = self.questions.assistant.answer(form.to_request())
        where = Where(user_id=requester, surface=surface, channel=channel)
        given = form.model_dump(mode="json")
        decision_id = self.questions.record(decision, where, form.objective, given)
        request = self.store.request_for_decision(decision_id) or self.store.create_request(
            requester=requester, form=form, decision_id=decision_id, decision=decision
        )
        return Filed(request, decision)

    def posted_for_finance(self, request: BudgetRequest, channel: str, ts: str) -> None:
        """Remember the finance channel's post, the one an approval updates."""
        self.store.set_finance_message(request.id, channel, ts)

    def decide(
        self,
        request_id: int,
        user: str,
        action: Action,
        note: str | None = None,
        *,
        post: tuple[str, str] | None = None,
    ) -> Decided:
        """Approve, reject or ask the requester for information.

        ``post`` is the (channel, ts) of the finance post whose button was pressed. Raises
        :class:`NotAllowed` (not an approver, their own request, a request not waiting on
        finance, or a button not on its post), :class:`NotFound`, or :class:`AlreadyDecided`
        when someone decided it first.
        """
        self.access.check_approver(user)  # before the lookup: others learn nothing of it
        shown = self._shown(request_id)
        request = shown.request
        self.access.check_decider(user, request)
        if shown.approval is not None:
            raise _already(request, shown.approval)
        self.access.check_on_finance_post(request, post)
        if action == "info":
            self.store.request_info(request.id, user, note)
            return Decided(self._request(request.id), shown.decision, None)
        approval = self.store.decide_request(request.id, OUTCOMES[action], user, note)
        if approval is None:  # another approver's click won the race
            earlier = self.store.approval_for(request.id)
            raise _already(request, earlier)
        return Decided(self._request(request.id), shown.decision, approval)

    def mine(self, user: str, limit: int = 10) -> list[BudgetRequest]:
        """A requester's latest requests, newest first."""
        return self.store.list_requests(user, limit)

    def latest(self, limit: int = 20) -> list[BudgetRequest]:
        """Everyone's latest requests, newest first (the local command line)."""
        return self.store.list_requests(None, limit)

    def show(self, request_id: int) -> Shown:
        """One request with its decision, approval and timeline; :class:`NotFound` if none."""
        return self._shown(request_id)

    def status_for(self, request_id: int, user: str) -> Shown:
        """One request, for its requester or an approver; :class:`NotAllowed` otherwise."""
        shown = self._shown(request_id)
        if not self.access.may_see(user, shown.request.requester):
            raise NotAllowed(f"{shown.request.ref} is not one of your requests.")
        return shown

    def _request(self, request_id: int) -> BudgetRequest:
        request = self.store.get_request(request_id)
        if request is None:
            raise NotFound(f"no budget request {format_ref(request_id)}")
        return request

    def _shown(self, request_id: int) -> Shown:
        request = self._request(request_id)
        decision = self.store.decision_model(request.decision_id)
        if decision is None:
            raise NotFound(f"no decision {request.decision_id} for {request.ref}")
        return Shown(
            request,
            decision,
            self.store.approval_for(request.id),
            self.store.timeline(request.id),
        )


def _already(request: BudgetRequest, approval: Approval | None) -> AlreadyDecided:
    if approval is None:
        return AlreadyDecided(request.ref, None, None)
    return AlreadyDecided(request.ref, approval.outcome, approval.approver)
