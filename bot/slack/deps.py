"""What every listener needs, built once per app: config, the assistant, storage, the dialog."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from slack_sdk import WebClient

from bot.config import Config
from bot.conversation import ConversationService
from bot.service import Assistant
from bot.slack.views import home_view
from bot.storage import Store

log = logging.getLogger(__name__)


@dataclass
class Deps:
    config: Config
    assistant: Assistant
    store: Store
    conversations: ConversationService

    def once_per_event(self, func: Callable[..., None]) -> Callable[..., None]:
        """Run an event's lazy work only for the first delivery of its ``event_id``.

        Slack redelivers an event it thinks was lost (``X-Slack-Retry-Num``), possibly to another
        replica. Every delivery is acknowledged at once; the event id is then claimed in the
        database (a primary key), so only one delivery, on one replica, does the work. The
        claim happens after the ack, so acknowledging never waits on the database.
        """

        @wraps(func)
        def wrapper(**kwargs: Any) -> None:
            event_id = kwargs["body"].get("event_id")
            if event_id and not self.store.claim_event(str(event_id)):
                log.info("event %s was already handled; this delivery is skipped", event_id)
                return
            func(**kwargs)

        return wrapper

    def publish_home(self, client: WebClient, team_id: str | None, user_id: str) -> None:
        """Refresh the user's App Home: their open checklist and recent requests."""
        pending = self.conversations.pending(dm_key(team_id, user_id))
        question = pending.question.text if pending and pending.question else None
        view = home_view(self.store.list_requests(user_id), question)
        client.views_publish(user_id=user_id, view=view)


def dm_key(team_id: str | None, user_id: str) -> str:
    """One checklist per user in direct messages."""
    return f"dm:{team_id or '-'}:{user_id}"


def thread_key(team_id: str | None, channel: str, thread_ts: str) -> str:
    """One checklist per assistant thread."""
    return f"thread:{team_id or '-'}:{channel}:{thread_ts}"
