"""Every use case, built once over one assistant and one store (the surfaces' wiring)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.app.access import Access
from bot.app.budget_requests import BudgetRequests
from bot.app.channels import Channels
from bot.app.comparisons import Comparisons
from bot.app.outputs import Outputs
from bot.app.questions import Questions
from bot.app.reviews import Reviews
from bot.config import Config
from bot.conversation import ConversationService
from bot.service import Assistant
from bot.storage import Store


@dataclass(frozen=True)
class Services:
    access: Access
    questions: Questions
    requests: BudgetRequests
    checklists: ConversationService
    outputs: Outputs
    comparisons: Comparisons
    reviews: Reviews
    channels: Channels

    @classmethod
    def build(cls, config: Config, assistant: Assistant, store: Store) -> Services:
        settings = assistant.policy.settings
        access = Access(settings.approvers_by_role, settings.finance_admins)
        questions = Questions(assistant, store)
        return cls(
            access=access,
            questions=questions,
            requests=BudgetRequests(questions, store, access),
            checklists=ConversationService(assistant, store),
            outputs=Outputs(store, access, assistant.policy, config),
            comparisons=Comparisons(assistant, store, access),
            reviews=Reviews(store, access),
            channels=Channels(store, access, config.watched_channels),
        )
