"""Per-channel behaviour set in Slack: a finance admin sets a channel to answer mentions only,
every spend question, or nothing (`/capex channel mentions|all|off`); each change is stored,
append-only, with who and when; CAPEXBOT_WATCHED_CHANNELS stays the default."""

from __future__ import annotations

import time

import pytest
from fake_slack import FakeSlack
from slack_harness import CONTROLLER, WATCHED, Running
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from test_slack_channel import mention

ADMIN = CONTROLLER  # finance_admins in the example rules/policy.yaml
GENERAL = "C0GENERAL"
SPEND = "we pay $3,000 a month for cloud GPU hours"


def said(bot: Running, words: str, user: str = ADMIN, channel: str = GENERAL) -> str:
    reply = bot.sender.command(f"channel {words}".strip(), user=user, channel=channel)
    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    return str(body["text"])


def message(channel: str, words: str, ts: str) -> dict[str, str]:
    return {"type": "message", "channel": channel, "channel_type": "channel", "user": "UASKER",
            "text": words, "ts": ts}  # fmt: skip


def test_the_defaults_come_from_the_environment(bot: Running) -> None:
    assert "every spend question" in said(bot, "", channel=WATCHED)
    assert "(the default" in said(bot, "", channel=WATCHED)
    assert said(bot, "").startswith(f"In <#{GENERAL}> I answer when mentioned (the default")
    assert "in the channel you want" in said(bot, "", channel="D0DIRECT")


def test_only_finance_admins_change_a_channel(bot: Running) -> None:
    assert "Only the finance admins" in said(bot, "off", user="UASKER")
    assert bot.store.channel_mode(GENERAL) is None
    assert "not `loud`" in said(bot, "loud")
    assert bot.store.channel_mode(GENERAL) is None


def test_off_silences_even_mentions(bot: Running, slack: FakeSlack) -> None:
    assert said(bot, "OFF") == f"Done: in <#{GENERAL}> I now stay quiet, mentions included."
    bot.sender.event(mention("is a $40k GPU server CapEx?", "1700000300.000001"))
    time.sleep(1.5)
    assert not slack.of("chat.postMessage") and not slack.of("reactions.add")
    assert [r for r in bot.store.decisions()] == []
    assert f"as <@{ADMIN}> set on" in said(bot, "")


def test_all_answers_spend_questions_without_a_mention(bot: Running, slack: FakeSlack) -> None:
    said(bot, "all")
    bot.sender.event(message(GENERAL, "good morning all", "1700000300.000002"))
    bot.sender.event(message(GENERAL, SPEND, "1700000300.000003"))
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000300.000003"
    time.sleep(0.5)
    assert len(slack.of("chat.postMessage")) == 1  # small talk got no answer


def test_mentions_overrides_a_watched_channel_and_is_audited(
    bot: Running, slack: FakeSlack
) -> None:
    said(bot, "mentions", channel=WATCHED)
    said(bot, "all", channel=WATCHED)
    said(bot, "mentions", channel=WATCHED)
    bot.sender.event(message(WATCHED, SPEND, "1700000300.000004"))
    time.sleep(1.5)
    assert not slack.of("chat.postMessage")
    history = bot.store.channel_mode_history(WATCHED)
    assert [(h.mode, h.user_id) for h in history] == [
        ("mentions", ADMIN),
        ("all", ADMIN),
        ("mentions", ADMIN),
    ]
    assert all(h.at is not None for h in history)
    with pytest.raises(DBAPIError), bot.store.engine.begin() as conn:
        conn.execute(text("UPDATE channel_modes SET mode = 'off'"))
