"""Each Slack post of a work item is made once, through crashes, lost answers and take-overs.

A process that dies around a post leaves one of three states, each tried here on SQLite and
PostgreSQL: the post intended and never sent (the replay sends it), the post in Slack but its
``ts`` never written down (the replay finds it by its metadata tag and does not post again),
and the post sent with Slack's answer lost on the wire (the same process finds it instead of
letting the client send it again). A budget request killed right after its finance post is
the original defect: posted to finance twice, with two live sets of buttons.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fake_slack import BOT_USER, FakeSlack
from slack_harness import FINANCE
from slack_sdk import WebClient

from bot.slack.posts import tag
from bot.storage import Store
from bot.storage.posts import WorkPosts
from bot.storage.work import WorkItems
from tests.faults.test_crash import answers, status, wait
from tests.support.fixtures import Bot, example_index
from tests.support.replicas import replica_env, start_replica

QUESTION = f"<@{BOT_USER}> is a $40k GPU server for production inference CapEx?"
FORM_VIEW = {"type": "modal", "callback_id": "capex_intake", "private_metadata": ""}
FORM = {
    "objective": {"value": {"type": "plain_text_input", "value": "Killed after its post"}},
    "phase": {"value": {"selected_option": {"value": "production"}}},
    "environment": {"value": {"selected_option": {"value": "on_prem"}}},
    "asset_type": {"value": {"selected_option": {"value": "gpu_server"}}},
    "useful_life": {"value": {"type": "number_input", "value": "5"}},
    "amount": {"value": {"type": "number_input", "value": "96000"}},
    "currency": {"value": {"selected_option": {"value": "USD"}}},
    "cost_center": {"value": {"type": "plain_text_input", "value": "CC-410"}},
}


def delivery(event_id: str, channel: str) -> dict:
    event = {"type": "app_mention", "user": "UONCE", "channel": channel, "ts": "5.1"}
    return {
        "type": "event_callback",
        "team_id": "T0TEST",
        "event_id": event_id,
        "event": {**event, "text": QUESTION},
    }


def died_around_its_post(bot: Bot, event_id: str, channel: str) -> str:
    """A process took the delivery, recorded that it was about to post the answer, and died
    (its lease runs out in a second). Returns the work item's key."""
    key = f"event:{event_id}"
    dead = WorkItems(bot.store.engine, lease=1.0)
    assert dead.accept(key, "event", delivery(event_id, channel), f"req{event_id}")
    assert dead.claim(key)
    posts = WorkPosts(bot.store.engine, owner=dead.owner)
    assert posts.intend(key, 1, "chat.postMessage", channel, "5.1") is None
    return key


def test_a_post_slack_took_before_the_process_died_is_found_not_posted_again(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot: Bot = start_bot(database_url)
    key = died_around_its_post(bot, "EvLanded", "C0LANDED")
    # Slack has the answer; the process died before it wrote its ts down.
    posted = WebClient(base_url=slack.url).chat_postMessage(
        channel="C0LANDED", thread_ts="5.1", text="the answer", metadata=tag(key, 1)
    )
    wait(lambda: status(bot, key) == "done", 20)
    assert answers(slack, "C0LANDED") == ["the answer"]  # not posted a second time
    assert slack.duplicates == []
    [post] = bot.ledger.posts.of(key)
    assert (post.ts, post.posted_channel) == (posted["ts"], "C0LANDED")
    lookups = slack.of("conversations.replies")
    assert lookups and lookups[0].params["include_all_metadata"] in ("1", "true", True)
    assert len(bot.store.decisions()) == 1  # the replay still recorded its decision once


def test_a_post_intended_and_never_sent_is_sent_once_by_the_replay(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot: Bot = start_bot(database_url)
    key = died_around_its_post(bot, "EvNeverSent", "C0NEVER")
    wait(lambda: status(bot, key) == "done", 20)
    [answer] = answers(slack, "C0NEVER")
    assert "CapEx" in answer and slack.duplicates == []
    [post] = bot.ledger.posts.of(key)
    [call] = slack.delivered("chat.postMessage")
    assert call.params["metadata"] == tag(key, 1)  # tagged, so a later replay can find it
    assert post.ts is not None and post.owner == bot.ledger.work.owner


def test_a_post_whose_answer_is_lost_on_the_wire_is_looked_for_not_sent_again(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot: Bot = start_bot(database_url)
    slack.hold("chat.postMessage", lands=True)  # Slack takes it, the answer never comes back
    event = {"type": "app_mention", "user": "UONCE", "channel": "C0LOST", "ts": "6.1"}
    assert bot.sender.event({**event, "text": QUESTION}, event_id="EvLost").status == 200
    assert slack.holding("chat.postMessage")
    slack.release()
    wait(lambda: status(bot, "event:EvLost") == "done", 20)
    assert len(answers(slack, "C0LOST")) == 1 and slack.duplicates == []
    [post] = bot.ledger.posts.of("event:EvLost")
    assert post.ts == slack.messages["C0LOST"][0]["ts"]


@pytest.mark.replicas
def test_a_budget_request_killed_right_after_its_finance_post_is_posted_once(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    data = tmp_path / "index"
    shutil.copytree(example_index(), data)
    env = replica_env(slack.url, database_url, data, tmp_path / "spool")
    first = start_replica("killed", env, tmp_path)
    try:
        # The receipt goes through; the finance post reaches Slack and the process dies
        # before it hears back.
        slack.hold("chat.postMessage", lands=True, where=lambda p: p.get("channel") == FINANCE)
        assert first.sender.submit(FORM_VIEW, FORM, user="UKILLED").status == 200
        assert slack.holding("chat.postMessage", timeout=60)
        first.kill()
    finally:
        slack.release()
        first.kill()
    store = Store.open(database_url)
    try:
        second = start_replica("restarted", env, tmp_path)
        try:
            wait(lambda: WorkItems(store.engine).backlog() == 0, 60)
            [request] = store.list_requests("UKILLED")
            finance = slack.messages[FINANCE]
            assert len(finance) == 1  # one finance post, so one live set of buttons
            assert request.finance_ts == finance[0]["ts"]  # the one the buttons act on
            receipts = slack.messages["DKILLED"]
            assert len(receipts) == 1 and request.ref in str(receipts[0]["text"])
            assert slack.duplicates == []
        finally:
            assert second.stop() == 0
    finally:
        store.close()
