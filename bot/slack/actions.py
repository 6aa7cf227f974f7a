"""Buttons: checklist answers, continue in a DM, *Helpful*, the memo, US GAAP vs IFRS, and the
finance approvals.

Who may press what is decided in the application layer (:mod:`bot.app.access`); a refusal
comes back here as an ephemeral message to the person who clicked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.app.questions import Where
from bot.conversation import Turn
from bot.core.decision import VERDICT_LABELS
from bot.errors import CapexbotError
from bot.slack.approvals import ACTIONS, decide, refusal
from bot.slack.blocks import answered_blocks, side_by_side_blocks, turn_blocks, turn_text
from bot.slack.deps import Deps, dm_key
from bot.slack.escaping import slack_escape
from bot.slack.failures import apologises


def register(app: App, deps: Deps) -> None:
    @apologises
    @deps.once()
    def checklist_answer(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        value = json.loads(action["value"])
        key, user = value["c"], body["user"]["id"]
        channel, ts, thread_ts = _message_place(body)
        pending = deps.app.checklists.pending(key)
        where = Where(user_id=user, surface="button", channel=channel, thread_ts=thread_ts)
        turn = deps.app.checklists.answer_option(key, where, value["q"], int(value["i"]))
        if turn.answer is None:  # not taken: stale, closed, or someone else's
            client.chat_postEphemeral(channel=channel, user=user, text=turn_text(turn))
            return
        if pending is not None and pending.question is not None:
            label = pending.question.options[int(value["i"])].label
            client.chat_update(
                channel=channel,
                ts=ts,
                text=slack_escape(label),
                blocks=answered_blocks(pending.question.text, label),
            )
        _post_turn(client, channel, thread_ts, turn)

    @apologises
    @deps.once()
    def restart(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        channel, _, thread_ts = _message_place(body)
        where = Where(user_id=body["user"]["id"], surface="button", channel=channel)
        _reply(client, where, thread_ts, deps.app.checklists.start_over(action["value"], where))

    @apologises
    @deps.once()
    def cancel(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        channel, _, thread_ts = _message_place(body)
        where = Where(user_id=body["user"]["id"], surface="button", channel=channel)
        _reply(client, where, thread_ts, deps.app.checklists.cancel(action["value"], where))

    @apologises
    @deps.once()
    def continue_in_dm(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        user = body["user"]["id"]
        where = Where(user_id=user, surface="dm")
        turn = deps.app.checklists.start_from_decision(
            dm_key(context.team_id, user), where, int(action["value"])
        )
        if turn.refused:  # someone else's answer: told only to the person who clicked
            channel, _, thread_ts = _message_place(body)
            client.chat_postEphemeral(
                channel=channel, user=user, text=turn_text(turn), thread_ts=thread_ts
            )
            return
        note = "Let's settle this one together."
        turn.note = f"{note} {turn.note}" if turn.note else note
        client.chat_postMessage(channel=user, text=turn_text(turn), blocks=turn_blocks(turn))

    @apologises
    @deps.once()
    def helpful(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """*Helpful*; *Wrong* asks what was expected (:mod:`bot.slack.review_actions`)."""
        user = body["user"]["id"]
        deps.app.questions.feedback(int(action["value"]), user, "helpful")
        channel, _, thread_ts = _message_place(body)
        client.chat_postEphemeral(
            channel=channel, user=user, text="Thanks, noted.", thread_ts=thread_ts
        )

    @apologises
    @deps.once()
    def memo(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        from bot.finance.slack import upload_memo  # PDF rendering loads only when asked for

        channel, _, thread_ts = _message_place(body)
        user = body["user"]["id"]
        try:
            memo = deps.app.outputs.memo_for(int(action["value"]), user)
        except CapexbotError as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=refusal(exc))
            return
        upload_memo(client, channel, memo, thread_ts=thread_ts)

    @apologises
    @deps.once()
    def frameworks(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        channel, ts, thread_ts = _message_place(body)
        user = body["user"]["id"]
        try:
            both = deps.app.comparisons.side_by_side(int(action["value"]), user, channel)
        except CapexbotError as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=refusal(exc))
            return
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts or ts,
            text=slack_escape(
                f"US GAAP: {VERDICT_LABELS[both.us_gaap.decision.verdict]}; "
                f"IFRS: {VERDICT_LABELS[both.ifrs.decision.verdict]}"
            ),
            blocks=side_by_side_blocks(both),
        )

    @apologises
    @deps.once()
    def approval(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        decide_request(deps, client, body, action, context.team_id)

    ack = deps.acknowledge()
    app.action(re.compile(r"^checklist_answer_\d+$"))(ack=ack, lazy=[checklist_answer])
    app.action("checklist_restart")(ack=ack, lazy=[restart])
    app.action("checklist_cancel")(ack=ack, lazy=[cancel])
    app.action("continue_in_dm")(ack=ack, lazy=[continue_in_dm])
    app.action("feedback_helpful")(ack=ack, lazy=[helpful])
    app.action("decision_memo")(ack=ack, lazy=[memo])
    app.action("compare_frameworks")(ack=ack, lazy=[frameworks])
    app.action(re.compile(r"^(approve|reject|info)_request$"))(ack=ack, lazy=[approval])


def decide_request(
    deps: Deps, client: WebClient, body: dict[str, Any], action: dict[str, Any], team: str | None
) -> None:
    """A button of the finance post, or of the approver's App Home queue (no post to check
    there: the home is the approver's own, and the use case checks their step)."""
    user = body["user"]["id"]
    what = ACTIONS[action["action_id"]]
    request_id = int(action["value"])
    if (body.get("view") or {}).get("type") == "home":
        done = decide(deps, client, user, request_id, what, post=None, team=team)
        if isinstance(done, CapexbotError):
            client.chat_postMessage(channel=user, text=refusal(done))
        return
    channel, ts, _ = _message_place(body)
    done = decide(deps, client, user, request_id, what, post=(channel, ts), team=team)
    if isinstance(done, CapexbotError):
        client.chat_postEphemeral(channel=channel, user=user, text=refusal(done))


def _message_place(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """The channel and ts of the message whose button was clicked, and its thread if any."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    named = body.get("channel")
    channel = container.get("channel_id") or (named.get("id") if isinstance(named, dict) else named)
    ts = container.get("message_ts") or message.get("ts") or ""
    return str(channel or ""), str(ts), message.get("thread_ts")


def _reply(client: WebClient, where: Where, thread_ts: str | None, turn: Turn) -> None:
    """The turn in the thread; a refusal (someone else's checklist) only to the clicker."""
    if turn.refused:
        client.chat_postEphemeral(
            channel=where.channel or "", user=where.user_id, text=turn_text(turn)
        )
    else:
        _post_turn(client, where.channel or "", thread_ts, turn)


def _post_turn(client: WebClient, channel: str, thread_ts: str | None, turn: Turn) -> None:
    client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=turn_text(turn), blocks=turn_blocks(turn)
    )
