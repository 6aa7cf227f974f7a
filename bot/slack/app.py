"""The Bolt app: thin listeners that parse, call the assistant or the dialog, and render."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.config import Config
from bot.conversation import ConversationService
from bot.service import Assistant
from bot.slack import actions, assistant_pane, commands, home, messages
from bot.slack.deps import Deps
from bot.storage import Store

log = logging.getLogger(__name__)


def build_app(
    config: Config,
    assistant: Assistant,
    store: Store,
    *,
    token_verification: bool = True,
) -> App:
    """The app with every listener; HTTP mode needs the signing secret, Socket Mode does not."""
    base_url = (
        config.slack_api_url if config.slack_api_url.endswith("/") else config.slack_api_url + "/"
    )
    client = WebClient(token=config.slack_bot_token, base_url=base_url)
    app = App(
        client=client,
        signing_secret=config.slack_signing_secret or "",
        request_verification_enabled=bool(config.slack_signing_secret),
        token_verification_enabled=token_verification,
    )
    deps = Deps(config, assistant, store, ConversationService(assistant, store))
    app.use(_once_per_event(store))
    app.use(assistant_pane.build(deps))
    messages.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    home.register(app, deps)
    return app


def _once_per_event(store: Store) -> Any:
    """Slack redelivers an event it thinks was lost (``X-Slack-Retry-Num``), possibly to
    another replica; the event id is claimed in the database, so only the first delivery runs."""

    def middleware(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not store.claim_event(str(event_id)):
            log.info("event %s already handled; delivery acknowledged and skipped", event_id)
            return BoltResponse(status=200, body="")
        return next()

    return middleware
