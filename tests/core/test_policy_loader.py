"""The rules folder: the shipped policy loads, and each kind of mistake names file, line, field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.core import PolicyError, load_policy
from tests.conftest import RULES_DIR


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(needle)


def test_shipped_policy_loads_with_a_content_version(policy) -> None:
    assert policy.settings.organisation.startswith("Halcyon")
    assert len(policy.rules) >= 20
    assert len(policy.version) == 16
    assert load_policy(RULES_DIR).version == policy.version


def test_unknown_fact_names_file_line_and_field(rules_copy: Path) -> None:
    rules = rules_copy / "rules.yaml"
    _replace(rules, "{fact: asset_type, equals: cloud_usage}", "{fact: asset_typo, equals: x}")
    with pytest.raises(PolicyError) as caught:
        load_policy(rules_copy)
    problem = caught.value.problems[0]
    assert problem.file.endswith("rules.yaml")
    assert problem.line == _line_of(rules, "asset_typo")
    assert problem.field.startswith("rules[") and problem.field.endswith("when.fact")
    assert "unknown fact 'asset_typo'" in problem.message


def test_bad_outcome_is_reported_at_its_line(rules_copy: Path) -> None:
    rules = rules_copy / "rules.yaml"
    _replace(rules, "    outcome: opex\n", "    outcome: maybe\n")
    with pytest.raises(PolicyError) as caught:
        load_policy(rules_copy)
    problem = caught.value.problems[0]
    assert problem.line == _line_of(rules, "outcome: maybe")
    assert problem.field.endswith(".outcome")


def test_unknown_asset_type_in_a_rule_is_caught_across_files(rules_copy: Path) -> None:
    rules = rules_copy / "rules.yaml"
    _replace(
        rules,
        "{fact: asset_type, equals: saas_subscription}",
        "{fact: asset_type, equals: saas_subscriptoin}",
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(rules_copy)
    messages = [str(p) for p in caught.value.problems]
    assert any("unknown asset type 'saas_subscriptoin'" in m for m in messages), messages
    assert any(f"rules.yaml:{_line_of(rules, 'saas_subscriptoin')}" in m for m in messages)


def test_an_absorbed_asset_type_must_exist(rules_copy: Path) -> None:
    policy_file = rules_copy / "policy.yaml"
    _replace(policy_file, "absorbs: [saas_implementation]", "absorbs: [saas_implementaton]")
    with pytest.raises(PolicyError) as caught:
        load_policy(rules_copy)
    messages = [str(p) for p in caught.value.problems]
    assert any("unknown asset type 'saas_implementaton'" in m for m in messages), messages
    assert any(f"policy.yaml:{_line_of(policy_file, 'saas_implementaton')}" in m for m in messages)


def test_yaml_syntax_error_names_the_line(rules_copy: Path) -> None:
    policy_file = rules_copy / "policy.yaml"
    _replace(policy_file, "base_currency: USD", "base_currency: [USD")
    with pytest.raises(PolicyError) as caught:
        load_policy(rules_copy)
    problem = caught.value.problems[0]
    assert problem.file.endswith("policy.yaml")
    assert "not valid YAML" in problem.message
    assert problem.line is not None and problem.line >= _line_of(policy_file, "base_currency")


def test_missing_file_is_named(rules_copy: Path) -> None:
    (rules_copy / "checklist.yaml").unlink()
    with pytest.raises(PolicyError) as caught:
        load_policy(rules_copy)
    assert any(
        p.file.endswith("checklist.yaml") and "missing" in p.message for p in caught.value.problems
    )


def test_check_command_exits_non_zero_with_the_location(rules_copy: Path) -> None:
    rules = rules_copy / "rules.yaml"
    _replace(rules, '    section: "3.2"\n', "    section: three\n")
    result = CliRunner().invoke(app, ["check", "--rules-dir", str(rules_copy)])
    assert result.exit_code == 2
    assert f"rules.yaml:{_line_of(rules, 'section: three')}" in result.output
    assert "section" in result.output


def test_check_command_passes_on_the_shipped_rules() -> None:
    result = CliRunner().invoke(app, ["check", "--rules-dir", str(RULES_DIR)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK")
