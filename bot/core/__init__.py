"""The decision core: facts, policy rules as data, verdicts with a trace. Free of Slack."""

from bot.core.answer import Answer
from bot.core.checklist import AnswerError, apply_answer
from bot.core.decide import Request, decide, decide_facts, read_request
from bot.core.decision import Decision
from bot.core.facts import Fact, Facts, Framework, Source
from bot.core.policy import Policy
from bot.core.policy_loader import PolicyError, load_policy

__all__ = [
    "Answer",
    "AnswerError",
    "Decision",
    "Fact",
    "Facts",
    "Framework",
    "Policy",
    "PolicyError",
    "Request",
    "Source",
    "apply_answer",
    "decide",
    "decide_facts",
    "load_policy",
    "read_request",
]
