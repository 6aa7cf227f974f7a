"""A damaged policy index: the user gets a clear answer instead of silence or a stack trace,
the log says which command rebuilds it, and once it has run the same app answers again."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fake_slack import BOT_USER, FakeSlack

from bot.config import Config
from bot.service import Assistant
from bot.slack.failures import NO_INDEX
from bot.slack.run import open_index
from tests.support.fixtures import example_index


def mention(text: str, ts: str) -> dict:
    return {
        "type": "app_mention",
        "user": "UIDX",
        "channel": "C0IDX",
        "ts": ts,
        "text": f"<@{BOT_USER}> {text}",
    }


def test_a_damaged_index_is_told_and_rebuilt_by_the_command(
    start_bot, slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    shutil.copytree(example_index(), data)
    (data / "knowledge" / "chunks.json").write_text("{not json", encoding="utf-8")
    (data / "chroma" / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    answers = Assistant(Config(data_dir=data))
    with caplog.at_level(logging.ERROR):
        open_index(answers)  # as `capexbot serve` does at start: logged, then it serves anyway
    assert "capexbot ingest --rebuild" in caplog.text
    bot = start_bot(f"sqlite:///{tmp_path / 'state.db'}", answers=answers)

    caplog.clear()
    with caplog.at_level(logging.ERROR):
        bot.sender.event(mention("is a $40k GPU server for production CapEx?", "5.1"))
        [reply] = slack.wait_for("chat.postMessage")
    assert reply.params["text"] == NO_INDEX and reply.params["thread_ts"] == "5.1"
    assert "capexbot ingest --rebuild" in caplog.text
    assert bot.store.decisions() == []

    rebuilt = subprocess.run(
        [str(Path(sys.executable).parent / "capexbot"), "ingest", "--rebuild"],
        env={**os.environ, "CAPEXBOT_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert " 0 unchanged" in rebuilt.stdout  # everything embedded anew

    bot.sender.event(mention("is a $40k GPU server for production CapEx?", "5.2"))
    answer = slack.wait_for("chat.postMessage", 2)[1]
    assert answer.params["thread_ts"] == "5.2" and "CapEx" in answer.params["text"]
    [record] = bot.store.decisions()
    assert record.citations  # the policy text is cited again
