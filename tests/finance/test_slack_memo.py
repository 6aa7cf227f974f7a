"""The Slack "Memo" button's work: the PDF memo uploaded where it was asked for, to the asker
and approvers only."""

from __future__ import annotations

import io
from typing import Any

from pypdf import PdfReader

from bot.config import Config
from bot.finance.slack import NOT_YOURS, send_memo
from bot.slack.blocks import feedback_actions
from bot.storage import Store

from .conftest import Clock, Filer


class RecordingSlack:
    """The WebClient methods the memo button calls, recording their arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def chat_postEphemeral(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("chat.postEphemeral", kwargs))
        return {"ok": True}

    def files_upload_v2(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("files.upload_v2", kwargs))
        return {"ok": True}


CONFIG = Config(approvers=["UCONTROLLER"])


def _send(store: Store, decision_id: int, user: str) -> RecordingSlack:
    slack = RecordingSlack()
    send_memo(
        store,
        CONFIG,
        slack,  # type: ignore[arg-type]
        decision_id=decision_id,
        user=user,
        channel="CGEN",
        thread_ts="1700000000.000100",
    )
    return slack


def test_the_answer_offers_the_memo() -> None:
    buttons = feedback_actions(12)["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons][-1] == ("decision_memo", "12")


def test_the_asker_gets_the_pdf_in_the_thread(filer: Filer, clock: Clock, store: Store) -> None:
    clock.set(2026, 5, 2)
    decision_id = filer.question("a $30k GPU server for production, 5 year life", user="UASK")
    ((method, args),) = _send(store, decision_id, "UASK").calls
    assert method == "files.upload_v2"
    assert (args["channel"], args["thread_ts"]) == ("CGEN", "1700000000.000100")
    assert args["filename"] == f"memo-decision-{decision_id}.pdf"
    text = PdfReader(io.BytesIO(args["file"])).pages[0].extract_text()
    assert f"Decision memo: decision {decision_id}" in text


def test_approvers_get_it_and_others_are_told_privately(
    filer: Filer, clock: Clock, store: Store
) -> None:
    clock.set(2026, 5, 2)
    decision_id = filer.question("a $30k GPU server for production, 5 year life", user="UASK")
    assert _send(store, decision_id, "UCONTROLLER").calls[0][0] == "files.upload_v2"
    ((method, args),) = _send(store, decision_id, "USTRANGER").calls
    assert method == "chat.postEphemeral"
    assert (args["user"], args["text"]) == ("USTRANGER", NOT_YOURS)
    ((method, args),) = _send(store, 999, "UASK").calls
    assert method == "chat.postEphemeral" and "cannot find" in args["text"]
