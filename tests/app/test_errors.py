"""Every error the bot raises on purpose shares one root, so a surface can catch them all."""

from __future__ import annotations

import pytest

from bot.core.checklist import AnswerError
from bot.core.policy_loader import PolicyError
from bot.errors import AlreadyDecided, CapexbotError, NotAllowed, NotFound
from bot.evaluation import ScenarioFileError
from bot.llm.mode import LanguageModelError
from bot.retrieval.documents import DocumentError
from bot.retrieval.evaluation import QueryFileError
from bot.retrieval.knowledge import KnowledgeIndexMissing
from bot.retrieval.search import KnowledgeIndexUnusable
from bot.slack.payloads import Malformed
from bot.storage import ConflictError


@pytest.mark.parametrize(
    "error",
    [
        AlreadyDecided,
        AnswerError,
        ConflictError,
        DocumentError,
        KnowledgeIndexMissing,
        KnowledgeIndexUnusable,
        LanguageModelError,
        Malformed,
        NotAllowed,
        NotFound,
        PolicyError,
        QueryFileError,
        ScenarioFileError,
    ],
)
def test_each_error_derives_from_the_root(error: type[Exception]) -> None:
    assert issubclass(error, CapexbotError)
