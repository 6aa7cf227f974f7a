"""The Bolt app: thin listeners that parse, call the assistant or the dialog, and render."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Config
from bot.conversation import ConversationService
from bot.service import Assistant
from bot.slack import actions, assistant_pane, commands, home, messages
from bot.slack.deps import Deps
from bot.storage import Store


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
        # Acknowledge in the request's own thread: Bolt's default runs ack functions on the pool
        # the lazy work also uses, so under load an ack would queue behind slow answers. Every
        # listener here only acknowledges; the work is in lazy functions on that pool.
        process_before_response=True,
    )
    deps = Deps(config, assistant, store, ConversationService(assistant, store))
    app.use(assistant_pane.build(deps))
    messages.register(app, deps)
    commands.register(app, deps)
    actions.register(app, deps)
    home.register(app, deps)
    return app
