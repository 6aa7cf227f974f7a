"""The one root of the CapEx assistant's own errors.

Every error the project raises on purpose derives from :class:`CapexbotError`, so a surface
can tell "the bot refused, and says why" from a bug with one ``except``. The tree:

- ``CapexbotError``
  - ``NotFound``: no stored decision or budget request answers to the id given
  - ``NotAllowed``: the person may not do this (not an approver, their own request)
  - ``AlreadyDecided``: the budget request was approved or rejected before
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
