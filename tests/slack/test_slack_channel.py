"""Questions in a channel: answered in the thread, once, and only when Slack signed them."""

from __future__ import annotations

import json
import time

from fake_slack import BOT_USER, FakeSlack
from slack_harness import WATCHED, Running


def mention(text: str, ts: str = "1700000100.000100", user: str = "UASKER") -> dict:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": "C0GENERAL",
        "event_ts": ts,
    }


def blocks_text(call) -> str:  # type: ignore[no-untyped-def]
    blocks = call.params.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps(blocks)


def test_a_mention_is_answered_in_its_thread(bot: Running, slack: FakeSlack) -> None:
    reply = bot.sender.event(mention("is a $40k GPU server for our production inference CapEx?"))
    assert reply.status == 200
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["channel"] == "C0GENERAL"
    assert post.params["thread_ts"] == "1700000100.000100"
    text = blocks_text(post)
    assert "CapEx" in text and "OWNED-HARDWARE" in text  # verdict and the rule that fired
    assert "feedback_helpful" in text
    [record] = bot.store.decisions()
    assert (record.surface, record.user_id, record.verdict) == ("mention", "UASKER", "capex")


def test_a_retried_event_is_answered_once(bot: Running, slack: FakeSlack) -> None:
    event = mention("a $40k GPU server for production, 5 years")
    assert bot.sender.event(event, event_id="EvRETRY1").status == 200
    assert bot.sender.event(event, event_id="EvRETRY1", retry=1).status == 200
    assert bot.sender.event(event, event_id="EvRETRY1", retry=2).status == 200
    slack.wait_for("chat.postMessage")
    time.sleep(0.5)  # a second answer would have been posted by now
    assert len(slack.of("chat.postMessage")) == 1
    assert len(bot.store.decisions()) == 1


def test_a_bad_signature_is_refused(bot: Running, slack: FakeSlack) -> None:
    reply = bot.sender.event(mention("a $40k GPU server"), signature="v0=" + "0" * 64)
    assert reply.status == 401
    time.sleep(0.2)
    assert slack.of("chat.postMessage") == [] and bot.store.decisions() == []


def test_a_stale_timestamp_is_refused(bot: Running, slack: FakeSlack) -> None:
    reply = bot.sender.event(mention("a $40k GPU server"), timestamp=int(time.time()) - 10 * 60)
    assert reply.status == 401
    time.sleep(0.2)
    assert slack.of("chat.postMessage") == [] and bot.store.decisions() == []


def test_a_watched_channel_gets_answers_without_a_mention(bot: Running, slack: FakeSlack) -> None:
    base = {"type": "message", "channel": WATCHED, "channel_type": "channel", "user": "UASKER"}
    bot.sender.event({**base, "text": "good morning all", "ts": "1700000200.000001"})
    bot.sender.event(
        {**base, "text": "we pay $3,000 a month for cloud GPU hours", "ts": "1700000200.000002"}
    )
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000200.000002"
    assert "OpEx" in blocks_text(post)
    time.sleep(0.3)
    assert len(slack.of("chat.postMessage")) == 1  # small talk got no answer


def test_feedback_is_stored_with_the_decision(bot: Running, slack: FakeSlack) -> None:
    bot.sender.event(mention("is a $40k GPU server for production CapEx?"))
    slack.wait_for("chat.postMessage")
    [record] = bot.store.decisions()
    reply = bot.sender.click(
        "feedback_wrong", str(record.id), user="UASKER", channel="C0GENERAL", message_ts="1.1"
    )
    assert reply.status == 200
    slack.wait_for("views.open")  # what was expected (tests/slack/test_slack_review.py)
    assert [(f.user_id, f.value) for f in bot.store.feedback_for(record.id)] == [
        ("UASKER", "wrong")
    ]


def test_an_open_question_continues_in_a_dm(bot: Running, slack: FakeSlack) -> None:
    bot.sender.event(mention("we want to buy a GPU server"))
    [post] = slack.wait_for("chat.postMessage")
    assert "continue_in_dm" in blocks_text(post)
    [record] = bot.store.decisions()
    bot.sender.click(
        "continue_in_dm", str(record.id), user="UASKER", channel="C0GENERAL", message_ts="1.1"
    )
    posts = slack.wait_for("chat.postMessage", 2)
    dm = posts[1]
    assert dm.params["channel"] == "UASKER"
    assert "How much does it cost?" in blocks_text(dm)


def test_a_failure_in_the_background_is_told_to_the_user(
    bot: Running,
    slack: FakeSlack,
    assistant,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    def broken(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(assistant, "answer", broken)
    bot.sender.event(mention("is a $40k GPU server CapEx?", ts="1700000900.000001"))
    [post] = slack.wait_for("chat.postMessage")
    assert post.params["thread_ts"] == "1700000900.000001"
    assert "try again" in post.params["text"]
