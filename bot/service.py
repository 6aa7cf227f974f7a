"""The assistant as the surfaces use it: policy loaded once, answers built the same way everywhere.

The CLI, the terminal chat and the Slack app hold one :class:`Assistant` and call it; none of
them loads rules or builds decisions on their own.
"""

from __future__ import annotations

from bot.config import Config
from bot.core import Decision, Facts, Policy, Request, decide, decide_facts, load_policy


class Assistant:
    def __init__(self, config: Config, policy: Policy | None = None) -> None:
        self.config = config
        self.policy = policy if policy is not None else load_policy(config.rules_dir)

    def answer(self, request: Request) -> Decision:
        """Decide a free-text or form request."""
        return decide(request, self.policy)

    def answer_facts(self, facts: Facts) -> Decision:
        """Decide from facts gathered so far (the checklist's state)."""
        return decide_facts(facts, self.policy)
