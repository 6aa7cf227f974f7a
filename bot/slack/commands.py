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

from bot.app.budget_requests import Shown
from bot.core.budget import BudgetForm, parse_ref
from bot.core.channels import MODE_LABELS, parse_mode
from bot.errors import NotAllowed, NotFound
from bot.slack.approvals import post_blocks, tell_next
from bot.slack.deps import Deps
from bot.slack.durable import unavailable
from bot.slack.escaping import slack_escape
from bot.slack.failures import apologises
from bot.slack.intake import CALLBACK_ID, intake_modal, read_submission
from bot.slack.views import list_blocks, receipt_blocks, status_blocks

log = logging.getLogger(__name__)

HELP = (
    "*/capex* opens the budget request form.\n"
    "*/capex list* shows your recent requests.\n"
    "*/capex status CX-00012* shows one request.\n"
    "*/capex channel* says how I behave in this channel; finance admins change it with "
    "*/capex channel mentions*, *all* (every spend question) or *off*.\n"
    "To ask whether something is CapEx or OpEx, mention me in a channel or send me a DM."
)
RECORDS_DOWN = (
    "I cannot reach my records right now, so I cannot show your requests. Please try again in "
    "a minute; `/capex` on its own still opens the form."
)


#: A public or private channel's id; modes are set for channels, not DMs.
_CHANNEL = re.compile(r"^[CG][A-Z0-9]{2,}$")


def _subcommand(command: dict[str, Any]) -> tuple[str, str]:
    words = (command.get("text") or "").strip().split(maxsplit=1)
    return (words[0].lower(), words[1] if len(words) > 1 else "") if words else ("", "")


def register(app: App, deps: Deps) -> None:
    policy = deps.policy

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
            blocks = list_blocks(deps.app.requests.mine(user))
            ack(text="Your budget requests", blocks=blocks, response_type="ephemeral")
        elif sub == "status":
            ack(**_status(deps, user, arg), response_type="ephemeral")
        elif sub == "channel":
            ack(text=_channel(deps, command, arg), response_type="ephemeral")
        elif sub == "help":
            ack(text=HELP, response_type="ephemeral")
        else:
            ack(
                text=f"I do not know `/capex {slack_escape(sub)}`.\n{HELP}",
                response_type="ephemeral",
            )

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
        if isinstance(form, BudgetForm):
            file_request(
                deps,
                client,
                form,
                body["user"]["id"],
                view.get("private_metadata") or None,
                context.team_id,
            )
            deps.publish_home(client, context.team_id, body["user"]["id"])

    def open_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """App Home's "New budget request": the form opens at once (its trigger id expires
        in 3 s, so not behind the answers queued for the background workers)."""
        ack()
        try:
            client.views_open(trigger_id=body["trigger_id"], view=intake_modal(policy, None))
        except Exception:
            log.exception("could not open the budget request form from App Home")

    app.command("/capex")(ack=capex_ack, lazy=[open_modal])
    app.action("open_intake")(open_from_home)
    app.view(CALLBACK_ID)(ack=submission_ack, lazy=[submit])


def _status(deps: Deps, user: str, arg: str) -> dict[str, Any]:
    request_id = parse_ref(arg)
    try:
        if request_id is None:
            raise NotFound(arg)
        shown = deps.app.requests.status_for(request_id, user)
    except (NotFound, NotAllowed):
        shown_arg = slack_escape(arg) or "?"
        return {"text": f"I found no request `{shown_arg}` of yours. Try `/capex list`."}
    return {
        "text": f"Budget request {shown.request.ref}",
        "blocks": status_blocks(shown.request, shown.approval),
    }


def _channel(deps: Deps, command: dict[str, Any], arg: str) -> str:
    """``/capex channel [mentions|all|off]``: say the channel's mode, or set it."""
    channel = command.get("channel_id") or ""
    if not _CHANNEL.match(channel):  # a DM, or not an id Slack issues
        return "Type `/capex channel` in the channel you want to see or set."
    try:
        if arg.strip():
            mode = parse_mode(arg)
            if mode is None:
                return f"I know `mentions`, `all` and `off`, not `{slack_escape(arg.strip())}`."
            setting = deps.app.channels.set(channel, command["user_id"], mode)
            return f"Done: in <#{channel}> I now {MODE_LABELS[setting.mode]}."
    except NotAllowed as exc:
        return str(exc)
    setting = deps.app.channels.mode_of(channel)
    how = MODE_LABELS[setting.mode]
    if setting.user_id is None:
        return f"In <#{channel}> I {how} (the default; a finance admin can change it)."
    when = f"{setting.at:%Y-%m-%d}" if setting.at else "?"
    return f"In <#{channel}> I {how}, as <@{setting.user_id}> set on {when}."


def file_request(
    deps: Deps,
    client: WebClient,
    form: BudgetForm,
    user: str,
    channel: str | None,
    team: str | None = None,
) -> None:
    """File the request, send the receipt and, above the threshold, post for finance approval."""
    filed = deps.app.requests.file(form, user, channel=channel)
    request, answer = filed.request, filed.answer
    client.chat_postMessage(
        channel=user,
        text=f"Budget request {request.ref}: {slack_escape(answer.summary)}",
        blocks=receipt_blocks(request, answer),
    )
    if not request.needs_finance:
        return
    finance = deps.config.finance_channel
    if not finance:
        log.warning("request %s needs finance approval but no finance channel is set", request.ref)
        return
    shown = Shown(request, answer)
    posted = client.chat_postMessage(
        channel=finance,
        text=f"Budget request {request.ref} needs approval ({shown.progress.waiting_text()})",
        blocks=post_blocks(deps, shown),
    )
    deps.app.requests.posted_for_finance(request, posted["channel"], posted["ts"])
    tell_next(deps, client, shown, team)
