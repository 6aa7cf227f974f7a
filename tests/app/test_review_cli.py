"""``capexbot review`` and ``capexbot replay`` through the installed command on a SQLite file:
list the flagged answers, record a verdict, export them, score the export with ``capexbot
eval``, and replay the store with a copy of the rules whose threshold is raised."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app.questions import Where
from bot.app.services import Services
from bot.config import Config
from bot.service import Assistant
from bot.storage import Store
from tests.app.conftest import APPROVER
from tests.conftest import RULES_DIR

CAPEXBOT = Path(sys.executable).parent / "capexbot"
ASKED = Where(user_id="UASKER", surface="mention", channel="C0GENERAL", thread_ts="1.1")


@pytest.fixture
def state(tmp_path: Path, assistant: Assistant) -> dict[str, int]:
    """Three answers on a SQLite file, two flagged as wrong: their decision ids."""
    store = Store.open(f"sqlite:///{tmp_path / 'capexbot.db'}")
    try:
        services = Services.build(Config(), assistant, store)
        ids = {}
        for name, question in (
            ("laptop", "a $8,000 laptop for the design team, 3 year life"),
            ("server", "we're buying a $40,000 GPU server for production inference, 5 year life"),
            ("cloud", "AWS bill for inference, $9,000 a month"),
        ):
            answer = services.questions.ask(question, ASKED)
            assert answer is not None
            ids[name] = answer.decision_id
        services.reviews.flag(ids["laptop"], "UASKER", "opex", "laptops are opex here")
        services.reviews.flag(ids["cloud"], "UOTHER")
    finally:
        store.close()
    return ids


@pytest.fixture
def run(tmp_path: Path, assistant: Assistant):  # type: ignore[no-untyped-def]
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
            timeout=180,
        )

    return capexbot


def test_review_list_record_export_and_eval(run, state: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    refused = run("review", "list", "--as", "UASKER")
    assert refused.returncode == 2 and "Only the approvers" in refused.stderr

    listed = run("review", "list", "--as", APPROVER)
    assert listed.returncode == 0, listed.stderr
    assert f"#{state['laptop']} " in listed.stdout and f"#{state['cloud']} " in listed.stdout
    assert f"#{state['server']} " not in listed.stdout
    assert "expected OpEx" in listed.stdout and "laptops are opex here" in listed.stdout

    no_reason = run(
        "review", "record", str(state["laptop"]), "opex", "--reason", " ", "--as", APPROVER
    )
    assert no_reason.returncode == 2 and "Say why" in no_reason.stderr
    recorded = run(
        "review",
        "record",
        str(state["laptop"]),
        "opex",
        "--reason",
        "below our line",
        "--as",
        APPROVER,
    )
    assert recorded.returncode == 0, recorded.stderr

    waiting = json.loads(run("review", "list", "--as", APPROVER, "--json").stdout)
    assert [item["decision_id"] for item in waiting] == [state["cloud"]]

    exported = run("review", "export", "--as", APPROVER, "-o", "corrections.jsonl")
    assert exported.returncode == 0, exported.stderr
    [line] = (tmp_path / "corrections.jsonl").read_text(encoding="utf-8").splitlines()
    case = json.loads(line)
    assert case["expected"] == "opex" and case["reason"] == "below our line"

    scored = run("eval", "corrections.jsonl", "--json")
    assert scored.returncode == 0, scored.stderr
    report = json.loads(scored.stdout)
    assert report["summary"]["cases"] == 1
    [result] = report["cases"]
    assert (result["expected"], result["verdict"], result["confident_wrong"]) == (
        "opex",
        "capex",
        True,
    )


def test_replay_with_a_raised_threshold(run, state: dict[str, int], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    proposed = tmp_path / "rules-proposed"
    shutil.copytree(RULES_DIR, proposed)
    policy_file = proposed / "policy.yaml"
    policy_file.write_text(
        policy_file.read_text(encoding="utf-8").replace(
            "\ncapitalization_threshold: 5000\n", "\ncapitalization_threshold: 10000\n"
        ),
        encoding="utf-8",
    )
    shown = run("replay", "--rules", str(proposed))
    assert shown.returncode == 0, shown.stderr
    assert f"#{state['laptop']} " in shown.stdout and f"#{state['server']} " not in shown.stdout
    assert "verdict: CapEx → OpEx" in shown.stdout and "BELOW-THRESHOLD" in shown.stdout
    assert "1 would change, 2 would not." in shown.stdout

    as_json = json.loads(run("replay", "--rules", str(proposed), "--json").stdout)
    assert [item["decision_id"] for item in as_json["changed"]] == [state["laptop"]]

    later = run("replay", "--rules", str(proposed), "--since", "2999-01-01")
    assert "Replayed 0 stored decisions" in later.stdout

    broken = tmp_path / "rules-broken"
    shutil.copytree(proposed, broken)
    (broken / "policy.yaml").write_text("capitalization_threshold: [\n", encoding="utf-8")
    failed = run("replay", "--rules", str(broken))
    assert failed.returncode == 2 and "are not valid" in failed.stderr
