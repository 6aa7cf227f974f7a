"""App Home for both sides, over loopback: requesters get a "New budget request" button, their
requests with status and their open checklist; approvers also get the requests whose step
waits for them, with working buttons, and this month's requested spend by budget bucket."""

from __future__ import annotations

import json
import time
from typing import Any

from fake_slack import TEAM, FakeSlack, trigger_id
from slack_harness import APPROVER, CFO, FIN_PARTNER, Running
from test_slack_intake import form, submit

from bot.slack.home_sections import SECTIONS


def home_of(bot: Running, slack: FakeSlack, user: str) -> str:
    """The home ``user`` sees on opening it, as JSON text."""
    before = len(slack.of("views.publish"))
    bot.sender.event(
        {"type": "app_home_opened", "user": user, "channel": "D0" + user, "tab": "home"}
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        mine = [c for c in slack.of("views.publish")[before:] if c.params["user_id"] == user]
        if mine:
            view = mine[-1].params["view"]
            return view if isinstance(view, str) else json.dumps(view)
        time.sleep(0.05)
    raise AssertionError(f"no home published for {user}: {slack.summary()}")


def click_in_home(bot: Running, user: str, action_id: str, value: str) -> Any:
    return bot.sender.interaction(
        {
            "type": "block_actions",
            "user": {"id": user, "team_id": TEAM},
            "container": {"type": "view", "view_id": "V0HOME"},
            "view": {"id": "V0HOME", "type": "home", "blocks": []},
            "trigger_id": trigger_id("home"),
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": value,
                         "action_ts": str(time.time())}],
        }
    )  # fmt: skip


def _cfo_request(bot: Running, slack: FakeSlack) -> int:
    submit(bot, slack, form(amount="300000"))
    slack.wait_for("chat.postMessage", 3)
    slack.wait_for("views.publish", 2)
    [request] = bot.store.list_requests("UREQ1")
    return request.id


def test_the_home_is_a_list_of_sections() -> None:
    names = [section.__name__ for section in SECTIONS]
    assert names[:2] == ["intro", "new_request"] and "approval_queue" in names


def test_a_requester_sees_the_button_and_their_requests(bot: Running, slack: FakeSlack) -> None:
    _cfo_request(bot, slack)
    home = home_of(bot, slack, "UREQ1")
    assert '"action_id": "open_intake"' in home and "New budget request" in home
    assert "CX-00001" in home and "waiting for finance approval" in home
    assert "Waiting for your approval" not in home and "by budget bucket" not in home
    # The button opens the one-page form.
    reply = click_in_home(bot, "UREQ1", "open_intake", "home")
    assert reply.status == 200
    [opened] = slack.wait_for("views.open")
    assert opened.ok and "capex_intake" in json.dumps(opened.params["view"])


def test_an_approver_sees_their_queue_and_the_months_buckets(
    bot: Running, slack: FakeSlack
) -> None:
    request_id = _cfo_request(bot, slack)
    home = home_of(bot, slack, APPROVER)
    assert "Waiting for your approval" in home and "CX-00001" in home
    assert "step 1 of 4: budget owner" in home and '"action_id": "approve_request"' in home
    assert "Platform build" in home and "300,000.00" in home
    assert "Nothing waits for you." in home_of(bot, slack, CFO)

    # Approving from the home moves the request to the next approver's home.
    slack.reset()
    assert click_in_home(bot, APPROVER, "approve_request", str(request_id)).status == 200
    [update] = slack.wait_for("chat.update")
    assert f"1. budget owner: <@{APPROVER}>" in json.dumps(update.params["blocks"])
    assert "step 2 of 4: finance business partner" in home_of(bot, slack, FIN_PARTNER)
    assert "Nothing waits for you." in home_of(bot, slack, APPROVER)

    # The CFO, out of turn, is told in a DM (a home has no channel for an ephemeral note).
    slack.reset()
    click_in_home(bot, CFO, "approve_request", str(request_id))
    [refusal] = slack.wait_for("chat.postMessage")
    assert (
        refusal.params["channel"] == CFO
        and "waits for the finance business partner" in (refusal.params["text"])
    )
    assert [e.kind for e in bot.store.timeline(request_id)] == ["submitted", "step_approved"]
