"""The use cases on a real store (SQLite, and PostgreSQL when a server answers), no Slack."""

from __future__ import annotations

import pytest

from bot.app.services import Services
from bot.config import Config
from bot.service import Assistant
from bot.storage import Store

#: The holders of the example policy's approver roles (approvers_by_role in rules/policy.yaml).
APPROVER = "U0BUDGETOWNER"
SECOND_APPROVER = "U0FINPARTNER"
CONTROLLER = "U0CONTROLLER"
CFO = "U0CFO"


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    """One assistant for the session, with its own knowledge index, built here."""
    assistant = Assistant(Config(data_dir=tmp_path_factory.mktemp("knowledge-index")))
    assert assistant.open_knowledge().version
    return assistant


@pytest.fixture
def services(assistant: Assistant, store: Store) -> Services:
    return Services.build(Config(), assistant, store)
