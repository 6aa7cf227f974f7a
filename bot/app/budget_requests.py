"""Budget requests: file one, decide on one, list and show them. Free of Slack.

Filing classifies the form with the same decision path as a question and records both; the
surface then tells the requester and, above the finance threshold, the finance channel.
Deciding checks who may decide in :mod:`bot.app.access`, then lets the store settle a race
between two approvers (one event per step, one final approval per request). A request on a
finance route is approved step by step, one approver role after another, as its route lists
them (§10.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.app.access import ON_FINANCE_POST, Access
from bot.app.questions import Questions, Where
from bot.core import Answer, Decision
from bot.core.budget import (
    Approval,
    ApprovalOutcome,
    ApprovalProgress,
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
    answer: Answer


@dataclass(frozen=True)
class Shown:
    """A request with everything a person may want to see about it."""

    request: BudgetRequest
    answer: Answer
    approval: Approval | None = None
    events: list[RequestEvent] = field(default_factory=list)

    @property
    def progress(self) -> ApprovalProgress:
        """The route's approver roles in order and the steps approved so far."""
        return progress_of(self.answer.decision, self.events)


@dataclass(frozen=True)
class Decided:
    """What an approver's action did.

    ``step`` is the timeline event it recorded (None when they asked for information);
    ``approval`` the request's final word when this action gave it (the last step approved,
    or a rejection). ``progress`` is where the route stands afterwards.
    """

    request: BudgetRequest
    answer: Answer
    approval: Approval | None
    step: RequestEvent | None
    progress: ApprovalProgress


def progress_of(decision: Decision, events: list[RequestEvent]) -> ApprovalProgress:
    """The request's route as its decision recorded it, and the steps in ``events``."""
    roles = decision.approval.approvers if decision.approval else []
    return ApprovalProgress.of(roles, events)


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
        answer = self.questions.assistant.answer(form.to_request())
        where = Where(user_id=requester, surface=surface, channel=channel)
        given = form.model_dump(mode="json")
        decision_id = self.questions.record(answer, where, form.objective, given)
        request = self.store.request_for_decision(decision_id) or self.store.create_request(
            requester=requester, form=form, decision_id=decision_id, decision=answer.decision
        )
        return Filed(request, answer)

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
        """Approve or reject the step waiting, or ask the requester for information.

        The route's roles approve in order (§10.1): an approval records the step of the role
        the user holds; the last step approves the request, a rejection at any step rejects it.
        ``post`` is the (channel, ts) of the finance post whose button was pressed. Raises
        :class:`NotAllowed` (not an approver, their own request, not their step, a step they
        approved already, a request not waiting on finance, or a button not on its post),
        :class:`NotFound`, or :class:`AlreadyDecided` when someone decided it first.
        """
        self.access.check_approver(user)  # before the lookup: others learn nothing of it
        shown = self._shown(request_id)
        request, progress = shown.request, shown.progress
        self.access.check_decider(user, request)
        if shown.approval is not None:
            raise _already(request, shown.approval)
        self.access.check_on_finance_post(request, post)
        if action == "info":
            self.access.check_on_route(user, request, progress)
            self.store.request_info(request.id, user, note)
            return Decided(self._request(request.id), shown.answer, None, None, progress)
        self.access.check_step(user, request, progress)
        step = self.store.decide_request(
            request.id,
            OUTCOMES[action],
            user,
            note,
            step=progress.next_step,
            role=progress.next_role,
            final=progress.last,
        )
        if step is None:  # another approver's click won the race
            raise self._beaten(request.id)
        after = self._shown(request.id)
        return Decided(after.request, after.answer, after.approval, step, after.progress)

    def waiting_for(self, user: str, limit: int = 20) -> list[Shown]:
        """The requests whose next step ``user`` may approve, oldest first (their queue)."""
        if not self.access.is_approver(user):
            return []
        queue = []
        for request in self.store.requests_between(statuses=ON_FINANCE_POST):
            if request.requester == user:
                continue
            shown = self._shown(request.id)
            role = shown.progress.next_role
            mine = role is not None and user in self.access.holders_of(role)
            if mine and not shown.progress.approved_by(user):
                queue.append(shown)
        return queue[:limit]

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
        answer = self.store.answer_of(request.decision_id)
        if answer is None:
            raise NotFound(f"no decision {request.decision_id} for {request.ref}")
        return Shown(
            request,
            answer,
            self.store.approval_for(request.id),
            self.store.timeline(request.id),
        )

    def _beaten(self, request_id: int) -> AlreadyDecided:
        """The error for a click that lost a race: the final word, or the step taken."""
        shown = self._shown(request_id)
        if shown.approval is not None:
            return _already(shown.request, shown.approval)
        last = shown.progress.done[-1] if shown.progress.done else None
        if last is None:
            return AlreadyDecided(shown.request.ref, None, None)
        return AlreadyDecided(shown.request.ref, f"approved as {last.role}", last.user_id)


def _already(request: BudgetRequest, approval: Approval | None) -> AlreadyDecided:
    if approval is None:
        return AlreadyDecided(request.ref, None, None)
    return AlreadyDecided(request.ref, approval.outcome, approval.approver)
