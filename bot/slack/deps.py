"""What every listener needs, built once per app: config, the use cases, the delivery ledger."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient

from bot.app.services import Services
from bot.config import Config
from bot.core import Policy
from bot.slack.durable import Ledger, acknowledging, once
from bot.slack.home_sections import Viewer, home_view
from bot.slack.signs import Signs


@dataclass
class Deps:
    config: Config
    policy: Policy
    app: Services
    ledger: Ledger
    signs: Signs = field(default_factory=Signs)

    def once(
        self, wanted: Callable[[dict[str, Any]], bool] | None = None
    ) -> Callable[[Callable[..., None]], Callable[..., None]]:
        """Run a lazy listener for the first claim of its delivery only, on any replica, and
        durably: see :mod:`bot.slack.durable`. Slack's retries are acknowledged and skipped."""
        return once(self.ledger, wanted)

    def acknowledge(
        self, wanted: Callable[[dict[str, Any]], bool] | None = None
    ) -> Callable[..., None]:
        """The ack function of a listener whose lazy work is wrapped by :meth:`once`."""
        return acknowledging(self.ledger, wanted)

    def publish_home(self, client: WebClient, team_id: str | None, user_id: str) -> None:
        """Refresh the user's App Home (:mod:`bot.slack.home_sections`)."""
        viewer = Viewer(user_id, self.app, dm_key(team_id, user_id))
        client.views_publish(user_id=user_id, view=home_view(viewer))


def dm_key(team_id: str | None, user_id: str) -> str:
    """One checklist per user in direct messages."""
    return f"dm:{team_id or '-'}:{user_id}"


def thread_key(team_id: str | None, channel: str, thread_ts: str) -> str:
    """One checklist per assistant thread."""
    return f"thread:{team_id or '-'}:{channel}:{thread_ts}"
