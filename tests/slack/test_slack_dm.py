"""DMs: the checklist with buttons, resumed after a restart; the assistant pane; App Home."""

from __future__ import annotations

import json
from typing import Any

from fake_slack import FakeSlack
from slack_harness import Running


def dm(text: str, ts: str, user: str = "UBUYER", thread_ts: str | None = None) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": "D0BUYER",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def blocks_of(call) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    blocks = call.params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def buttons(call) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """label → (action_id, value) of the checklist buttons in a posted message."""
    found = {}
    for block in blocks_of(call):
        for element in block.get("elements", []):
            if element.get("type") == "button":
                found[element["text"]["text"]] = (element["action_id"], element["value"])
    return found


def test_the_dm_checklist_asks_with_buttons_and_finishes(bot: Running, slack: FakeSlack) -> None:
    bot.sender.event(dm("we need $30,000 for a new project", "1700000300.000001"))
    [question] = slack.wait_for("chat.postMessage")
    assert question.params["channel"] == "D0BUYER"
    assert "What is the money for?" in json.dumps(blocks_of(question))
    action_id, value = buttons(question)["Servers, GPUs or other hardware we buy"]
    bot.sender.click(
        action_id, value, user="UBUYER", channel="D0BUYER", message_ts="1700000300.000002"
    )
    [update] = slack.wait_for("chat.update")
    assert "Servers, GPUs" in json.dumps(blocks_of(update))  # the answer replaces the buttons
    assert not any(b.get("type") == "actions" for b in blocks_of(update))
    posts = slack.wait_for("chat.postMessage", 2)
    assert posts[1].params["channel"] == "D0BUYER"
    assert "What is the money for?" not in json.dumps(blocks_of(posts[1]))
    assert bot.store.decisions(user_id="UBUYER")[0].input["answer"].startswith("Servers")


def test_someone_else_cannot_answer_my_checklist(bot: Running, slack: FakeSlack) -> None:
    bot.sender.event(dm("we need $30,000 for a new project", "1700000301.000001"))
    [question] = slack.wait_for("chat.postMessage")
    action_id, value = next(iter(buttons(question).values()))
    bot.sender.click(action_id, value, user="UOTHER", channel="D0BUYER", message_ts="1.1")
    [refusal] = slack.wait_for("chat.postEphemeral")
    assert "someone else" in refusal.params["text"]


def test_the_checklist_resumes_after_the_app_restarts(start_bot, slack: FakeSlack) -> None:  # type: ignore[no-untyped-def]
    first = start_bot()
    first.sender.event(dm("we want to buy a GPU server", "1700000400.000001"))
    [question] = slack.wait_for("chat.postMessage")
    assert "How much does it cost?" in json.dumps(blocks_of(question))
    first.stop()

    second = start_bot()  # a new process on the same database
    second.sender.event(dm("about $40,000", "1700000400.000002"))
    posts = slack.wait_for("chat.postMessage", 2)
    answer = json.dumps(blocks_of(posts[1]))
    assert "CapEx" in answer and "How much does it cost?" not in answer
    state = second.store.get_conversation("dm:T0TEST:UBUYER")
    assert state is not None and state.status == "done"


def test_start_over_and_cancel_buttons(bot: Running, slack: FakeSlack) -> None:
    bot.sender.event(dm("we want to buy a GPU server", "1700000500.000001"))
    [question] = slack.wait_for("chat.postMessage")
    controls = buttons(question)
    bot.sender.click(*controls["Start over"], user="UBUYER", channel="D0BUYER", message_ts="1.1")
    posts = slack.wait_for("chat.postMessage", 2)
    assert "cleared" in json.dumps(blocks_of(posts[1]))
    bot.sender.click(*controls["Cancel"], user="UBUYER", channel="D0BUYER", message_ts="1.1")
    posts = slack.wait_for("chat.postMessage", 3)
    assert "cancelled" in json.dumps(blocks_of(posts[2]))


def test_the_assistant_pane_runs_the_same_checklist(bot: Running, slack: FakeSlack) -> None:
    thread = {"user_id": "UBUYER", "channel_id": "D0BUYER", "thread_ts": "1700000600.000001"}
    bot.sender.event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": thread,
            "event_ts": "1700000600.000002",
        }
    )
    [prompts] = slack.wait_for("assistant.threads.setSuggestedPrompts")
    assert prompts.params["thread_ts"] == "1700000600.000001"
    bot.sender.event(
        dm("we want to buy a GPU server", "1700000600.000003", thread_ts="1700000600.000001")
    )
    [status] = slack.wait_for("assistant.threads.setStatus")
    assert status.params["status"]
    posts = slack.wait_for("chat.postMessage", 2)
    assert posts[1].params["thread_ts"] == "1700000600.000001"
    assert "How much does it cost?" in json.dumps(blocks_of(posts[1]))
    slack.wait_for("assistant.threads.setTitle")
    state = bot.store.get_conversation("thread:T0TEST:D0BUYER:1700000600.000001")
    assert state is not None and state.status == "active"


def test_app_home_shows_how_to_and_my_requests(bot: Running, slack: FakeSlack) -> None:
    bot.sender.event(
        {"type": "app_home_opened", "user": "UBUYER", "channel": "D0BUYER", "tab": "home"}
    )
    [publish] = slack.wait_for("views.publish")
    view = publish.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert publish.params["user_id"] == "UBUYER" and view["type"] == "home"
    assert "/capex" in json.dumps(view) and "no budget requests" in json.dumps(view)
