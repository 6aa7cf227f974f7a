"""Approvals as controls over loopback Slack: a request on the CFO route (USD 250,000 and
over, policy §10.1) is approved by the budget owner, the finance business partner, the
controller and the CFO in that order, and is not approved until the CFO has approved it,
whoever else clicked first."""

from __future__ import annotations

import json

from fake_slack import FakeSlack
from slack_harness import APPROVER, CFO, CONTROLLER, FIN_PARTNER, FINANCE, Running
from test_slack_intake import form, submit


def _click(bot: Running, request_id: int, ts: str, user: str, action: str = "approve") -> None:
    bot.sender.click(
        f"{action}_request", str(request_id), user=user, channel=FINANCE, message_ts=ts
    )


def test_the_cfo_route_waits_for_the_cfo_whoever_clicked_first(
    bot: Running, slack: FakeSlack
) -> None:
    submit(bot, slack, form(amount="300000"))
    slack.wait_for("chat.postMessage", 3)  # receipt, finance post, the budget owner's turn
    [request] = bot.store.list_requests("UREQ1")
    assert request.route == "cfo" and request.finance_ts
    ts = request.finance_ts
    post = next(c for c in slack.of("chat.postMessage") if c.params["channel"] == FINANCE)
    assert "1. budget owner: next" in json.dumps(post.params["blocks"])
    assert "4. CFO" in json.dumps(post.params["blocks"])

    # The CFO and the controller click first: refused, nothing recorded.
    _click(bot, request.id, ts, CFO)
    _click(bot, request.id, ts, CONTROLLER)
    refusals = slack.wait_for("chat.postEphemeral", 2)
    assert {r.params["user"] for r in refusals} == {CFO, CONTROLLER}
    assert all("waits for the budget owner" in r.params["text"] for r in refusals)
    assert [e.kind for e in bot.store.timeline(request.id)] == ["submitted"]

    updates = 0
    for user in (APPROVER, FIN_PARTNER, CONTROLLER):
        _click(bot, request.id, ts, user)
        updates += 1
        slack.wait_for("chat.update", updates)
        assert bot.store.approval_for(request.id) is None
        assert bot.store.get_request(request.id).status == "pending"
    last = json.dumps(slack.of("chat.update")[-1].params["blocks"])
    assert f"3. controller: <@{CONTROLLER}>" in last and f"4. CFO: next, <@{CFO}>" in last
    # receipt, finance post, then each role's turn told to its holder
    told = slack.wait_for("chat.postMessage", 6)
    cfo_turn = [c for c in told if c.params["channel"] == CFO]
    assert cfo_turn and "as CFO (step 4 of 4: CFO)" in cfo_turn[-1].params["text"]

    # The controller again, now that it is the CFO's turn: still not approved.
    _click(bot, request.id, ts, CONTROLLER)
    again = slack.wait_for("chat.postEphemeral", 3)[-1]
    assert again.params["user"] == CONTROLLER and "approved a step" in again.params["text"]
    assert bot.store.approval_for(request.id) is None

    _click(bot, request.id, ts, CFO)
    final = slack.wait_for("chat.update", updates + 1)[-1]
    assert "Approved" in json.dumps(final.params["blocks"])
    assert "approve_request" not in json.dumps(final.params["blocks"])
    approval = bot.store.approval_for(request.id)
    assert approval is not None and approval.approver == CFO
    assert bot.store.get_request(request.id).status == "approved"
    steps = [(e.step, e.role, e.user_id) for e in bot.store.timeline(request.id) if e.step]
    assert steps == [
        (1, "budget owner", APPROVER),
        (2, "finance business partner", FIN_PARTNER),
        (3, "controller", CONTROLLER),
        (4, "CFO", CFO),
    ]


def test_a_rejection_at_a_step_ends_the_route(bot: Running, slack: FakeSlack) -> None:
    submit(bot, slack, form(amount="300000"))
    slack.wait_for("chat.postMessage", 3)
    [request] = bot.store.list_requests("UREQ1")
    ts = request.finance_ts or ""
    _click(bot, request.id, ts, APPROVER)
    slack.wait_for("chat.update", 1)
    _click(bot, request.id, ts, FIN_PARTNER, "reject")
    rejected = json.dumps(slack.wait_for("chat.update", 2)[-1].params["blocks"])
    assert f"2. finance business partner: rejected by <@{FIN_PARTNER}>" in rejected
    assert "approve_request" not in rejected
    _click(bot, request.id, ts, CONTROLLER)
    refusal = slack.wait_for("chat.postEphemeral")[-1]
    assert "already rejected" in refusal.params["text"]
    assert bot.store.get_request(request.id).status == "rejected"
