"""Messages: @mentions get an answer in the thread, and so does every spend question in a
channel set to ``all``; a channel set to ``off`` gets nothing (:mod:`bot.app.channels`: set by
a finance admin with ``/capex channel``, by default from the environment). DMs run the
checklist.

A mention gets a reaction within a second of its acknowledgement, taken off when the answer
is posted (:mod:`bot.slack.signs`).

Each listener acknowledges at once and does the work in a lazy function (Bolt runs it in a
thread after the 200 went back), so Slack never waits for the rules or retrieval.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest
from slack_sdk import WebClient

from bot.app.questions import Where
from bot.conversation import HELP_TEXT
from bot.render.document import build_document
from bot.slack.blocks import decision_blocks, turn_blocks, turn_text
from bot.slack.deps import Deps, dm_key
from bot.slack.escaping import slack_escape
from bot.slack.failures import apologises

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


def from_a_person(body: dict[str, Any]) -> bool:
    """Messages worth answering: not edits, joins or bot posts (our own included)."""
    event = body.get("event") or {}
    return not (event.get("subtype") or event.get("bot_id") or not event.get("user"))


def register(app: App, deps: Deps) -> None:
    @apologises
    @deps.once()
    def mention(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if deps.app.channels.mode_of(event["channel"]).mode == "off":
            deps.signs.done(client, event["channel"], event["ts"])
            return  # a finance admin set the channel to stay quiet
        try:
            answer_in_thread(deps, client, event, surface="mention")
        finally:
            deps.signs.done(client, event["channel"], event["ts"])

    acknowledge_event = deps.acknowledge()

    def mention_ack(
        ack: Ack, body: dict[str, Any], request: BoltRequest, client: WebClient
    ) -> None:
        """Acknowledge, and show the mention is being worked on: not in a channel set to
        stay quiet, nor on a retry (it may come after the answer took the first one off)."""
        acknowledge_event(ack=ack, body=body)
        event = body.get("event") or {}
        channel, ts = event.get("channel"), event.get("ts")
        if not channel or not ts or request.headers.get("x-slack-retry-num"):
            return
        try:
            quiet = deps.app.channels.mode_of(channel).mode == "off"
        except Exception:  # the records are unreachable: the sign is still worth showing
            log.warning("channel mode of %s unknown at the ack; showing the sign", channel)
            quiet = False
        if not quiet:
            deps.signs.working(client, channel, ts)

    @apologises
    @deps.once(wanted=from_a_person)
    def message(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        if event.get("channel_type") == "im":
            checklist_in_dm(deps, client, event, context.team_id)
        elif deps.app.channels.mode_of(event.get("channel") or "").mode == "all":
            bot = context.bot_user_id
            if bot and f"<@{bot}" in (event.get("text") or ""):
                return  # the app_mention event answers this one
            answer_in_thread(deps, client, event, surface="channel", quiet=True)

    app.event("app_mention")(ack=mention_ack, lazy=[mention])
    app.event("message")(ack=deps.acknowledge(wanted=from_a_person), lazy=[message])


def answer_in_thread(
    deps: Deps, client: WebClient, event: dict[str, Any], *, surface: str, quiet: bool = False
) -> None:
    """Answer the message in its thread; ``quiet`` skips messages not about spending."""
    text = _MENTION.sub(" ", (event.get("text") or "")).strip()
    channel, thread_ts = event["channel"], event.get("thread_ts") or event["ts"]
    if not text:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=HELP_TEXT)
        return
    where = Where(event.get("user") or "", surface, channel, thread_ts)
    recorded = deps.app.questions.ask(text, where, spending_only=quiet)
    if recorded is None:
        return
    client.chat_postMessage(
        channel=channel,
        thread_ts=thread_ts,
        text=slack_escape(recorded.answer.summary),
        blocks=decision_blocks(
            build_document(recorded.answer), recorded.decision_id, offer_dm=True
        ),
    )


def checklist_in_dm(
    deps: Deps, client: WebClient, event: dict[str, Any], team_id: str | None
) -> None:
    user, channel = event["user"], event["channel"]
    where = Where(user_id=user, surface="dm", channel=channel)
    turn = deps.app.checklists.message(dm_key(team_id, user), where, (event.get("text") or ""))
    client.chat_postMessage(channel=channel, text=turn_text(turn), blocks=turn_blocks(turn))
