"""/capex: the budget request modal, its submission, and help / status / list.

The modal is validated in the acknowledgement (errors shown by the field); classifying,
storing and posting happen in the lazy function after the modal has closed.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.deps import Deps
from bot.slack.durable import unavailable
from bot.slack.failures import apologises
from bot.slack.intake import CALLBACK_ID, IntakeForm, intake_modal, read_submission
from bot.slack.views import finance_blocks, list_blocks, receipt_blocks, status_blocks

log = logging.getLogger(__name__)

HELP = (
    "*/capex* opens the budget request form.\n"
    "*/capex list* shows your recent requests.\n"
    "*/capex status CX-00012* shows one request.\n"
    "To ask whether something is CapEx or OpEx, mention me in a channel or send me a DM."
)
RECORDS_DOWN = (
    "I cannot reach my records right now, so I cannot show your requests. Please try again in "
    "a minute; `/capex` on its own still opens the form."
)
_REF = re.compile(r"^(?:cx-?)?0*(\d{1,9})$", re.IGNORECASE)


def parse_ref(text: str) -> int | None:
    """``CX-00012``, ``cx-12`` and ``12`` all name request 12."""
    match = _REF.match(text.strip())
    return int(match.group(1)) if match else None


def _subcommand(command: dict[str, Any]) -> tuple[str, str]:
    words = (command.get("text") or "").strip().split(maxsplit=1)
    return (words[0].lower(), words[1] if len(words) > 1 else "") if words else ("", "")


def register(app: App, deps: Deps) -> None:
    store, policy = deps.store, deps.assistant.policy

    def capex_ack(ack: Ack, command: dict[str, Any]) -> None:
        try:
            _answer(ack, command)
        except Exception as exc:
            if not unavailable(exc):
                raise
            log.warning("/capex %s: database unreachable", _subcommand(command)[0])
            ack(text=RECORDS_DOWN, response_type="ephemeral")

    def _answer(ack: Ack, command: dict[str, Any]) -> None:
        sub, arg = _subcommand(command)
        user = command["user_id"]
        if sub in ("", "new"):
            ack()
        elif sub == "list":
            blocks = list_blocks(store.list_requests(user))
            ack(text="Your budget requests", blocks=blocks, response_type="ephemeral")
        elif sub == "status":
            ack(**_status(deps, user, arg), response_type="ephemeral")
        elif sub == "help":
            ack(text=HELP, response_type="ephemeral")
        else:
            ack(text=f"I do not know `/capex {sub}`.\n{HELP}", response_type="ephemeral")

    @apologises
    def open_modal(command: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if _subcommand(command)[0] in ("", "new"):
            client.views_open(
                trigger_id=command["trigger_id"],
                view=intake_modal(policy, command.get("channel_id")),
            )

    def submission_ack(ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        result = read_submission(view, policy)
        if isinstance(result, dict):
            ack(response_action="errors", errors=result)
        else:
            deps.ledger.accept(body)
            ack()

    @apologises
    @deps.once()
    def submit(
        view: dict[str, Any], body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        form = read_submission(view, policy)
        if isinstance(form, IntakeForm):
            file_request(
                deps, client, form, body["user"]["id"], view.get("private_metadata") or None
            )
            deps.publish_home(client, context.team_id, body["user"]["id"])

    app.command("/capex")(ack=capex_ack, lazy=[open_modal])
    app.view(CALLBACK_ID)(ack=submission_ack, lazy=[submit])


def _status(deps: Deps, user: str, arg: str) -> dict[str, Any]:
    request_id = parse_ref(arg)
    request = deps.store.get_request(request_id) if request_id is not None else None
    if request is None or (request.requester != user and user not in deps.config.approvers):
        return {"text": f"I found no request `{arg or '?'}` of yours. Try `/capex list`."}
    return {
        "text": f"Budget request {request.ref}",
        "blocks": status_blocks(request, deps.store.approval_for(request.id)),
    }


def file_request(
    deps: Deps, client: WebClient, form: IntakeForm, user: str, channel: str | None
) -> None:
    """Classify, store, send the receipt and, above the threshold, post for finance approval."""
    decision = deps.assistant.answer(form.to_request())
    decision_id = deps.store.record_decision(
        decision,
        surface="form",
        user_id=user,
        channel=channel,
        input_text=form.objective,
        input=form.stored(),
    )
    # A submission replayed after a crash finds the request its first run filed.
    request = deps.store.request_for_decision(decision_id) or deps.store.create_request(
        requester=user,
        objective=form.objective,
        cost_center=form.cost_center,
        form=form.stored(),
        decision_id=decision_id,
        decision=decision,
    )
    client.chat_postMessage(
        channel=user,
        text=f"Budget request {request.ref}: {decision.summary}",
        blocks=receipt_blocks(request, decision),
    )
    if not request.needs_finance:
        return
    finance = deps.config.finance_channel
    if not finance:
        log.warning("request %s needs finance approval but no finance channel is set", request.ref)
        return
    posted = client.chat_postMessage(
        channel=finance,
        text=f"Budget request {request.ref} needs approval",
        blocks=finance_blocks(request, decision),
    )
    deps.store.set_finance_message(request.id, posted["channel"], posted["ts"])
