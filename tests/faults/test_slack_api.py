"""Slack's Web API failing: 429 waits as long as ``Retry-After`` says, 500/503 are retried,
and when Slack keeps failing the user still hears something, once."""

from __future__ import annotations

import time

from fake_slack import BOT_USER, FakeSlack

from bot.ops.metrics import SLACK_RETRIES
from bot.slack.failures import SORRY
from tests.support.fixtures import Bot

QUESTION = f"<@{BOT_USER}> is a $40k GPU server for production inference CapEx?"


def ask(bot: Bot, channel: str) -> None:
    event = {
        "type": "app_mention",
        "user": "UAPI",
        "channel": channel,
        "ts": "1.1",
        "text": QUESTION,
    }
    assert bot.sender.event(event).status == 200


def retries(reason: str) -> float:
    return SLACK_RETRIES.labels(reason)._value.get()  # type: ignore[attr-defined, no-any-return]


def test_a_rate_limited_post_waits_for_retry_after_and_is_sent_once(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot, before = start_bot(database_url), retries("rate_limited")
    slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "2"})
    ask(bot, "C0LIMITED")
    [limited, sent] = slack.wait_for("chat.postMessage", 2, timeout=20)
    assert (limited.status, sent.status) == (429, 200)
    assert sent.at - limited.at >= 2.0  # Slack's Retry-After was honoured
    assert "CapEx" in sent.params["text"]
    time.sleep(0.5)
    assert len(slack.delivered("chat.postMessage")) == 1
    assert retries("rate_limited") == before + 1


def test_server_errors_are_retried(start_bot, database_url: str, slack: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    bot, before = start_bot(database_url), retries("server_error")
    slack.fail_next("chat.postMessage", status=503, times=2)
    ask(bot, "C0FLAKY")
    calls = slack.wait_for("chat.postMessage", 3, timeout=20)
    assert [c.status for c in calls] == [503, 503, 200]
    assert "CapEx" in calls[-1].params["text"]
    assert retries("server_error") == before + 2


def test_when_slack_keeps_failing_the_user_is_still_told(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot = start_bot(database_url)
    slack.fail_next("chat.postMessage", status=500, times=5)  # the answer's 3 tries, then 2 more
    ask(bot, "C0DOWNSTREAM")
    calls = slack.wait_for("chat.postMessage", 6, timeout=30)
    assert [c.status for c in calls] == [500] * 5 + [200]
    assert calls[-1].params["text"] == SORRY  # the apology got through on its last try
    time.sleep(0.5)
    [item] = [w for w in [bot.ledger.work.get(k) for k in keys(bot)] if w]
    assert item.status == "failed" and len(slack.delivered("chat.postMessage")) == 1


def keys(bot: Bot) -> list[str]:
    from sqlalchemy import text

    with bot.store.engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT key FROM work_items"))]
