"""A budget request's whole life without Slack, through the installed ``capexbot`` command
and a SQLite file: file, refuse strangers and steps out of turn, approve step by step as the
example policy's approver roles, list, show, then memo, export, digest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.service import Assistant

CAPEXBOT = Path(sys.executable).parent / "capexbot"


@pytest.fixture
def run(tmp_path: Path, assistant: Assistant):  # type: ignore[no-untyped-def]
    """``capexbot ARGS`` in a fresh folder, on a fresh SQLite file; the knowledge index is
    the session's (built once by the ``assistant`` fixture)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CAPEXBOT_", "SLACK_"))
    }
    env |= {
        "CAPEXBOT_DATA_DIR": str(assistant.config.data_dir),
        "CAPEXBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'capexbot.db'}",
    }

    def capexbot(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CAPEXBOT), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return capexbot


FILE = [
    "request", "file",
    "--objective", "Two GPU servers for the production inference cluster",
    "--phase", "production",
    "--environment", "on_prem",
    "--asset-type", "gpu_server",
    "--life", "5",
    "--amount", "96,000",
    "--cost-center", "CC-410 Platform",
    "--expected", "96000",
    "--as", "UALICE",
]  # fmt: skip


def test_file_approve_and_report_without_slack(run) -> None:  # type: ignore[no-untyped-def]
    filed = run(*FILE)
    assert filed.returncode == 0, filed.stderr
    assert filed.stdout.startswith("Filed CX-00001: CapEx")
    assert "waiting for finance approval" in filed.stdout

    stranger = run("request", "decide", "CX-00001", "approve", "--as", "UBOB")
    assert stranger.returncode == 2 and "Only the approvers" in stranger.stderr
    early = run("request", "decide", "CX-00001", "approve", "--as", "U0CONTROLLER")
    assert early.returncode == 2 and "waits for the budget owner" in early.stderr

    step = run("request", "decide", "CX-1", "approve", "--as", "U0BUDGETOWNER", "--note", "in plan")
    assert step.returncode == 0, step.stderr
    assert step.stdout.strip() == (
        "CX-00001: waiting for finance approval (route controller); "
        "next: step 2 of 3: finance business partner"
    )
    assert run("request", "decide", "CX-1", "approve", "--as", "U0FINPARTNER").returncode == 0
    approved = run("request", "decide", "CX-1", "approve", "--as", "U0CONTROLLER")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith("CX-00001: approved")
    again = run("request", "decide", "CX-00001", "reject", "--as", "U0CONTROLLER")
    assert again.returncode == 2 and "already approved by U0CONTROLLER" in again.stderr

    listed = run("request", "list")
    assert listed.returncode == 0 and "CX-00001" in listed.stdout and "approved" in listed.stdout
    shown = json.loads(run("request", "show", "CX-00001", "--json").stdout)
    assert shown["status"] == "approved" and shown["approval"]["approver"] == "U0CONTROLLER"
    assert shown["form"]["amount"] == "96000" and shown["form"]["forecast"]["expected"] == "96000"
    assert [(e["kind"], e["role"]) for e in shown["timeline"]] == [
        ("submitted", None),
        ("step_approved", "budget owner"),
        ("step_approved", "finance business partner"),
        ("approved", "controller"),
    ]
    text = run("request", "show", "CX-00001").stdout
    assert "step_approved as budget owner by U0BUDGETOWNER: in plan" in text

    memo = run("memo", "CX-00001")
    assert memo.returncode == 0, memo.stderr
    assert "| Approval | approved by U0CONTROLLER on" in memo.stdout
    assert "## Approval steps (policy §10.1)" in memo.stdout
    assert "| 1 | budget owner | approved | U0BUDGETOWNER |" in memo.stdout
    assert "| 3 | controller | approved | U0CONTROLLER |" in memo.stdout
    assets = run("export", "--view", "assets")
    assert assets.returncode == 0, assets.stderr
    [row] = assets.stdout.splitlines()[1:]
    assert row.startswith("CX-00001,1,1,Servers and GPU/accelerator hardware,")
    month = datetime.now(UTC).strftime("%Y-%m")
    digest = run("digest", "--month", month)
    assert digest.returncode == 0, digest.stderr
    assert "96,000.00" in digest.stdout


def test_a_wrong_form_names_each_option(run) -> None:  # type: ignore[no-untyped-def]
    args = [*FILE]
    args[args.index("96,000")] = "-5"
    args[args.index("gpu_server")] = "spaceship"
    result = run(*args)
    assert result.returncode == 2
    assert "--amount: Enter an amount above zero." in result.stderr
    assert "--asset-type: Pick one of the listed asset types." in result.stderr
    assert run("request", "list").stdout.startswith("No budget requests yet")
