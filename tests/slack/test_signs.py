"""A sign of life on a mention: a reaction within a second of the mention, taken off when the
answer posts, over loopback against the fake Web API (which keeps the reactions on messages)."""

from __future__ import annotations

import time

from fake_slack import FakeSlack
from slack_harness import Running
from test_slack_channel import mention

from bot.slack.signs import WORKING

TS = "1700000100.000100"
ON_IT = ("C0GENERAL", TS, WORKING)


def test_a_mention_gets_a_reaction_at_once_replaced_by_the_answer(
    bot: Running, slack: FakeSlack
) -> None:
    sent = time.monotonic()
    assert bot.sender.event(mention("is a $40k GPU server for production CapEx?", TS)).status == 200
    [added] = slack.wait_for("reactions.add")
    assert added.at - sent < 1.0, f"the reaction came {added.at - sent:.2f} s after the mention"
    assert (added.params["channel"], added.params["timestamp"], added.params["name"]) == ON_IT
    [answer] = slack.wait_for("chat.postMessage")
    [removed] = slack.wait_for("reactions.remove")
    assert added.at < answer.at <= removed.at and removed.ok
    assert slack.reactions == set()


def test_the_reaction_stays_while_the_answer_is_slow(bot: Running, slack: FakeSlack) -> None:
    slack.fail_next("chat.postMessage", status=429, headers={"Retry-After": "2"})
    sent = time.monotonic()
    bot.sender.event(mention("a $40k GPU server for production inference, 5 years", TS))
    [added] = slack.wait_for("reactions.add")
    assert added.at - sent < 1.0
    time.sleep(1.0)
    assert ON_IT in slack.reactions and not slack.delivered("chat.postMessage")
    slack.wait_for("reactions.remove", timeout=15)
    assert slack.delivered("chat.postMessage") and slack.reactions == set()


def test_a_retried_mention_gets_no_second_reaction(bot: Running, slack: FakeSlack) -> None:
    event = mention("a $40k GPU server for production, 5 years", TS)
    bot.sender.event(event, event_id="EvSIGN1")
    slack.wait_for("reactions.remove")
    bot.sender.event(event, event_id="EvSIGN1", retry=1)  # after the answer took it off
    time.sleep(0.5)
    assert len(slack.of("reactions.add")) == 1 and slack.reactions == set()
