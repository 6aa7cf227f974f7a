"""The assistant as the surfaces use it: policy loaded once, answers built the same way everywhere.

The CLI, the terminal chat and the Slack app hold one :class:`Assistant` and call it; none of
them loads rules or builds decisions on their own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.config import Config
from bot.core import (
    Answer,
    Decision,
    Facts,
    Policy,
    Request,
    decide,
    decide_facts,
    load_policy,
    read_request,
)
from bot.core.facts import Fact, Framework, Source
from bot.core.frameworks import SideBySide, compare
from bot.core.parsing import is_policy_question
from bot.finance.impact import budget_impact
from bot.finance.schedule import start_month
from bot.retrieval.citations import citations_for, policy_answer
from bot.retrieval.expansion import expand_query
from bot.retrieval.knowledge import open_knowledge
from bot.retrieval.search import KnowledgeBase

if TYPE_CHECKING:
    from bot.llm import LanguageModel

log = logging.getLogger(__name__)


class Assistant:
    """Policy and policy index held once, answers built the same way everywhere.

    The index of the policy documents is opened by :meth:`open_knowledge`, the one step that
    may build it, which whoever wires the assistant takes before the first answer: each CLI
    command that answers, the Slack app at start (:func:`bot.slack.run.open_index`), the tests'
    fixtures. Or it is handed in already open (``knowledge``).
    """

    def __init__(
        self,
        config: Config,
        policy: Policy | None = None,
        knowledge: KnowledgeBase | None = None,
        llm: LanguageModel | None = None,
    ) -> None:
        self.config = config
        self.policy = policy if policy is not None else load_policy(config.rules_dir)
        self._knowledge = knowledge
        self._opened = knowledge is not None
        self._knowledge_lock = threading.Lock()
        if llm is None and config.llm_model:
            llm = _language_model(config)
        self.llm = llm

    def open_knowledge(
        self,
        *,
        build: bool = True,
        notify: Callable[[str], None] | None = log.info,
        progress: bool = False,
    ) -> KnowledgeBase:
        """Open the index of the configured policy documents under the data folder, building
        or refreshing it first when the documents changed or were never indexed (only changed
        documents are embedded again) unless ``build`` is False; ``notify`` hears that it does.

        Raises :class:`KnowledgeIndexMissing` or :class:`KnowledgeIndexUnusable`: a long-running
        app logs it and serves on, and :attr:`knowledge` loads the index again when next needed.
        """
        with self._knowledge_lock:
            self._opened = True
            self._knowledge = None
            self._knowledge = open_knowledge(
                self.config.knowledge_dir,
                self.config.data_dir,
                build=build,
                notify=notify,
                progress=progress,
            )
            return self._knowledge

    @property
    def knowledge(self) -> KnowledgeBase:
        """The index :meth:`open_knowledge` opened. After it failed, the index is loaded again
        here, never built: one that ``capexbot ingest`` rebuilt since serves without a restart.
        """
        with self._knowledge_lock:
            if self._knowledge is not None:
                return self._knowledge
            if not self._opened:  # a wiring mistake, not a state of the index
                raise RuntimeError("Assistant.open_knowledge() comes before the first answer")
            self._knowledge = open_knowledge(
                self.config.knowledge_dir, self.config.data_dir, build=False
            )
            return self._knowledge

    def answer(self, request: Request) -> Answer:
        """Decide a free-text or form request, citing the policy text behind the answer."""
        if self.llm is not None:  # the model may propose facts; the rules still decide
            decision = self.llm.decide(request, self.policy)
        else:
            decision = decide(request, self.policy)
        if decision.kind == "policy_question":
            return self._from_policy_text(decision, request.text)
        if self._undecided_policy_question(decision, request.text):
            return self.answer_policy_question(request.text)
        return self._finished(self._cited(decision, request.text))

    def answer_facts(self, facts: Facts) -> Answer:
        """Decide from facts gathered so far (the checklist's state)."""
        return self._finished(self._cited(decide_facts(facts, self.policy), ""))

    def answer_both(self, request: Request) -> SideBySide:
        """The request decided under US GAAP and under IFRS, and how the two differ."""
        us_gaap, ifrs = (
            self.answer(request.model_copy(update={"framework": framework}))
            for framework in (Framework.US_GAAP, Framework.IFRS)
        )
        return compare(us_gaap, ifrs, self.policy)

    def compare_facts(self, facts: Facts) -> SideBySide:
        """A decided request's facts (as stored) under both frameworks, as a form would set it."""
        us_gaap, ifrs = (
            self.answer_facts(facts.with_fact("framework", Fact(value=fw, source=Source.FORM)))
            for fw in (Framework.US_GAAP, Framework.IFRS)
        )
        return compare(us_gaap, ifrs, self.policy)

    def answer_policy_question(self, question: str) -> Answer:
        """Answer a question about the policy itself ("who approves $60k?") from its text."""
        facts = read_request(Request(text=question), self.policy)
        framework = facts.shared.get("framework")
        decision = Decision(
            kind="policy_question",
            verdict="needs_review",
            summary="",
            framework=framework.describe() if framework else self.policy.settings.framework.value,
            facts=facts,
            complete=False,
            rules_version=self.policy.version,
        )
        return self._from_policy_text(decision, question)

    def _undecided_policy_question(self, decision: Decision, text: str) -> bool:
        """ "How do we treat SaaS implementation costs?" names a purchase, so the rules try it,
        but no rule can decide it without facts the asker does not have: they want the policy."""
        return (
            decision.kind == "decision"
            and not decision.rules_fired
            and is_policy_question(text, self.policy)
        )

    def _finished(self, answer: Answer) -> Answer:
        """Year-one P&L of the CapEx lines; the model's wording when the LLM mode is on."""
        start = start_month(self.config.depreciation_start, datetime.now(UTC).date())
        finance = budget_impact(answer.decision, start, self.config.fiscal_year_start_month)
        answer = answer.model_copy(update={"finance": finance})
        return self.llm.phrase(answer) if self.llm is not None else answer

    def _cited(self, decision: Decision, text: str) -> Answer:
        """Cite the sections of the rules that fired, then what the request text finds."""
        knowledge = self.knowledge
        citations = []
        if decision.kind == "decision":
            query = expand_query(text, self.policy, decision.facts) if text.strip() else ""
            sections = [rule.section for rule in decision.rules_fired]
            citations = citations_for(knowledge, query, sections)
        return Answer(decision=decision, citations=citations, knowledge_version=knowledge.version)

    def _from_policy_text(self, decision: Decision, question: str) -> Answer:
        """The policy's own words answer it: they are the summary and the citations."""
        knowledge = self.knowledge
        query = expand_query(question, self.policy, decision.facts)
        summary, citations = policy_answer(knowledge, query)
        return Answer(
            decision=decision.model_copy(update={"summary": summary}),
            citations=citations,
            knowledge_version=knowledge.version,
        )


def _language_model(config: Config) -> LanguageModel | None:
    from bot.llm import language_model  # LangChain is imported only when a model is named

    return language_model(config)
