"""US GAAP vs IFRS for an answer already given: its stored facts decided under both."""

from __future__ import annotations

from bot.app.access import Access
from bot.core.frameworks import SideBySide
from bot.errors import NotFound
from bot.service import Assistant
from bot.storage import Store


class Comparisons:
    def __init__(self, assistant: Assistant, store: Store, access: Access) -> None:
        self.assistant = assistant
        self.store = store
        self.access = access

    def side_by_side(self, decision_id: int, user: str, channel: str | None) -> SideBySide:
        """Decision ``decision_id`` under both frameworks, for ``user`` clicking in ``channel``.

        The stored facts are decided again, the framework set as a form sets it, so answers
        the checklist gathered keep every fact they were given.
        """
        record = self.store.get_decision(decision_id)
        answer = self.store.answer_of(decision_id) if record else None
        if record is None or answer is None:
            raise NotFound(f"no decision {decision_id}")
        self.access.check_shown_here(user, record.user_id, record.channel, channel)
        return self.assistant.compare_facts(answer.decision.facts)
