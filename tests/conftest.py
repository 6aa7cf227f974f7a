"""Shared fixtures: the shipped example policy and paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core import Policy, load_policy

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(RULES_DIR)
