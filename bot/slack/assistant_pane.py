"""Slack's AI-app surface: the same checklist in the assistant container, one per thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Assistant, BoltContext
from slack_sdk import WebClient

from bot.app.questions import Where
from bot.slack.blocks import turn_blocks, turn_text
from bot.slack.deps import Deps, thread_key
from bot.slack.escaping import slack_escape
from bot.slack.failures import apologises

GREETING = (
    "Hi! Tell me what you plan to buy and I will tell you whether it is CapEx or OpEx under "
    "the capitalization policy, asking only what I still need to know."
)
PROMPTS = [
    {"title": "A GPU server", "message": "Is a $40k GPU server for production inference CapEx?"},
    {"title": "Cloud GPU hours", "message": "We will spend $8,000 a month on cloud GPU hours"},
    {
        "title": "Building software",
        "message": "Capitalizing our developers' time on a new platform",
    },
]


def build(deps: Deps) -> Assistant:
    assistant = Assistant()

    @apologises
    @deps.once()
    def started(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        thread = event["assistant_thread"]
        channel, ts = thread["channel_id"], thread["thread_ts"]
        client.chat_postMessage(channel=channel, thread_ts=ts, text=GREETING)
        client.assistant_threads_setSuggestedPrompts(
            channel_id=channel, thread_ts=ts, prompts=PROMPTS, title="For example"
        )

    @apologises
    @deps.once()
    def user_message(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        channel, ts, user = event["channel"], event["thread_ts"], event["user"]
        client.assistant_threads_setStatus(
            channel_id=channel, thread_ts=ts, status="is checking the policy…"
        )
        key = thread_key(context.team_id, channel, ts)
        first = deps.app.checklists.pending(key) is None
        where = Where(user_id=user, surface="assistant", channel=channel, thread_ts=ts)
        turn = deps.app.checklists.message(key, where, (event.get("text") or ""))
        client.chat_postMessage(
            channel=channel, thread_ts=ts, text=turn_text(turn), blocks=turn_blocks(turn)
        )
        if first and turn.answer is not None and turn.answer.decision.kind == "decision":
            title = slack_escape(" ".join((event.get("text") or "").split())[:60])
            client.assistant_threads_setTitle(channel_id=channel, thread_ts=ts, title=title)

    assistant.thread_started(lazy=[started])(deps.acknowledge())
    assistant.user_message(lazy=[user_message])(deps.acknowledge())
    return assistant
