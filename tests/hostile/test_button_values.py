"""Button values are checked against the record they name, not only for shape.

A button's value is an id anyone can put in a signed click of their own: "continue in a DM"
with someone else's answer, or "approve" on a request that never went to finance, or on
another request's post. Each is refused to the clicker alone, and nothing is recorded.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fake_slack import BOT_USER, FakeSlack
from slack_harness import APPROVER, FINANCE

from tests.support.block_kit import loaded
from tests.support.fixtures import Bot
from tests.support.forms import selected, typed


@pytest.fixture
def bot(start_bot, tmp_path) -> Bot:  # type: ignore[no-untyped-def]
    return start_bot(f"sqlite:///{tmp_path / 'state.db'}")


def form(amount: str, objective: str) -> dict[str, Any]:
    return {
        "objective": typed(objective),
        "phase": selected("production"),
        "environment": selected("on_prem"),
        "asset_type": selected("gpu_server"),
        "useful_life": typed("5", "number_input"),
        "amount": typed(amount, "number_input"),
        "currency": selected("USD"),
        "cost_center": typed("CC-410"),
    }


def file_request(bot: Bot, slack: FakeSlack, amount: str, objective: str) -> int:
    """File through /capex as UREQ1; the request's id once its receipt went out."""
    before = len(slack.of("chat.postMessage"))
    # counted before each request: the reply may be recorded before the request returns
    opens, homes = len(slack.of("views.open")), _homes_of(slack, "UREQ1")
    assert bot.sender.command("", user="UREQ1").status == 200
    opened = slack.wait_for("views.open", opens + 1)[-1]
    bot.sender.submit(loaded(opened.params["view"]), form(amount, objective), user="UREQ1")
    deadline = time.monotonic() + 10
    while _homes_of(slack, "UREQ1") == homes:  # the requester's App Home: the work's last call
        assert time.monotonic() < deadline, slack.summary()
        time.sleep(0.05)
    assert len(slack.of("chat.postMessage")) > before
    return next(r.id for r in bot.store.list_requests("UREQ1") if r.objective == objective)


def _homes_of(slack: FakeSlack, user: str) -> int:
    return len([c for c in slack.of("views.publish") if c.params.get("user_id") == user])


def refusal_for(slack: FakeSlack, user: str, count: int = 1) -> str:
    ephemeral = slack.wait_for("chat.postEphemeral", count)[-1]
    assert ephemeral.params["user"] == user
    return str(ephemeral.params["text"])


def test_continue_in_a_dm_with_someone_elses_answer_is_refused(bot: Bot, slack: FakeSlack) -> None:
    mention = {
        "type": "app_mention",
        "user": "UASKER",
        "channel": "C0GENERAL",
        "text": f"<@{BOT_USER}> we want to buy a GPU server for the payroll team",
        "ts": "1.1",
        "event_ts": "1.1",
    }
    bot.sender.event(mention)
    slack.wait_for("chat.postMessage")
    [asked] = bot.store.decisions(user_id="UASKER")
    reply = bot.sender.click(
        "continue_in_dm", str(asked.id), user="UINTRUDER", channel="C0GENERAL", message_ts="1.2"
    )
    assert reply.status == 200
    assert "someone else" in refusal_for(slack, "UINTRUDER")
    assert bot.store.decisions(user_id="UINTRUDER") == []
    assert [c.params["channel"] for c in slack.of("chat.postMessage")] == ["C0GENERAL"]
    # The asker still can.
    bot.sender.click(
        "continue_in_dm", str(asked.id), user="UASKER", channel="C0GENERAL", message_ts="1.2"
    )
    dm = slack.wait_for("chat.postMessage", 2)[1]
    assert dm.params["channel"] == "UASKER"


def test_a_request_never_posted_to_finance_cannot_be_approved(bot: Bot, slack: FakeSlack) -> None:
    small = file_request(bot, slack, "2000", "A monitor for the new hire")
    request = bot.store.get_request(small)
    assert request is not None and not request.needs_finance and request.finance_ts is None
    assert not [c for c in slack.of("chat.postMessage") if c.params["channel"] == FINANCE]
    for action in ("approve_request", "reject_request", "info_request"):
        bot.sender.click(action, str(small), user=APPROVER, channel=FINANCE, message_ts="9.9")
    assert "not sent to finance" in refusal_for(slack, APPROVER, 3)
    time.sleep(1.0)  # nothing else may follow
    after = bot.store.get_request(small)
    assert after is not None and after.status == "submitted"
    assert bot.store.approval_for(small) is None
    assert not slack.of("chat.update")


def test_approval_buttons_act_only_from_the_requests_own_finance_post(
    bot: Bot, slack: FakeSlack
) -> None:
    first = file_request(bot, slack, "120000", "Four GPU servers for inference")
    second = file_request(bot, slack, "150000", "A storage array for the data lake")
    posts = {r.id: r for r in map(bot.store.get_request, (first, second)) if r is not None}
    assert all(r.finance_ts for r in posts.values())
    # The first request's id, clicked on the second request's post (a forged or stale value).
    bot.sender.click(
        "approve_request",
        str(first),
        user=APPROVER,
        channel=FINANCE,
        message_ts=str(posts[second].finance_ts),
    )
    assert "not on the finance post" in refusal_for(slack, APPROVER)
    assert bot.store.approval_for(first) is None and not slack.of("chat.update")
    # From its own post it works.
    bot.sender.click(
        "approve_request",
        str(first),
        user=APPROVER,
        channel=FINANCE,
        message_ts=str(posts[first].finance_ts),
    )
    [update] = slack.wait_for("chat.update")
    assert update.params["ts"] == posts[first].finance_ts
    step = bot.store.timeline(first)[-1]
    assert (step.kind, step.role, step.user_id) == ("step_approved", "budget owner", APPROVER)
