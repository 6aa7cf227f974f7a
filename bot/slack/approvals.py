"""The finance approvals in Slack: a button pressed on the finance post (or in an approver's
App Home) → one call of the use case → the post updated with the steps done and who is next,
and the people concerned told.

Who may press what is decided in :mod:`bot.app.access`; a refusal comes back here as an
ephemeral message to the person who clicked (or, from App Home, a DM).
"""

from __future__ import annotations

from slack_sdk import WebClient

from bot.app.budget_requests import Action, Decided, Shown
from bot.errors import AlreadyDecided, CapexbotError, NotFound
from bot.slack.blocks import Block
from bot.slack.deps import Deps
from bot.slack.escaping import slack_escape
from bot.slack.views import finance_blocks

ACTIONS: dict[str, Action] = {
    "approve_request": "approve",
    "reject_request": "reject",
    "info_request": "info",
}


def post_blocks(deps: Deps, shown: Shown | Decided, note: str | None = None) -> list[Block]:
    """The finance post of a request as it stands."""
    progress = shown.progress
    role = progress.next_role
    nxt = deps.app.access.holders_of(role) if role else []
    return finance_blocks(
        shown.request, shown.answer, progress, nxt, approval=shown.approval, note=note
    )


def decide(
    deps: Deps,
    client: WebClient,
    user: str,
    request_id: int,
    what: Action,
    *,
    post: tuple[str, str] | None,
    team: str | None,
) -> Decided | CapexbotError:
    """Act on the request; update its finance post and tell who needs to know. A refusal is
    returned (for the surface to show to the clicker), never raised."""
    try:
        done = deps.app.requests.decide(request_id, user, what, post=post)
    except CapexbotError as exc:
        return exc
    request = done.request
    note = None
    if done.step is None:
        note = f":question: <@{user}> asked the requester for more information."
    if request.finance_channel and request.finance_ts:
        client.chat_update(
            channel=request.finance_channel,
            ts=request.finance_ts,
            text=_post_text(done),
            blocks=post_blocks(deps, done, note),
        )
    if done.step is None:
        client.chat_postMessage(
            channel=request.requester,
            text=(
                f"<@{user}> needs more information on your budget request {request.ref} "
                f"({slack_escape(request.objective[:100])}). Reply to them directly, or file an "
                "updated request."
            ),
        )
    elif done.approval is not None:
        client.chat_postMessage(
            channel=request.requester,
            text=f"Your budget request {request.ref} was {done.approval.outcome} by <@{user}>.",
        )
    else:
        tell_next(deps, client, done, team)
    deps.publish_home(client, team, request.requester)
    deps.publish_home(client, team, user)
    return done


def refusal(exc: CapexbotError) -> str:
    """A refusal as Slack shows it: people by mention, a missing record said plainly."""
    if isinstance(exc, AlreadyDecided):
        who = f" by <@{exc.approver}>" if exc.approver else ""
        return f"{exc.ref} was already {exc.outcome or 'decided'}{who}."
    if isinstance(exc, NotFound):
        return f"I cannot find that: {exc}."
    return str(exc)


def _post_text(done: Decided) -> str:
    ref = done.request.ref
    if done.approval is not None:
        return f"Budget request {ref} {done.approval.outcome}"
    waiting = done.progress.waiting_text()
    return f"Budget request {ref} needs approval ({waiting})" if waiting else f"Request {ref}"


def tell_next(deps: Deps, client: WebClient, done: Shown | Decided, team: str | None) -> None:
    """The holders of the role waiting hear their turn has come (after the post, and after
    each step approved but the last)."""
    progress, request = done.progress, done.request
    role = progress.next_role
    if role is None:
        return
    for holder in deps.app.access.holders_of(role):
        if holder == request.requester or progress.approved_by(holder):
            continue
        client.chat_postMessage(
            channel=holder,
            text=(
                f"Budget request {request.ref} ({slack_escape(request.objective[:100])}, "
                f"{request.form.amount_text()}) waits for your approval as "
                f"{slack_escape(role)} ({progress.waiting_text()}). Its buttons are on the "
                "finance post and in my App Home."
            ),
        )
        deps.publish_home(client, team, holder)
