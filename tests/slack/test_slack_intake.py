"""/capex: the modal, field errors, the classified request, finance approvals."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from fake_slack import FakeSlack
from slack_harness import APPROVER, CONTROLLER, FIN_PARTNER, FINANCE, Running

from tests.support.forms import selected, typed


def form(amount: str = "120000", **overrides: dict[str, Any]) -> dict[str, Any]:
    values = {
        "objective": typed("Four GPU servers for the production inference cluster"),
        "phase": selected("production"),
        "environment": selected("on_prem"),
        "asset_type": selected("gpu_server"),
        "useful_life": typed("5", "number_input"),
        "amount": typed(amount, "number_input"),
        "currency": selected("USD"),
        "cost_center": typed("CC-410 ML Platform"),
        "forecast_conservative": typed("100000", "number_input"),
        "forecast_expected": typed("120000", "number_input"),
        "forecast_accelerated": typed(None, "number_input"),
    }
    values.update(overrides)
    return values


def open_modal(bot: Running, slack: FakeSlack) -> dict[str, Any]:
    reply = bot.sender.command("")
    assert reply.status == 200 and reply.body == ""
    [call] = slack.wait_for("views.open")
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view


def submit(bot: Running, slack: FakeSlack, values: dict[str, Any], user: str = "UREQ1") -> Any:
    view = open_modal(bot, slack)
    slack.reset()
    return bot.sender.submit(view, values, user=user)


def test_capex_opens_the_budget_request_modal(bot: Running, slack: FakeSlack) -> None:
    view = open_modal(bot, slack)
    assert view["callback_id"] == "capex_intake"
    block_ids = {b["block_id"] for b in view["blocks"]}
    assert {
        "objective",
        "phase",
        "environment",
        "asset_type",
        "useful_life",
        "amount",
        "currency",
        "cost_center",
        "forecast_expected",
    } <= block_ids


def test_invalid_fields_come_back_next_to_the_field(bot: Running, slack: FakeSlack) -> None:
    reply = submit(bot, slack, form(amount="-5", currency=selected("XYZ"), cost_center=typed("")))
    assert reply.status == 200
    body = reply.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"amount", "currency", "cost_center"}
    assert bot.store.list_requests("UREQ1") == []


def test_a_request_above_the_threshold_goes_to_finance(bot: Running, slack: FakeSlack) -> None:
    reply = submit(bot, slack, form())
    assert reply.status == 200 and reply.body == ""
    posts = slack.wait_for("chat.postMessage", 2)
    receipt = next(p for p in posts if p.params["channel"] == "UREQ1")
    finance = next(p for p in posts if p.params["channel"] == FINANCE)
    assert "CX-00001" in receipt.params["text"]
    assert "approve_request" in json.dumps(finance.params["blocks"])
    slack.wait_for("views.publish")  # the last step: the requester's App Home lists it
    [request] = bot.store.list_requests("UREQ1")
    assert request.status == "pending" and request.verdict == "capex"
    assert request.finance_channel == FINANCE and request.finance_ts
    assert request.form.forecast.expected == Decimal(120000)


def test_a_small_request_is_recorded_without_finance(bot: Running, slack: FakeSlack) -> None:
    submit(bot, slack, form(amount="3000", asset_type=selected("computer")))
    [receipt] = slack.wait_for("chat.postMessage")
    assert receipt.params["channel"] == "UREQ1"
    slack.wait_for("views.publish")
    assert [p.params["channel"] for p in slack.of("chat.postMessage")] == ["UREQ1"]


def _filed(bot: Running, slack: FakeSlack, user: str = "UREQ1") -> tuple[int, str]:
    """A request on the controller route, posted; its first approver told (unless they filed
    it), and the App Homes refreshed, before the calls are forgotten."""
    submit(bot, slack, form(), user=user)
    told = 0 if user == APPROVER else 1
    slack.wait_for("chat.postMessage", 2 + told)
    slack.wait_for("views.publish", 1 + told)
    [request] = bot.store.list_requests(user)
    slack.reset()
    return request.id, request.finance_ts or ""


def _approve(bot: Running, slack: FakeSlack, request_id: int, ts: str, user: str) -> None:
    """One approver's click, and its work done (the post updated, the homes refreshed)."""
    before = len(slack.of("chat.update"))
    bot.sender.click("approve_request", str(request_id), user=user, channel=FINANCE, message_ts=ts)
    slack.wait_for("chat.update", before + 1)


def test_only_approvers_can_approve(bot: Running, slack: FakeSlack) -> None:
    request_id, ts = _filed(bot, slack)
    bot.sender.click(
        "approve_request", str(request_id), user="UINTRUDER", channel=FINANCE, message_ts=ts
    )
    [refusal] = slack.wait_for("chat.postEphemeral")
    assert refusal.params["user"] == "UINTRUDER" and "Only the approvers" in refusal.params["text"]
    assert bot.store.approval_for(request_id) is None
    assert slack.of("chat.update") == []


def test_an_approver_cannot_approve_their_own_request(bot: Running, slack: FakeSlack) -> None:
    request_id, ts = _filed(bot, slack, user=APPROVER)
    bot.sender.click(
        "approve_request", str(request_id), user=APPROVER, channel=FINANCE, message_ts=ts
    )
    [refusal] = slack.wait_for("chat.postEphemeral")
    assert refusal.params["user"] == APPROVER and "yourself" in refusal.params["text"]
    assert bot.store.approval_for(request_id) is None
    assert slack.of("chat.update") == []


def test_a_step_updates_the_post_and_tells_the_next_approver(
    bot: Running, slack: FakeSlack
) -> None:
    request_id, ts = _filed(bot, slack)
    bot.sender.click(
        "approve_request", str(request_id), user=APPROVER, channel=FINANCE, message_ts=ts
    )
    [update] = slack.wait_for("chat.update")
    assert update.params["ts"] == ts and update.params["channel"] == FINANCE
    steps = json.dumps(update.params["blocks"])
    assert f"1. budget owner: <@{APPROVER}>" in steps
    assert f"2. finance business partner: next, <@{FIN_PARTNER}>" in steps
    assert "approve_request" in steps  # the next approver presses the same buttons
    [note] = slack.wait_for("chat.postMessage")
    assert (
        note.params["channel"] == FIN_PARTNER and "finance business partner" in note.params["text"]
    )
    assert bot.store.approval_for(request_id) is None
    assert bot.store.get_request(request_id).status == "pending"


def test_the_last_step_approves_and_tells_the_requester(bot: Running, slack: FakeSlack) -> None:
    request_id, ts = _filed(bot, slack)
    for user in (APPROVER, FIN_PARTNER, CONTROLLER):
        _approve(bot, slack, request_id, ts, user)
    update = slack.of("chat.update")[-1]
    assert "Approved" in json.dumps(update.params["blocks"])
    assert "approve_request" not in json.dumps(update.params["blocks"])
    note = slack.wait_for("chat.postMessage", 3)[-1]
    assert note.params["channel"] == "UREQ1" and "approved" in note.params["text"]
    approval = bot.store.approval_for(request_id)
    assert approval is not None and approval.approver == CONTROLLER
    assert bot.store.get_request(request_id).status == "approved"
    roles = [e.role for e in bot.store.timeline(request_id)]
    assert roles == [None, "budget owner", "finance business partner", "controller"]


def test_a_second_click_records_no_second_step(bot: Running, slack: FakeSlack) -> None:
    request_id, ts = _filed(bot, slack)
    _approve(bot, slack, request_id, ts, APPROVER)
    bot.sender.click(
        "reject_request", str(request_id), user=APPROVER, channel=FINANCE, message_ts=ts
    )
    [ephemeral] = slack.wait_for("chat.postEphemeral")
    assert "You approved a step of CX-00001 already" in ephemeral.params["text"]
    assert len(slack.of("chat.update")) == 1
    assert [e.kind for e in bot.store.timeline(request_id)] == ["submitted", "step_approved"]


def test_ask_for_info_keeps_the_request_open(bot: Running, slack: FakeSlack) -> None:
    request_id, ts = _filed(bot, slack)
    bot.sender.click("info_request", str(request_id), user=APPROVER, channel=FINANCE, message_ts=ts)
    [update] = slack.wait_for("chat.update")
    assert "approve_request" in json.dumps(update.params["blocks"])
    [note] = slack.wait_for("chat.postMessage")
    assert note.params["channel"] == "UREQ1" and "more information" in note.params["text"]
    assert bot.store.get_request(request_id).status == "info_requested"


def test_help_list_and_status(bot: Running, slack: FakeSlack) -> None:
    assert "/capex list" in bot.sender.command("help").json()["text"]
    assert "no budget requests" in json.dumps(bot.sender.command("list").json())
    _filed(bot, slack)
    listing = json.dumps(bot.sender.command("list").json())
    assert "CX-00001" in listing
    status = json.dumps(bot.sender.command("status cx-1").json())
    assert "waiting for finance approval" in status
    other = bot.sender.command("status CX-00001", user="USTRANGER").json()
    assert "found no request" in other["text"]
    assert slack.of("views.open") == []


def test_two_approvers_clicking_at_once_record_one_decision(bot: Running, slack: FakeSlack) -> None:
    request_id, ts = _filed(bot, slack)
    clicks = [("approve_request", APPROVER), ("reject_request", APPROVER)] * 3
    with ThreadPoolExecutor(len(clicks)) as pool:
        replies = list(
            pool.map(
                lambda c: bot.sender.click(
                    c[0], str(request_id), user=c[1], channel=FINANCE, message_ts=ts
                ),
                clicks,
            )
        )
    assert all(r.status == 200 for r in replies)
    slack.wait_for("chat.postEphemeral", len(clicks) - 1)  # everyone else hears it was decided
    assert len(slack.of("chat.update")) == 1
    [_, step] = bot.store.timeline(request_id)
    assert (step.kind, step.step) in {("step_approved", 1), ("rejected", 1)}
