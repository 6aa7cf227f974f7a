"""The knowledge commands through typer's CliRunner: ingest, search, eval-retrieval, ask, check."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from tests.conftest import RULES_DIR
from tests.retrieval.conftest import KNOWLEDGE_DIR, QUERIES


@pytest.fixture
def shipped_env(shipped_data: Path) -> dict[str, str]:
    return {"CAPEXBOT_DATA_DIR": str(shipped_data), "CAPEXBOT_KNOWLEDGE_DIR": str(KNOWLEDGE_DIR)}


def test_ingest_reports_what_it_did_and_skips_bad_files(tmp_path: Path, acme_dir: Path) -> None:
    (acme_dir / "scan.pdf").write_bytes(b"%PDF-1.4 broken")
    env = {"CAPEXBOT_DATA_DIR": str(tmp_path / "data")}
    first = CliRunner().invoke(app, ["ingest", "--knowledge-dir", str(acme_dir)], env=env)
    assert first.exit_code == 0, first.output
    assert "skipped scan.pdf: cannot be parsed" in first.stderr
    assert "1 added" in first.stdout and "6 chunks, 6 embedded" in first.stdout

    env["CAPEXBOT_KNOWLEDGE_DIR"] = str(acme_dir)  # the environment variable works as well
    second = CliRunner().invoke(app, ["ingest"], env=env)
    assert second.exit_code == 0, second.output
    assert "1 unchanged" in second.stdout and "0 embedded" in second.stdout


def test_ingest_refuses_a_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ingest", "--knowledge-dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "is not a folder" in result.output


def test_search_prints_source_section_text_and_score(shipped_env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["search", "who approves 60k", "--k", "3", "--json"], env=shipped_env
    )
    assert result.exit_code == 0, result.output
    results = json.loads(result.stdout)
    assert len(results) == 3
    assert set(results[0]) == {"source", "section", "text", "score"}
    assert any(r["section"].endswith("10.1 Approval thresholds and routes") for r in results)

    text = runner.invoke(app, ["search", "savings plan", "--mode", "keyword"], env=shipped_env)
    assert text.exit_code == 0 and text.stdout.startswith("1. ")


def test_eval_retrieval_json_has_summary_and_ranked_cases(shipped_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["eval-retrieval", str(QUERIES), "--json"], env=shipped_env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    summary = report["summary"]
    assert {"recall_at_1", "recall_at_3", "recall_at_5", "mrr"} <= set(summary)
    assert summary["recall_at_3"] >= 0.95
    case = report["cases"][0]
    assert {"id", "expected", "retrieved"} <= set(case)
    assert len(case["retrieved"]) == 10 and " › " in case["retrieved"][0]

    text = CliRunner().invoke(app, ["eval-retrieval", str(QUERIES)], env=shipped_env)
    assert "hybrid: recall@1" in text.stdout


def test_eval_retrieval_names_the_bad_line(tmp_path: Path, shipped_env: dict[str, str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "query": "x", "expected": ["1.1"]}\n{"id": "b"}\n')
    result = CliRunner().invoke(app, ["eval-retrieval", str(bad)], env=shipped_env)
    assert result.exit_code == 2 and "bad.jsonl:2" in result.output


def test_ask_json_carries_citations_and_the_knowledge_version(shipped_env: dict[str, str]) -> None:
    text = "We're buying a $40,000 GPU server for production inference, 5 year life"
    result = CliRunner().invoke(app, ["ask", "--json", text], env=shipped_env)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["citations"][0]["section"].endswith("5.1 Owned hardware, servers and GPUs")
    assert answer["knowledge_version"]

    shown = CliRunner().invoke(app, ["ask", text], env=shipped_env)
    assert "Policy text:" in shown.stdout and "capitalization-policy.md ›" in shown.stdout


def test_ask_on_a_fresh_data_folder_indexes_first(tmp_path: Path, acme_dir: Path) -> None:
    env = {"CAPEXBOT_DATA_DIR": str(tmp_path / "data"), "CAPEXBOT_KNOWLEDGE_DIR": str(acme_dir)}
    result = CliRunner().invoke(app, ["ask", "what is our capitalization threshold?"], env=env)
    assert result.exit_code == 0, result.output
    assert "Indexing the policy documents" in result.stderr
    assert "EUR 2,500" in result.stdout


def test_check_passes_on_the_shipped_rules_and_policy() -> None:
    result = CliRunner().invoke(app, ["check", "--rules-dir", str(RULES_DIR)])
    assert result.exit_code == 0, result.output
    assert "sections the rules cite exist" in result.stdout


def test_check_fails_when_a_rule_cites_a_missing_section(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    rules_file = rules / "rules.yaml"
    text = rules_file.read_text(encoding="utf-8")
    assert '    section: "5.1"\n' in text
    rules_file.write_text(text.replace('    section: "5.1"\n', '    section: "5.9"\n', 1))
    line = next(n for n, row in enumerate(rules_file.read_text().splitlines(), 1) if '"5.9"' in row)
    result = CliRunner().invoke(app, ["check", "--rules-dir", str(rules)])
    assert result.exit_code == 2
    assert f"rules.yaml:{line}:" in result.stderr
    assert "cites §5.9" in result.stderr


def test_check_fails_against_a_policy_folder_without_the_cited_sections(acme_dir: Path) -> None:
    result = CliRunner().invoke(
        app, ["check", "--rules-dir", str(RULES_DIR), "--knowledge-dir", str(acme_dir)]
    )
    assert result.exit_code == 2
    assert "cites §8.4" in result.stderr or "cites §7.1" in result.stderr
