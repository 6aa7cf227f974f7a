"""Shared by the Slack end-to-end tests: the fixed ids and a running app instance."""

from __future__ import annotations

from dataclasses import dataclass

from slack_requests import SlackSender

from bot.storage import Store

#: The holders of the example policy's approver roles (approvers_by_role in rules/policy.yaml):
#: a route's roles approve in this order.
BUDGET_OWNER = "U0BUDGETOWNER"
FIN_PARTNER = "U0FINPARTNER"
CONTROLLER = "U0CONTROLLER"
CFO = "U0CFO"
#: The first step of every route: the approver a single click tests act as.
APPROVER = BUDGET_OWNER
FINANCE = "C0FINANCE"
WATCHED = "C0WATCHED"


@dataclass
class Running:
    """One app instance serving HTTP on a free loopback port."""

    sender: SlackSender
    store: Store
    server: object
    stopped: bool = False

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.server.shutdown()  # type: ignore[attr-defined]
            self.server.server_close()  # type: ignore[attr-defined]
            self.store.close()
