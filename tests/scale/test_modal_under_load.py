"""`/capex` opens its modal in time with a backlog of answers: 300 mentions are acknowledged
(their CPU-bound answers queue up), then `/capex` comes; its `views.open` must reach Slack
well within the trigger's 3 s (the fake Web API refuses an expired trigger as Slack does)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from fake_slack import BOT_USER, TEAM, TRIGGER_SECONDS, FakeSlack

from tests.support.fixtures import Bot

BACKLOG = 300


def backlog(bot: Bot, slack: FakeSlack) -> None:
    """300 mentions acknowledged, their answers queued behind one another."""

    def mention(n: int) -> int:
        event = {
            "type": "app_mention",
            "user": "UBUSY",
            "channel": "C0BUSY",
            "ts": f"1700004000.{n:06d}",
            "text": f"<@{BOT_USER}> is a ${n + 2},000 GPU server for production CapEx?",
        }
        return bot.sender.event(event, event_id=f"EvBacklog{n}").status

    with ThreadPoolExecutor(16) as pool:
        assert set(pool.map(mention, range(BACKLOG))) == {200}
    answered = len(slack.of("chat.postMessage"))
    assert answered < BACKLOG / 2, "the backlog drained before the command came: no test"


def test_the_modal_opens_in_time_behind_300_queued_answers(
    start_bot, tmp_path, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot: Bot = start_bot(f"sqlite:///{tmp_path / 'state.db'}", slack_team_id=TEAM)
    backlog(bot, slack)
    assert bot.sender.command("").status == 200
    [opened] = slack.wait_for("views.open", timeout=TRIGGER_SECONDS + 2)
    assert opened.ok, "views.open came after the trigger expired"
    assert opened.trigger_age is not None and opened.trigger_age < 1.0
    slack.wait_for("chat.postMessage", count=BACKLOG, timeout=240)  # let the backlog drain


def test_wrong_asks_in_time_behind_300_queued_answers(
    start_bot, tmp_path, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    """*Wrong* opens its modal from the quick lane too: its trigger expires like /capex's."""
    bot: Bot = start_bot(f"sqlite:///{tmp_path / 'state.db'}", slack_team_id=TEAM)
    backlog(bot, slack)
    first = slack.wait_for("chat.postMessage")[0]
    [answer] = bot.store.decisions(limit=1)
    assert len(slack.of("chat.postMessage")) < BACKLOG / 2, "the backlog drained: no test"
    reply = bot.sender.click(
        "feedback_wrong",
        str(answer.id),
        user="UBUSY",
        channel="C0BUSY",
        message_ts=first.params.get("thread_ts") or "1.1",
    )
    assert reply.status == 200
    [opened] = slack.wait_for("views.open", timeout=TRIGGER_SECONDS + 2)
    assert opened.ok, "views.open came after the trigger expired"
    assert opened.trigger_age is not None and opened.trigger_age < 1.0
    slack.wait_for("chat.postMessage", count=BACKLOG, timeout=240)  # let the backlog drain
