"""The one root of the CapEx assistant's own errors.

Every error the project raises on purpose derives from :class:`CapexbotError`, so a surface
can tell "the bot refused, and says why" from a bug with one ``except``. The tree:

- ``CapexbotError``
  - ``NotFound`` (also a ``LookupError``): no stored decision or budget request has that id
  - ``NotAllowed``: the person may not do this (not an approver, their own request)
  - ``AlreadyDecided``: the budget request was approved or rejected before
  - ``bot.core.policy_loader.PolicyError``: ``rules/`` is not valid (each problem with its
    file, line and field)
  - ``bot.core.checklist.AnswerError`` (also a ``ValueError``): a checklist answer that does
    not fit the question
  - ``bot.evaluation.ScenarioFileError`` and ``bot.retrieval.evaluation.QueryFileError``
    (also ``ValueError``): a labelled scenario or query file that cannot be read
  - ``bot.retrieval.documents.DocumentError``: a policy document that cannot be read
  - ``bot.retrieval.knowledge.KnowledgeIndexMissing``: the policy index was never built
  - ``bot.retrieval.search.KnowledgeIndexUnusable``: the policy index is damaged or its
    Chroma server does not answer (``capexbot ingest --rebuild`` mends it)
  - ``bot.app.reviews.ReviewRefused`` (also a ``ValueError``): a review without a verdict or
    a reason
  - ``bot.storage.ConflictError`` (also a ``RuntimeError``): a checklist changed meanwhile
  - ``bot.storage.posts.NotHeld``: another replica took a work item over; this process stops
    posting for it
  - ``bot.llm.mode.LanguageModelError`` (also a ``RuntimeError``): the optional model failed
  - ``bot.slack.payloads.Malformed`` (also a ``ValueError``): a Slack payload the app never
    sends
"""

from __future__ import annotations


class CapexbotError(Exception):
    """An error the assistant raises on purpose; its message is fit to show a person."""


class NotFound(CapexbotError, LookupError):
    """No stored decision or budget request answers to the id given."""


class NotAllowed(CapexbotError):
    """The person asking may not do this; the message says why."""


class AlreadyDecided(CapexbotError):
    """The budget request was approved or rejected already (another click, another approver)."""

    def __init__(self, ref: str, outcome: str | None, approver: str | None) -> None:
        by = f" by {approver}" if approver else ""
        super().__init__(f"{ref} was already {outcome or 'decided'}{by}.")
        self.ref, self.outcome, self.approver = ref, outcome, approver
