"""`capexbot chat` driven through a pipe, as a user at a terminal would, across two runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _chat(data_dir: Path, lines: str) -> str:
    env = {**os.environ, "CAPEXBOT_DATA_DIR": str(data_dir)}
    env.pop("CAPEXBOT_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--user", "ana"],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_the_checklist_in_the_terminal_survives_a_restart(tmp_path: Path) -> None:
    first = _chat(tmp_path, "we need $30,000 for a new project\n")
    assert "What is the money for?" in first and "1. Servers" in first
    second = _chat(tmp_path, "1\n")
    assert "Picking up where we left off" in second
    assert "Verdict:" in second or "?" in second.split("Picking up", 1)[1]
    assert (tmp_path / "capexbot.db").exists()


def test_quit_ends_the_session(tmp_path: Path) -> None:
    out = _chat(tmp_path, "quit\nwe need a GPU server\n")
    assert "How much" not in out
