"""Corrections in Slack: *Wrong* on an answer, and finance's *Review* in App Home.

*Wrong* records the flag at once (a modal closed unanswered still leaves it), then asks in a
modal which verdict was expected and why. An approver's *Review* button opens the answer with
a verdict select and a required reason. Both modals are checked in the acknowledgement, so a
refusal shows by its field; the recording happens in the background, like every answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app.access import NOT_AN_APPROVER
from bot.errors import CapexbotError
from bot.slack.deps import Deps
from bot.slack.failures import apologises
from bot.slack.lanes import opens_modal
from bot.slack.review_views import (
    REVIEW_CALLBACK,
    WRONG_CALLBACK,
    chosen,
    review_modal,
    verdict_of,
    wrong_modal,
)

FLAGGED = "Thanks: finance will review this answer."
_ID = re.compile(r"[0-9]{1,9}")


def register(app: App, deps: Deps) -> None:
    @apologises
    @deps.once()
    def wrong(body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        channel, thread_ts = _place(body)
        decision_id = int(action["value"])
        try:
            deps.app.reviews.flag(decision_id, user)
        except CapexbotError as exc:
            client.chat_postEphemeral(channel=channel, user=user, text=str(exc))
            return
        deps.app.questions.feedback(decision_id, user, "wrong")
        try:
            client.views_open(
                trigger_id=body.get("trigger_id") or "",
                view=wrong_modal(decision_id, channel, thread_ts),
            )
        except SlackApiError as exc:
            if exc.response.get("error") != "expired_trigger_id":
                raise
            # Too late to ask (a replay after a crash, a slow Slack): the flag stands alone.
            client.chat_postEphemeral(channel=channel, user=user, text=FLAGGED, thread_ts=thread_ts)

    def wrong_ack(ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        deps.ledger.accept(body)
        ack()

    @apologises
    @deps.once()
    def expected(view: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        user = body["user"]["id"]
        place = _metadata(view)
        if place is None:
            return
        decision_id, channel, thread_ts = place
        expected_verdict, note = verdict_of(view, "expected"), chosen(view, "note")
        if expected_verdict is None and note is None:
            return  # nothing said beyond the flag the click recorded
        deps.app.reviews.flag(decision_id, user, expected_verdict, note)
        if channel:
            client.chat_postEphemeral(
                channel=channel,
                user=user,
                text=f"{FLAGGED[:-1]} with what you expected.",
                thread_ts=thread_ts,
            )

    @apologises
    @deps.once()
    def open_review(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        user = body["user"]["id"]
        decision_id = int(action["value"])
        try:
            flagged = deps.app.reviews.flagged(user, reviewed=True)
        except CapexbotError:
            return  # not an approver: App Home never showed them the button
        item = next((f for f in flagged if f.decision_id == decision_id), None)
        if item is None:
            deps.publish_home(client, context.team_id, user)  # stale: show what there is
            return
        client.views_open(trigger_id=body.get("trigger_id") or "", view=review_modal(item))

    def review_ack(ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        errors: dict[str, str] = {}
        if not deps.app.access.is_approver(body["user"]["id"]):
            errors["reason"] = NOT_AN_APPROVER
        if verdict_of(view, "verdict") is None:
            errors["verdict"] = "Pick the right verdict."
        if chosen(view, "reason") is None:
            errors.setdefault("reason", "Say why: the reason is kept with the correction.")
        if _answer_id(view) is None:
            errors.setdefault("verdict", "This form no longer names an answer; open it again.")
        if errors:
            ack(response_action="errors", errors=errors)
            return
        deps.ledger.accept(body)
        ack()

    @apologises
    @deps.once()
    def reviewed(
        view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        user = body["user"]["id"]
        verdict, reason = verdict_of(view, "verdict"), chosen(view, "reason")
        decision_id = _answer_id(view)
        if decision_id is not None:
            deps.app.reviews.review(decision_id, user, verdict or "", reason or "")
        deps.publish_home(client, context.team_id, user)

    acknowledge = deps.acknowledge()

    def modal_ack(ack: Ack, body: dict[str, Any]) -> None:
        opens_modal()
        acknowledge(ack, body)

    app.action("feedback_wrong")(ack=modal_ack, lazy=[wrong])
    app.view(WRONG_CALLBACK)(ack=wrong_ack, lazy=[expected])
    app.action("review_answer")(ack=modal_ack, lazy=[open_review])
    app.view(REVIEW_CALLBACK)(ack=review_ack, lazy=[reviewed])


def _place(body: dict[str, Any]) -> tuple[str, str | None]:
    """The channel of the clicked answer, and its thread."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    named = body.get("channel")
    channel = container.get("channel_id") or (named.get("id") if isinstance(named, dict) else named)
    thread = message.get("thread_ts") or message.get("ts")
    return str(channel or ""), thread if isinstance(thread, str) else None


def _answer_id(view: dict[str, Any]) -> int | None:
    """The answer a *Review* modal was opened for."""
    metadata = view.get("private_metadata")
    return int(metadata) if isinstance(metadata, str) and _ID.fullmatch(metadata) else None


def _metadata(view: dict[str, Any]) -> tuple[int, str, str | None] | None:
    """The answer and the place the *Wrong* modal was opened for; None when not ours."""
    try:
        place = json.loads(view.get("private_metadata") or "")
        decision_id, channel, thread = int(place["d"]), str(place["c"] or ""), place.get("t")
    except (ValueError, TypeError, KeyError):
        return None
    return decision_id, channel, thread if isinstance(thread, str) else None
