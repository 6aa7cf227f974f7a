"""App Home: how to use the bot, the user's open checklist and recent requests."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.failures import apologises


def register(app: App, deps: Deps) -> None:
    @apologises
    @deps.once()
    def opened(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if event.get("tab", "home") == "home":
            deps.publish_home(client, context.team_id, event["user"])

    app.event("app_home_opened")(ack=deps.acknowledge(), lazy=[opened])
