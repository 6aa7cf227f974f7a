"""Configuration mistakes, through the real command in a subprocess: each is one line on
stderr naming the variable and the fix, and the exit code is 2; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CAPEXBOT_", "SLACK_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": "xoxb-config-test",
            "SLACK_SIGNING_SECRET": "config-test-secret",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def a_file(tmp_path: Path) -> str:
    path = tmp_path / "not-a-folder"
    path.write_text("x")
    return str(path)


#: variable: a mistaken value (a callable of tmp_path where it needs a file), and the words
#: the line must carry.
MISTAKES = {
    "CAPEXBOT_DATA_DIR (a file)": ("CAPEXBOT_DATA_DIR", a_file, "is a file, not a folder"),
    "CAPEXBOT_DATA_DIR (under a file)": (
        "CAPEXBOT_DATA_DIR",
        lambda tmp: f"{a_file(tmp)}/data",
        "not a folder",
    ),
    "CAPEXBOT_DATA_DIR (cannot write)": (
        "CAPEXBOT_DATA_DIR",
        lambda tmp: "/proc/capexbot-data",
        "cannot write there",
    ),
    "CAPEXBOT_SPOOL_DIR (a file)": ("CAPEXBOT_SPOOL_DIR", a_file, "is a file, not a folder"),
    "CAPEXBOT_DEPRECIATION_START": (
        "CAPEXBOT_DEPRECIATION_START",
        lambda tmp: "2026-13",
        "this_month, next_month or a month as YYYY-MM",
    ),
    "CAPEXBOT_FISCAL_YEAR_START_MONTH": (
        "CAPEXBOT_FISCAL_YEAR_START_MONTH",
        lambda tmp: "July",
        "1 to 12",
    ),
    "CAPEXBOT_RECOVER_AFTER": ("CAPEXBOT_RECOVER_AFTER", lambda tmp: "-1", "greater than 0"),
    "CAPEXBOT_APPROVERS (retired)": (
        "CAPEXBOT_APPROVERS",
        lambda tmp: "UFIN,UCTRL",
        "approvers_by_role in rules/policy.yaml",
    ),
    "CAPEXBOT_LOG_LEVEL": ("CAPEXBOT_LOG_LEVEL", lambda tmp: "LOUD", "DEBUG, INFO"),
    "CAPEXBOT_PORT (not a number)": ("CAPEXBOT_PORT", lambda tmp: "http", "valid integer"),
    "CAPEXBOT_PORT (out of range)": ("CAPEXBOT_PORT", lambda tmp: "70000", "65535"),
    "CAPEXBOT_DATABASE_URL (not a URL)": (
        "CAPEXBOT_DATABASE_URL",
        lambda tmp: "postgres is on db1",
        "not a database URL",
    ),
    "CAPEXBOT_DATABASE_URL (no driver)": (
        "CAPEXBOT_DATABASE_URL",
        lambda tmp: "oracle+nodriver://u:secret@db/x",
        "no driver",
    ),
    "CAPEXBOT_DATABASE_URL (SQLite under a file)": (
        "CAPEXBOT_DATABASE_URL",
        lambda tmp: f"sqlite:///{a_file(tmp)}/capexbot.db",
        "not a folder",
    ),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_a_configuration_mistake_is_one_line_naming_the_variable(tmp_path: Path, case: str) -> None:
    name, value, words = MISTAKES[case]
    env = {"CAPEXBOT_DATA_DIR": str(tmp_path / "data"), name: value(tmp_path)}
    result = run_cli(env, "serve", "--http", "--port", "0")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith(name) and words in lines[0], lines
    assert "Traceback" not in result.stderr + result.stdout
    assert "secret" not in result.stderr


def test_check_needs_no_writable_data_folder(tmp_path: Path) -> None:
    """`capexbot check` reads the rules only: a data folder it would not write to is no
    mistake for it."""
    result = run_cli({"CAPEXBOT_DATA_DIR": a_file(tmp_path)}, "check")
    assert result.returncode == 0, result.stderr
