"""The Bolt app: thin listeners that parse, call the assistant or the dialog, and render."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse
from slack_bolt.request.internals import extract_team_id

from bot.app.services import Services
from bot.config import Config
from bot.service import Assistant
from bot.slack import actions, assistant_pane, commands, home, messages, review_actions
from bot.slack.deps import Deps
from bot.slack.durable import Ledger
from bot.slack.lanes import Lanes
from bot.slack.webapi import web_client
from bot.storage import Store

log = logging.getLogger(__name__)

#: Threads for the work after the ack (Bolt's default size); answers are CPU-bound.
WORKERS = 5


def build_app(
    config: Config,
    assistant: Assistant,
    store: Store,
    *,
    token_verification: bool = True,
    ledger: Ledger | None = None,
) -> App:
    """The app with every listener; HTTP mode needs the signing secret, Socket Mode does not."""
    app = App(
        client=web_client(config.slack_bot_token, config.slack_api_url),
        signing_secret=config.slack_signing_secret or "",
        request_verification_enabled=bool(config.slack_signing_secret),
        token_verification_enabled=token_verification,
        # Acknowledge in the request's own thread: Bolt's default runs ack functions on the pool
        # the lazy work also uses, so under load an ack would queue behind slow answers. Every
        # listener here only acknowledges; the work is in lazy functions on these pools (one
        # lane for slash commands, whose modal must open within 3 s), which carry the request
        # id over from the ack.
        process_before_response=True,
        listener_executor=Lanes(WORKERS),
    )
    if ledger is None:
        ledger = Ledger(
            store, config.spool_folder, lease=config.work_lease, recover_after=config.recover_after
        )
    deps = Deps(config, assistant.policy, Services.build(config, assistant, store), ledger)
    if config.slack_team_id:
        app.use(only_workspace(config.slack_team_id))
    app.use(assistant_pane.build(deps))
    messages.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    home.register(app, deps)
    review_actions.register(app, deps)
    return app


def only_workspace(team_id: str) -> Callable[..., BoltResponse | None]:
    """Refuse (403) any request for another workspace than the configured one."""

    def middleware(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        # The request's own team, not the context's: authorization fills that with the bot's.
        requested = extract_team_id(body)
        if requested == team_id:
            next()
            return None
        log.warning("refused a request for workspace %s", requested)
        return BoltResponse(status=403, body="This app serves another workspace.")

    return middleware
