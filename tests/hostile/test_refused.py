"""Requests the app must refuse: forged signatures, stale or future timestamps, and requests for
another workspace than the configured one. A replay inside the signature's five minutes is
accepted, and does its work once."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from fake_slack import BOT_USER, TEAM, FakeSlack
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_harness import APPROVER, FINANCE
from slack_requests import sign

from tests.support.fixtures import Bot

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None)


@pytest.fixture
def bot(start_bot, tmp_path) -> Bot:  # type: ignore[no-untyped-def]
    return start_bot(f"sqlite:///{tmp_path / 'state.db'}", slack_team_id=TEAM)


def event_body(event_id: str, team: str = TEAM, ts: str = "1700007000.000001") -> str:
    event = {
        "type": "app_mention",
        "user": "UREFUSED",
        "channel": "C0REFUSED",
        "ts": ts,
        "text": f"<@{BOT_USER}> is a $40k GPU server for production CapEx?",
    }
    return json.dumps(
        {"type": "event_callback", "team_id": team, "event_id": event_id, "event": event}
    )


def nothing_done(bot: Bot, slack: FakeSlack) -> None:
    time.sleep(0.3)
    assert slack.of("chat.postMessage") == [] and bot.store.decisions() == []


def test_forged_signatures_are_refused(bot: Bot, slack: FakeSlack) -> None:
    body = event_body("EvForged")

    @SETTINGS
    @given(
        signature=st.text(
            st.characters(min_codepoint=32, max_codepoint=255), min_size=1, max_size=80
        )
        | st.from_regex(r"v0=[0-9a-f]{64}", fullmatch=True)
        | st.text(min_size=1, max_size=40).map(lambda secret: sign(body, int(time.time()), secret))
    )
    def run(signature: str) -> None:
        reply = bot.sender.post(body, "application/json", signature=signature)
        assert reply.status == 401

    run()
    nothing_done(bot, slack)


@pytest.mark.parametrize("skew", [-6 * 60, -3600, 6 * 60, 10**9])
def test_stale_and_future_timestamps_are_refused(bot: Bot, slack: FakeSlack, skew: int) -> None:
    body = event_body(f"EvSkew{skew}")
    stamp = int(time.time()) + skew
    reply = bot.sender.post(body, "application/json", timestamp=stamp)  # correctly signed
    assert reply.status == 401
    nothing_done(bot, slack)


def test_a_timestamp_that_is_not_a_number_is_refused(bot: Bot, slack: FakeSlack) -> None:
    body = event_body("EvNotANumber")
    reply = bot.sender.post(
        body,
        "application/json",
        signature=sign(body, 0),
        headers={"X-Slack-Request-Timestamp": "0x1"},
    )
    assert reply.status == 401
    nothing_done(bot, slack)


def test_a_replay_within_the_window_is_answered_once(bot: Bot, slack: FakeSlack) -> None:
    body, stamp = event_body("EvReplayed"), int(time.time())
    for _ in range(4):
        assert bot.sender.post(body, "application/json", timestamp=stamp).status == 200
    slack.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert len(slack.of("chat.postMessage")) == 1 and len(bot.store.decisions()) == 1


def test_a_replayed_click_takes_effect_once(bot: Bot, slack: FakeSlack) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": APPROVER, "team_id": TEAM},
        "trigger_id": "trigger.replayed",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": FINANCE},
        "actions": [{"type": "button", "action_id": "feedback_helpful", "value": "1"}],
    }
    form, stamp = urlencode({"payload": json.dumps(payload)}), int(time.time())
    for _ in range(3):
        assert (
            bot.sender.post(form, "application/x-www-form-urlencoded", timestamp=stamp).status
            == 200
        )
    slack.wait_for("chat.postEphemeral")
    time.sleep(0.5)
    assert len(slack.of("chat.postEphemeral")) == 1


def test_requests_for_another_workspace_are_refused(bot: Bot, slack: FakeSlack) -> None:
    assert bot.sender.post(event_body("EvOther", team="T0OTHER"), "application/json").status == 403
    command = {
        "team_id": "T0OTHER",
        "user_id": "U1",
        "channel_id": "C1",
        "command": "/capex",
        "text": "list",
        "trigger_id": "t.1",
    }
    reply = bot.sender.post(urlencode(command), "application/x-www-form-urlencoded")
    assert reply.status == 403
    click = {
        "type": "block_actions",
        "team": {"id": "T0OTHER"},
        "user": {"id": APPROVER},
        "trigger_id": "t.2",
        "actions": [{"action_id": "approve_request", "value": "1"}],
    }
    form = urlencode({"payload": json.dumps(click)})
    assert bot.sender.post(form, "application/x-www-form-urlencoded").status == 403
    nothing_done(bot, slack)
    assert bot.sender.post(event_body("EvMine"), "application/json").status == 200
    slack.wait_for("chat.postMessage")  # the configured workspace is served
