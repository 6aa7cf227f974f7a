"""A crash between the acknowledgement and the answer: the answer still comes, once.

* A ``capexbot serve`` process is killed (SIGKILL) while its answer is on the wire to Slack
  (the fake Slack holds the call, then drops it); the restarted process answers, and the
  decision its first run recorded is not recorded twice.
* A delivery acknowledged by a process that died before starting on it is answered by the
  recovery sweep; one that keeps failing is given up, and the user told.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fake_slack import BOT_USER, FakeSlack

from bot.ops.context import serving
from bot.slack.recovery import GAVE_UP
from bot.storage import Store
from bot.storage.work import WorkItems
from tests.support.fixtures import Bot, example_index
from tests.support.replicas import replica_env, start_replica

QUESTION = f"<@{BOT_USER}> is a $40k GPU server for production inference CapEx?"


def mention(channel: str, ts: str) -> dict:
    return {"type": "app_mention", "user": "UCRASH", "channel": channel, "ts": ts, "text": QUESTION}


def answers(slack: FakeSlack, channel: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.delivered("chat.postMessage")
        if c.params.get("channel") == channel
    ]


def status(bot: Bot, key: str) -> str | None:
    item = bot.ledger.work.get(key)
    return item.status if item else None


def wait(check, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert check()


@pytest.mark.replicas
def test_a_process_killed_mid_answer_answers_after_restart(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    data = tmp_path / "index"
    shutil.copytree(example_index(), data)
    env = replica_env(slack.url, database_url, data, tmp_path / "spool")
    first = start_replica("crashing", env, tmp_path)
    try:
        slack.hold("chat.postMessage")
        assert first.sender.event(mention("C0KILL", "1.1"), event_id="EvKill").status == 200
        assert slack.holding("chat.postMessage")  # the answer is on its way to Slack
        first.kill()
    finally:
        slack.release()  # the held call is dropped: the answer never arrived
        first.kill()
    assert answers(slack, "C0KILL") == []
    store = Store.open(database_url)
    try:
        item = WorkItems(store.engine).get("event:EvKill")
        assert item is not None and item.status == "running"  # held by a dead process
        second = start_replica("restarted", env, tmp_path)
        try:
            wait(lambda: len(answers(slack, "C0KILL")) == 1, 30)
            time.sleep(1.0)
            assert len(answers(slack, "C0KILL")) == 1 and "CapEx" in answers(slack, "C0KILL")[0]
            assert len(store.decisions()) == 1  # the first run's decision, not a second one
            item = WorkItems(store.engine).get("event:EvKill")
            assert item is not None and (item.status, item.attempts) == ("done", 2)
        finally:
            assert second.stop() == 0
    finally:
        store.close()


def test_a_delivery_nobody_started_on_is_answered_by_the_sweep(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot: Bot = start_bot(database_url)
    body = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "event_id": "EvOrphan",
        "event": mention("C0ORPHAN", "2.1"),
    }
    with serving("orphanreq1"):
        bot.ledger.accept(body)  # acknowledged, then the process "died": no work started
    wait(lambda: len(answers(slack, "C0ORPHAN")) == 1, 15)
    [record] = bot.store.decisions()
    assert record.request_id == "orphanreq1"  # the original request id, kept across the replay
    wait(lambda: status(bot, "event:EvOrphan") == "done", 5)


def test_a_delivery_that_keeps_failing_is_given_up_and_the_user_told(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot: Bot = start_bot(database_url)
    body = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "event_id": "EvDoomed",
        "event": mention("C0DOOMED", "3.1"),
    }
    dying = WorkItems(bot.store.engine, lease=0.01)
    dying.accept("event:EvDoomed", "event", body, "doomedreq1")
    for _ in range(3):  # three processes took it, began the work and died
        time.sleep(0.05)
        assert dying.claim("event:EvDoomed") and dying.begin("event:EvDoomed")
    wait(lambda: GAVE_UP in answers(slack, "C0DOOMED"), 15)
    assert status(bot, "event:EvDoomed") == "failed"
    assert bot.store.decisions() == []
