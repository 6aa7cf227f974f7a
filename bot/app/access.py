"""Who may do what: the one place the approver and owner checks live.

Every surface (Slack buttons, ``/capex status``, the memo button, ``capexbot request decide``)
asks here, so a rule such as "a requester never approves their own request" holds whatever
the route.

A button's value is only an id, and anyone can send any id: what a button may do is checked
against the stored record it names, never taken from the value. A checklist (and the decision
it continues) is its asker's alone; the approval buttons act only on a request that went to
finance, in a state its finance post was issued for, and from that post.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.budget import BudgetRequest
from bot.errors import NotAllowed

NOT_AN_APPROVER = (
    "Only the approvers configured for the CapEx assistant can approve, reject or ask for "
    "information on budget requests."
)
NOT_YOURS = "Only the person who asked and the finance approvers can get this decision's memo."
NOT_HERE = (
    "That answer was not given in this conversation: only the person who asked and the "
    "finance approvers can see it elsewhere."
)
#: The states of a request while its finance post carries the approval buttons.
ON_FINANCE_POST = frozenset({"pending", "info_requested"})


def is_owner(user: str, owner: str | None) -> bool:
    """Whether ``user`` asked the question, started the checklist or filed the request."""
    return owner is not None and user == owner


class Access:
    """The configured approvers, and the rules that follow from them."""

    def __init__(self, approvers: Iterable[str]) -> None:
        self.approvers = frozenset(approvers)

    def is_approver(self, user: str) -> bool:
        return user in self.approvers

    def may_see(self, user: str, owner: str | None) -> bool:
        """A request or decision is shown to whoever filed or asked it, and to approvers."""
        return is_owner(user, owner) or self.is_approver(user)

    def check_shown_here(
        self, user: str, owner: str | None, answered_in: str | None, clicked_in: str | None
    ) -> None:
        """Raise :class:`NotAllowed` unless ``user`` may see a decision again from here.

        A button on an answer shows more of it (US GAAP vs IFRS) to whoever reads that
        conversation; from anywhere else, only to whoever asked and to approvers.
        """
        here = answered_in is not None and answered_in == clicked_in
        if not here and not self.may_see(user, owner):
            raise NotAllowed(NOT_HERE)

    def check_approver(self, user: str) -> None:
        """Raise :class:`NotAllowed` unless ``user`` is a configured approver."""
        if not self.is_approver(user):
            raise NotAllowed(NOT_AN_APPROVER)

    def check_decider(self, user: str, request: BudgetRequest) -> None:
        """Raise :class:`NotAllowed` unless ``user`` may approve, reject or ask about ``request``.

        Segregation of duties: an approver who filed the request may not decide it.
        """
        self.check_approver(user)
        if user == request.requester:
            raise NotAllowed(
                f"You filed {request.ref} yourself, so another approver has to decide it."
            )

    def check_on_finance_post(
        self, request: BudgetRequest, post: tuple[str, str] | None = None
    ) -> None:
        """Raise :class:`NotAllowed` unless ``request`` waits for finance on its finance post.

        Only requests on the finance route are ever posted with approval buttons, and the
        buttons apply in the states the post shows them in. ``post`` is the (channel, ts) of
        the message whose button was pressed, when a button was: it must be the request's
        own finance post. The command line decides without a post.
        """
        if not request.needs_finance or request.status not in ON_FINANCE_POST:
            raise NotAllowed(
                f"{request.ref} was not sent to finance for approval, so it cannot be decided here."
            )
        if post is not None and post != (request.finance_channel, request.finance_ts):
            raise NotAllowed(f"That button is not on the finance post of {request.ref}.")
