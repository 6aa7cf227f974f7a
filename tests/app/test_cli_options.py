"""The command line's shared options: the folders on every command, --version, and a bad
scenario file named by its line."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import app

runner = CliRunner()


def _commands(group: Any, prefix: str = "") -> dict[str, Any]:
    """Every command of the group and its subgroups, by its full name."""
    found: dict[str, Any] = {}
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[prefix + name] = command
    return found


def test_every_command_takes_the_three_folders() -> None:
    commands = _commands(typer.main.get_group(app))
    assert {"ask", "memo", "export", "digest", "request file", "request decide"} <= set(commands)
    for name, command in commands.items():
        options = {option for p in command.params for option in p.opts}
        assert {"--rules-dir", "--knowledge-dir", "--data-dir"} <= options, name


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"capexbot {version('capexbot')}\n"


def test_the_data_dir_option_names_the_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CAPEXBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CAPEXBOT_DATA_DIR", str(tmp_path / "not-this-one"))
    result = runner.invoke(app, ["request", "list", "--data-dir", str(tmp_path / "state")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("No budget requests yet")
    assert (tmp_path / "state" / "capexbot.db").is_file()
    assert not (tmp_path / "not-this-one").exists()


def test_a_bad_scenario_names_its_line_and_field(tmp_path: Path) -> None:
    scenarios = tmp_path / "set.jsonl"
    scenarios.write_text(
        '{"id": "a", "text": "a $40k GPU server", "expected": "capex"}\n'
        '{"id": "b", "text": "cloud GPU hours", "expected": "capx"}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["eval", str(scenarios)])
    assert result.exit_code == 2
    assert f"{scenarios}:2: expected: Input should be 'capex'" in result.output
    assert "pydantic.dev" not in result.output
    scenarios.write_text('{"id": "a",\n', encoding="utf-8")
    assert f"{scenarios}:1: not JSON" in runner.invoke(app, ["eval", str(scenarios)]).output
