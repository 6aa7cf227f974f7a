"""Who may do what: the one place the approver and owner checks live.

Every surface (Slack buttons, ``/capex status``, the memo button, ``capexbot request decide``)
asks here, so a rule such as "a requester never approves their own request" holds whatever
the route.
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


class Access:
    """The configured approvers, and the rules that follow from them."""

    def __init__(self, approvers: Iterable[str]) -> None:
        self.approvers = frozenset(approvers)

    def is_approver(self, user: str) -> bool:
        return user in self.approvers

    def may_see(self, user: str, owner: str | None) -> bool:
        """A request or decision is shown to whoever filed or asked it, and to approvers."""
        return user == owner or self.is_approver(user)

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
