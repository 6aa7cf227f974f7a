"""User text never becomes Slack markup, on any surface the app posts to.

The real listeners run over signed HTTP on loopback; every Web API call the fake Slack
recorded and every acknowledgement body is then read back. Hostile text goes in everywhere a
person can type (a mention, a watched channel, the DM checklist, the assistant pane, the
/capex form's objective and cost center, /capex status and unknown subcommands), and the
monthly digest of the finance channel shows the request it waits on; what comes
out must hold no mention, broadcast or link but the app's own, no bidi override or
zero-width character, and pass slack_sdk's Block Kit models and Slack's limits.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from fake_slack import FakeSlack
from slack_harness import APPROVER, CFO, CONTROLLER, FIN_PARTNER, FINANCE, WATCHED
from slack_requests import Reply
from slack_sdk import WebClient

from bot.core import Policy
from bot.finance.digest import build_digest
from bot.finance.slack import post_digest
from bot.service import Assistant
from tests.support.block_kit import loaded, message_problems, view_problems
from tests.support.fixtures import Bot
from tests.support.forms import selected, typed

CORPUS = [
    "<!channel>",
    "<!here|here>",
    "<https://evil.example/sso|Approve in the new finance portal>",
    "<@U123>",
    "<#C1>",
    "&lt;!everyone&gt;",
    "\u202etxt.exe",  # right-to-left override
    "Ap\u200bpro\u200dve\ufeff",  # zero-width space, joiner, byte-order mark
    "\u2066isolated\u2069 \u202aembedded\u202c",
]
HOSTILE = " ".join(CORPUS)
#: What a person may see as a live token: the app's own mentions of the people involved
#: (the requesters, and the approver roles' holders the finance post names as next).
ACTORS = {"UREQ1", "UBUYER", "UASKER", APPROVER, FIN_PARTNER, CONTROLLER, CFO}
ALLOWED = {f"<@{user}>" for user in ACTORS}
TOKEN = re.compile(r"<[^<>]*>")
DISGUISE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]")
#: Fields that are identifiers Slack never shows, not text.
IDS = {"channel", "user", "user_id", "ts", "thread_ts", "channel_id", "trigger_id", "token"}


def strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (field, string) in a payload, blocks and views included."""
    if isinstance(value, str):
        if key in ("blocks", "view", "prompts"):
            yield from strings(loaded(value), key)
        elif key not in IDS:
            yield key, value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from strings(item, name)


def markup_problems(where: str, payload: dict[str, Any]) -> list[str]:
    problems = []
    for key, text in strings(payload):
        for token in TOKEN.findall(text):
            if token not in ALLOWED:
                problems.append(f"{where} {key}: live {token!r} in {text[:120]!r}")
        if DISGUISE.search(text):
            problems.append(f"{where} {key}: invisible character in {text[:120]!r}")
    return problems


def settle(slack: FakeSlack, quiet: float = 1.5, timeout: float = 60.0) -> None:
    """Wait until the app has stopped calling the Web API for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        count = len(slack.calls)
        if count == seen:
            return
        seen = count
        time.sleep(quiet)
    raise AssertionError("the app kept calling Slack")


def hostile_form() -> dict[str, Any]:
    return {
        "objective": typed(f"GPU servers for production inference {HOSTILE}"),
        "phase": selected("production"),
        "environment": selected("on_prem"),
        "asset_type": selected("gpu_server"),
        "useful_life": typed("5", "number_input"),
        "amount": typed("120000", "number_input"),
        "currency": selected("USD"),
        "cost_center": typed("<!channel> <https://evil.example/sso|Approve> \u202eCC-410"),
        "forecast_conservative": typed("100000", "number_input"),
        "forecast_expected": typed("120000", "number_input"),
        "forecast_accelerated": typed(None, "number_input"),
    }


def event(text: str, ts: str, **fields: str) -> dict[str, Any]:
    return {"type": "message", "text": text, "ts": ts, "event_ts": ts, **fields}


def posted_to(slack: FakeSlack, channel: str, timeout: float = 30.0) -> Any:
    """The first message posted to ``channel``, once there is one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [c for c in slack.of("chat.postMessage") if c.params.get("channel") == channel]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing posted to {channel}: {slack.summary()}")


def buttons(call: Any) -> dict[str, tuple[str, str]]:
    found = {}
    for block in loaded(call.params.get("blocks")) or []:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["action_id"]] = (element["action_id"], element["value"])
    return found


@pytest.fixture
def bot(start_bot, tmp_path) -> Bot:  # type: ignore[no-untyped-def]
    return start_bot(f"sqlite:///{tmp_path / 'state.db'}")


def drive_every_surface(bot: Bot, slack: FakeSlack, policy: Policy) -> list[Reply]:
    """Hostile text through every listener; returns the acknowledgements with a body."""
    send, replies = bot.sender, []
    # A mention and a watched channel: answers in the thread, then "continue in a DM".
    send.event(
        event(f"<@UBOTCAPEX> we want to buy a GPU server {HOSTILE}", "1.1", channel="C0GENERAL")
        | {"type": "app_mention", "user": "UASKER"}
    )
    slack.wait_for("chat.postMessage")
    [asked] = bot.store.decisions(user_id="UASKER")
    send.click(
        "continue_in_dm", str(asked.id), user="UASKER", channel="C0GENERAL", message_ts="1.2"
    )
    send.event(
        event(f"a $40k GPU server for production {HOSTILE}", "2.1", channel=WATCHED, user="UASKER")
        | {"channel_type": "channel"}
    )
    settle(slack)
    watched = next(d for d in bot.store.decisions(user_id="UASKER") if d.channel == WATCHED)
    send.click(  # US GAAP vs IFRS, replied in the thread
        "compare_frameworks",
        str(watched.id),
        user="UASKER",
        channel=WATCHED,
        message_ts="2.2",
        thread_ts="2.1",
    )
    # The DM checklist: a question, a button answer, a typed answer, someone else's click.
    dm = {"channel": "D0BUYER", "channel_type": "im", "user": "UBUYER"}
    send.event(event(f"we need $30,000 for a new project {HOSTILE}", "3.1", **dm))
    question = posted_to(slack, "D0BUYER")
    answer = next(v for k, v in buttons(question).items() if k.startswith("checklist_answer"))
    send.click(*answer, user="UBUYER", channel="D0BUYER", message_ts="3.2")
    settle(slack)
    send.event(event(HOSTILE, "3.3", **dm))
    send.click(
        "checklist_restart", "dm:T0TEST:UBUYER", user="UASKER", channel="D0BUYER", message_ts="3.4"
    )
    # The assistant pane: greeting, status, the answer and the thread's title.
    thread = {"user_id": "UBUYER", "channel_id": "D0PANE", "thread_ts": "4.1"}
    send.event({"type": "assistant_thread_started", "assistant_thread": thread, "event_ts": "4.2"})
    send.event(
        event(
            f"is a $40k GPU server for production inference CapEx? {HOSTILE}",
            "4.3",
            channel="D0PANE",
            channel_type="im",
            user="UBUYER",
            thread_ts="4.1",
        )
    )
    # /capex: the form, the receipt, the finance post, App Home; status and unknown words.
    assert send.command("").status == 200
    [opened] = slack.wait_for("views.open")
    send.submit(loaded(opened.params["view"]), hostile_form(), user="UREQ1")
    slack.wait_for("views.publish")
    [request] = bot.store.list_requests("UREQ1")
    for text in (f"status {HOSTILE}", HOSTILE, "list", "status " + request.ref):
        replies.append(send.command(text, user="UREQ1"))
    # Finance: the monthly digest (the request waits, objective and all), then ask for
    # information and approve; the requester is told each time.
    settle(slack)
    posted = bot.store.get_request(request.id)
    assert posted is not None and posted.finance_ts is not None
    today = datetime.now(UTC).date()
    digest = build_digest(bot.store, policy, today, today, Decimal(5000))
    post_digest(WebClient(token="xoxb-test", base_url=slack.url), FINANCE, digest, chart=False)
    for action in ("info_request", "approve_request"):
        send.click(
            action, str(request.id), user=APPROVER, channel=FINANCE, message_ts=posted.finance_ts
        )
        settle(slack)
    send.event({"type": "app_home_opened", "user": "UBUYER", "channel": "D0BUYER", "tab": "home"})
    settle(slack)
    # Corrections: *Wrong* with a hostile note, the approver's App Home, their review.
    send.click(
        "feedback_wrong", str(asked.id), user="UASKER", channel="C0GENERAL", message_ts="1.3"
    )
    wrong = slack.wait_for("views.open", 2)[-1]
    values = {"expected": selected("opex"), "note": typed(HOSTILE)}
    send.submit(loaded(wrong.params["view"]), values, user="UASKER")
    settle(slack)
    send.event({"type": "app_home_opened", "user": APPROVER, "channel": "D0APPR", "tab": "home"})
    settle(slack)
    send.click("review_answer", str(asked.id), user=APPROVER, channel="D0APPR", message_ts="5.1")
    review = slack.wait_for("views.open", 3)[-1]
    values = {"verdict": selected("opex"), "reason": typed(HOSTILE)}
    replies.append(send.submit(loaded(review.params["view"]), values, user=APPROVER))
    settle(slack)
    assert [e.kind for e in bot.store.review_events(asked.id)] == ["flagged", "flagged", "reviewed"]
    return replies


def test_no_user_text_becomes_markup_and_every_payload_is_valid_block_kit(
    bot: Bot, slack: FakeSlack, assistant: Assistant
) -> None:
    replies = drive_every_surface(bot, slack, assistant.policy)
    methods = {c.method for c in slack.calls}
    assert {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.open",
        "views.publish",
        "assistant.threads.setTitle",
    } <= methods, methods
    problems: list[str] = []
    for call in slack.calls:
        problems += markup_problems(call.method, call.params)
        if call.method.startswith("chat."):
            problems += message_problems(call.params)
        if call.method.startswith("views."):
            problems += view_problems(loaded(call.params["view"]))
    for reply in replies:
        assert reply.status == 200
        body = reply.json() or {}
        problems += markup_problems("/capex ack", body)
        problems += message_problems(body)
    assert problems == []
    compared = [c for c in slack.of("chat.postMessage") if c.params.get("thread_ts") == "2.1"]
    assert any("*US GAAP vs IFRS*" in json.dumps(loaded(c.params["blocks"])) for c in compared)
    finance = [c for c in slack.of("chat.postMessage") if c.params["channel"] == FINANCE]
    assert len(finance) == 2  # the request's post and the digest
    shown = json.dumps(loaded(finance[0].params["blocks"]))
    assert "&amp;lt;!everyone&amp;gt;" in shown  # typed entities show as typed
    assert "&lt;!channel&gt;" in shown and "&lt;@U123&gt;" in shown
    [title] = slack.of("assistant.threads.setTitle")
    assert title.params["title"].endswith("CapEx? &lt;!chann")  # cut before it is escaped
