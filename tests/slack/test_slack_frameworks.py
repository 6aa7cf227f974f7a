"""Answers in Slack carry what would change them, and a "US GAAP vs IFRS" button that
replies in the thread with both verdicts and what differs (issue 12 items 1 and 2)."""

from __future__ import annotations

import json
import time

from fake_slack import BOT_USER, FakeSlack
from slack_harness import APPROVER, Running

from tests.support.block_kit import message_problems

THREAD = "1700000300.000100"
SAAS = "SaaS implementation fee for our new ERP, $80,000 configuration by the vendor's partner"


def ask(bot: Running, slack: FakeSlack, text: str, channel: str = "C0GENERAL") -> int:
    bot.sender.event(
        {
            "type": "app_mention",
            "user": "UASKER",
            "text": f"<@{BOT_USER}> {text}",
            "ts": THREAD,
            "channel": channel,
            "event_ts": THREAD,
        }
    )
    slack.wait_for("chat.postMessage")
    [record] = bot.store.decisions()
    return record.id


def shown(call) -> str:  # type: ignore[no-untyped-def]
    blocks = call.params.get("blocks") or []
    return json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks, ensure_ascii=False)


def test_an_answer_says_what_would_change_it_and_offers_both_frameworks(
    bot: Running, slack: FakeSlack
) -> None:
    decision_id = ask(bot, slack, "a $40k GPU server for production inference, 5 year life")
    [answer] = slack.of("chat.postMessage")
    blocks = shown(answer)
    assert "What would change it:" in blocks
    assert "below USD 5,000 a unit: OpEx" in blocks
    assert f'"action_id": "compare_frameworks", "value": "{decision_id}"' in blocks


def test_the_button_replies_in_the_thread_with_both_verdicts_and_the_difference(
    bot: Running, slack: FakeSlack
) -> None:
    decision_id = ask(bot, slack, SAAS)
    reply = bot.sender.click(
        "compare_frameworks",
        str(decision_id),
        user="UCOLLEAGUE",  # anyone reading the thread may ask
        channel="C0GENERAL",
        message_ts="1700000300.000200",
        thread_ts=THREAD,
    )
    assert reply.status == 200
    _, posted = slack.wait_for("chat.postMessage", 2)
    assert posted.params["channel"] == "C0GENERAL"
    assert posted.params["thread_ts"] == THREAD
    blocks = shown(posted)
    assert "US GAAP: CapEx" in blocks and "IFRS: OpEx" in blocks
    assert "What differs" in blocks
    assert "SAAS-IMPLEMENTATION-US-GAAP" in blocks and "SAAS-CONFIGURATION-IFRS" in blocks
    assert "§7.4" in blocks
    assert message_problems(posted.params) == []


def test_an_owned_server_has_no_difference(bot: Running, slack: FakeSlack) -> None:
    decision_id = ask(bot, slack, "a $40k GPU server for production inference, 5 year life")
    bot.sender.click(
        "compare_frameworks",
        str(decision_id),
        user="UASKER",
        channel="C0GENERAL",
        message_ts="1700000300.000200",
        thread_ts=THREAD,
    )
    _, posted = slack.wait_for("chat.postMessage", 2)
    assert "Both frameworks treat every line alike" in shown(posted)


def test_an_answer_from_another_conversation_is_refused_to_others(
    bot: Running, slack: FakeSlack
) -> None:
    """A button's value is only an id: sent from elsewhere, it shows nothing to a stranger."""
    decision_id = ask(bot, slack, SAAS, channel="C0PRIVATE")
    for user, allowed in (("USTRANGER", False), (APPROVER, True)):
        slack.reset()
        bot.sender.click(
            "compare_frameworks",
            str(decision_id),
            user=user,
            channel="C0GENERAL",
            message_ts="1700000300.000200",
        )
        if allowed:
            [posted] = slack.wait_for("chat.postMessage")
            assert posted.params["thread_ts"] == "1700000300.000200"
        else:
            [refusal] = slack.wait_for("chat.postEphemeral")
            assert refusal.params["user"] == "USTRANGER"
            assert "not given in this conversation" in refusal.params["text"]
            time.sleep(0.3)
            assert slack.of("chat.postMessage") == []
