"""Corrections over loopback Slack: *Wrong* on an answer asks what was expected; the flagged
answer shows in the approver's App Home (not in anyone else's) and in ``capexbot review
list``; the approver's *Review* records the right verdict, and ``capexbot review export``
gives a file that ``capexbot eval`` scores."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from fake_slack import FakeSlack
from slack_harness import APPROVER, Running
from test_slack_channel import blocks_text, mention

from bot.service import Assistant
from tests.support.block_kit import loaded, view_problems
from tests.support.forms import selected, typed

CAPEXBOT = Path(sys.executable).parent / "capexbot"
NOTE = "laptops under <!channel> 10k are OpEx here <https://evil.example|see>"


def capexbot(database_url: str, assistant: Assistant, cwd: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAPEXBOT_", "SLACK_"))}
    env |= {
        "CAPEXBOT_DATA_DIR": str(assistant.config.data_dir),
        "CAPEXBOT_DATABASE_URL": database_url,
    }
    done = subprocess.run(
        [str(CAPEXBOT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def home_of(slack: FakeSlack, user: str, count: int) -> str:
    published = [c for c in slack.wait_for("views.publish", count) if c.params["user_id"] == user]
    view = loaded(published[-1].params["view"])
    assert view_problems(view) == []
    return json.dumps(view["blocks"])


def test_a_wrong_answer_reaches_the_approver_and_becomes_a_scored_case(
    bot: Running,
    slack: FakeSlack,
    database_url: str,
    assistant: Assistant,
    tmp_path: Path,
) -> None:
    bot.sender.event(mention("is a $8,000 laptop for the design team CapEx? 3 year life"))
    [answer] = slack.wait_for("chat.postMessage")
    assert "feedback_wrong" in blocks_text(answer)
    [record] = bot.store.decisions()
    assert record.verdict == "capex"

    # *Wrong*: the flag is recorded with the click, then a modal asks what was expected.
    bot.sender.click(
        "feedback_wrong", str(record.id), user="UASKER", channel="C0GENERAL", message_ts="1.1"
    )
    [opened] = slack.wait_for("views.open")
    modal = loaded(opened.params["view"])
    assert view_problems(modal) == [] and modal["callback_id"] == "feedback_wrong"
    assert [e.kind for e in bot.store.review_events(record.id)] == ["flagged"]
    assert [(f.user_id, f.value) for f in bot.store.feedback_for(record.id)] == [
        ("UASKER", "wrong")
    ]
    reply = bot.sender.submit(
        modal, {"expected": selected("opex"), "note": typed(NOTE)}, user="UASKER"
    )
    assert reply.status == 200
    [thanks] = slack.wait_for("chat.postEphemeral")
    assert thanks.params["user"] == "UASKER" and thanks.params["channel"] == "C0GENERAL"
    flagged = bot.store.review_events(record.id)[-1]
    assert (flagged.verdict, flagged.note) == ("opex", NOTE)

    # App Home: the approver sees it, escaped, with a Review button; the asker does not.
    bot.sender.event({"type": "app_home_opened", "user": "UASKER", "tab": "home"})
    assert "Flagged answers" not in home_of(slack, "UASKER", 1)
    bot.sender.event({"type": "app_home_opened", "user": APPROVER, "tab": "home"})
    home = home_of(slack, APPROVER, 2)
    assert "Flagged answers to review* (1)" in home and "review_answer" in home
    assert "laptop for the design team" in home and "expected *OpEx*" in home
    assert "&lt;!channel&gt;" in home and "<!channel>" not in home
    assert "<https://evil" not in home

    listed = capexbot(database_url, assistant, tmp_path, "review", "list", "--as", APPROVER)
    assert f"#{record.id} " in listed and "expected OpEx" in listed

    # The approver reviews it from App Home: a reason is required, and only approvers may.
    bot.sender.click(
        "review_answer", str(record.id), user=APPROVER, channel="D0HOME", message_ts="2.1"
    )
    review = loaded(slack.wait_for("views.open", 2)[1].params["view"])
    assert view_problems(review) == [] and review["callback_id"] == "review_answer"
    assert "&lt;!channel&gt;" in json.dumps(review) and "<!channel>" not in json.dumps(review)
    refused = bot.sender.submit(
        review, {"verdict": selected("opex"), "reason": typed("no")}, user="UASKER"
    )
    assert refused.json()["response_action"] == "errors"
    empty = bot.sender.submit(
        review, {"verdict": selected("opex"), "reason": typed("  ")}, user=APPROVER
    )
    assert empty.json()["errors"] == {"reason": "Say why: the reason is kept with the correction."}
    done = bot.sender.submit(
        review,
        {"verdict": selected("opex"), "reason": typed("Laptops are expensed (test policy)")},
        user=APPROVER,
    )
    assert done.status == 200
    assert "Flagged answers to review* (0)" in home_of(slack, APPROVER, 3)
    reviewed = bot.store.review_events(record.id)[-1]
    assert (reviewed.kind, reviewed.user_id, reviewed.verdict) == ("reviewed", APPROVER, "opex")

    capexbot(database_url, assistant, tmp_path, "review", "export", "--as", APPROVER)
    scored = json.loads(
        capexbot(database_url, assistant, tmp_path, "eval", "capexbot-corrections.jsonl", "--json")
    )
    [case] = scored["cases"]
    assert (case["id"], case["expected"], case["verdict"]) == (
        f"correction-{record.id}",
        "opex",
        "capex",
    )
    assert scored["summary"]["confident_wrong"] == 1


def test_a_wrong_click_too_late_to_ask_keeps_the_flag_and_says_so(
    bot: Running, slack: FakeSlack
) -> None:
    bot.sender.event(mention("is a $8,000 laptop for the design team CapEx? 3 year life"))
    slack.wait_for("chat.postMessage")
    [record] = bot.store.decisions()
    slack.fail_next("views.open", status=200, body={"ok": False, "error": "expired_trigger_id"})
    bot.sender.click(
        "feedback_wrong", str(record.id), user="UASKER", channel="C0GENERAL", message_ts="1.1"
    )
    [told] = slack.wait_for("chat.postEphemeral")
    assert told.params["text"] == "Thanks: finance will review this answer."
    assert [e.kind for e in bot.store.review_events(record.id)] == ["flagged"]


def test_a_forged_answer_id_is_refused_to_the_clicker_only(bot: Running, slack: FakeSlack) -> None:
    bot.sender.click(
        "feedback_wrong", "424242", user="UASKER", channel="C0GENERAL", message_ts="1.1"
    )
    [told] = slack.wait_for("chat.postEphemeral")
    assert told.params["user"] == "UASKER" and "no answer 424242" in told.params["text"]
    assert slack.of("views.open") == [] and bot.store.review_events() == []


def test_modals_that_name_no_answer_record_nothing(bot: Running, slack: FakeSlack) -> None:
    values = {"verdict": selected("opex"), "reason": typed("because")}
    for metadata in ("²", "", "12345678901", "1 OR 1=1"):
        view = {"type": "modal", "callback_id": "review_answer", "private_metadata": metadata}
        reply = bot.sender.submit(view, values, user=APPROVER)
        assert reply.status == 200 and reply.json()["response_action"] == "errors", metadata
    for metadata in ("", "{", '{"d": "x"}', "[]"):
        view = {"type": "modal", "callback_id": "feedback_wrong", "private_metadata": metadata}
        values = {"expected": selected("opex"), "note": typed("n")}
        assert bot.sender.submit(view, values, user="UASKER").status == 200
    time.sleep(1)
    assert bot.store.review_events() == [] and slack.of("chat.postEphemeral") == []
