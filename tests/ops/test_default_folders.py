"""Where the policy and the state are when nothing is configured: a checkout's own top-level
folders; for an installed wheel, the policy it carries and the user's data folder (XDG base
directories). tests/packaging/test_wheel.py checks the same with a real wheel."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.config
from bot.config import PROJECT_ROOT, Config, installed


@pytest.fixture(autouse=True)
def unset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CAPEXBOT_RULES_DIR", "CAPEXBOT_KNOWLEDGE_DIR", "CAPEXBOT_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)


def test_a_checkout_reads_and_keeps_everything_in_its_own_folders() -> None:
    config = Config()
    assert not installed()  # no bot/defaults in a checkout: the wheel build adds it
    assert config.rules_dir == PROJECT_ROOT / "rules"
    assert config.knowledge_dir == PROJECT_ROOT / "knowledge"
    assert config.data_dir == PROJECT_ROOT / "data"


@pytest.mark.parametrize(
    ("xdg_data_home", "state"),
    [
        ("/srv/people/ana/data", Path("/srv/people/ana/data/capexbot")),
        ("relative/data", None),  # the XDG specification ignores a relative path
        ("", None),
    ],
)
def test_an_installed_package_keeps_its_state_in_the_users_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, xdg_data_home: str, state: Path | None
) -> None:
    packaged = tmp_path / "site-packages" / "bot" / "defaults"
    packaged.mkdir(parents=True)
    monkeypatch.setattr(bot.config, "BUNDLED_DEFAULTS", packaged)  # where a wheel has it
    monkeypatch.setenv("XDG_DATA_HOME", xdg_data_home)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = Config()
    assert installed()
    assert config.rules_dir == packaged / "rules"
    assert config.knowledge_dir == packaged / "knowledge"
    assert config.data_dir == (state or tmp_path / "home" / ".local" / "share" / "capexbot")

    monkeypatch.setenv("CAPEXBOT_DATA_DIR", str(tmp_path / "mine"))
    assert Config().data_dir == tmp_path / "mine"  # the environment still wins
