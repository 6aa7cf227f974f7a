"""Shared by the Slack end-to-end tests: the fixed ids and a running app instance."""

from __future__ import annotations

from dataclasses import dataclass

from slack_requests import SlackSender

from bot.storage import Store

APPROVER = "UAPPROVER"
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
