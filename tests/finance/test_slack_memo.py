"""The "Memo" button's work: the memo of a decision, to the asker and approvers only.

Who may have it is decided in the application layer (:class:`bot.app.outputs.Outputs`), the
same for every surface; the Slack listener only uploads what it gets.
"""

from __future__ import annotations

import pytest

from bot.app.access import NOT_YOURS, Access
from bot.app.outputs import Outputs
from bot.config import Config
from bot.core import Policy
from bot.errors import NotAllowed, NotFound
from bot.slack.blocks import feedback_actions
from bot.storage import Store

from .conftest import Clock, Filer

CONFIG = Config()


def _outputs(store: Store, policy: Policy) -> Outputs:
    return Outputs(store, Access(policy.settings.approvers_by_role), policy, CONFIG)


def test_the_answer_offers_the_memo() -> None:
    buttons = feedback_actions(12)["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons][-1] == ("decision_memo", "12")


def test_the_asker_gets_the_memo(filer: Filer, clock: Clock, store: Store, policy: Policy) -> None:
    clock.set(2026, 5, 2)
    decision_id = filer.question("a $30k GPU server for production, 5 year life", user="UASK")
    memo = _outputs(store, policy).memo_for(decision_id, "UASK")
    assert memo.name == f"memo-decision-{decision_id}"
    assert memo.pdf().startswith(b"%PDF-")
    assert f"# Decision memo: decision {decision_id}" in memo.markdown()


def test_approvers_get_it_and_others_are_refused(
    filer: Filer, clock: Clock, store: Store, policy: Policy
) -> None:
    clock.set(2026, 5, 2)
    decision_id = filer.question("a $30k GPU server for production, 5 year life", user="UASK")
    outputs = _outputs(store, policy)
    assert outputs.memo_for(decision_id, "U0CONTROLLER").name == f"memo-decision-{decision_id}"
    with pytest.raises(NotAllowed, match=NOT_YOURS):
        outputs.memo_for(decision_id, "USTRANGER")
    with pytest.raises(NotFound, match="no decision 999"):
        outputs.memo_for(999, "UASK")
