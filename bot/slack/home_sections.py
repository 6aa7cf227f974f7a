"""The App Home, one section at a time, for whoever opens it.

Requesters see a "New budget request" button, their open checklist and their requests with
where each stands. Approvers (anyone holding an approver role, ``approvers_by_role``) also see
the requests whose next step waits for them, with the same buttons as the finance post, and
this month's requested spend by budget bucket.

:data:`SECTIONS` is the home from top to bottom: a section is a function of the person
looking (:class:`Viewer`) that gives its blocks, or none when it is not for them. A new
section (flagged answers to review, say) is written in its own module and added to that list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.app.services import Services
from bot.core.budget import STATUS_LABELS
from bot.finance.schedule import month_label
from bot.slack.blocks import Block, button, context, section
from bot.slack.escaping import slack_escape
from bot.slack.home_review import flagged_section
from bot.slack.views import list_blocks

#: Slack shows at most 100 blocks in a view.
MAX_BLOCKS = 100
#: Requests shown in an approver's queue (two blocks each); the rest are counted.
QUEUE_SHOWN = 15

HOW_TO = (
    "*Ask in a channel:* mention me with the purchase, e.g. "
    "`@CapEx is a $40k GPU server for production inference CapEx?` I answer in the thread.\n"
    "*Budget request:* the button below, or `/capex`; `/capex list` shows your requests, "
    "`/capex status CX-00012` one of them.\n"
    "*Before you buy:* send me a direct message and I walk you through the checklist, one "
    "question at a time. Say `start over` or `cancel` whenever you like; it waits for you."
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking at the home, and the use cases a section may ask."""

    user: str
    app: Services
    checklist_key: str  # their checklist in direct messages

    @property
    def approver(self) -> bool:
        return self.app.access.is_approver(self.user)


Section = Callable[[Viewer], list[Block]]


def intro(viewer: Viewer) -> list[Block]:
    return [
        {"type": "header", "text": {"type": "plain_text", "text": "CapEx assistant"}},
        section(
            "Is it CapEx or OpEx? I answer from the capitalization policy, the same way every time."
        ),
        section(HOW_TO),
    ]


def new_request(viewer: Viewer) -> list[Block]:
    button_ = button("New budget request", "open_intake", "home", "primary")
    return [{"type": "actions", "block_id": "new_request", "elements": [button_]}]


def open_checklist(viewer: Viewer) -> list[Block]:
    pending = viewer.app.checklists.pending(viewer.checklist_key)
    if pending is None or pending.question is None:
        return []
    return [
        {"type": "divider"},
        section(
            ":hourglass_flowing_sand: *Your checklist is waiting:* "
            + slack_escape(pending.question.text)
            + "\nAnswer it in our direct messages."
        ),
    ]


def my_requests(viewer: Viewer) -> list[Block]:
    return [{"type": "divider"}, *list_blocks(viewer.app.requests.mine(viewer.user))]


def approval_queue(viewer: Viewer) -> list[Block]:
    """The requests whose next step is the viewer's, oldest first, with the buttons."""
    if not viewer.approver:
        return []
    queue = viewer.app.requests.waiting_for(viewer.user, limit=QUEUE_SHOWN + 1)
    blocks: list[Block] = [{"type": "divider"}, section("*Waiting for your approval*")]
    if not queue:
        return [*blocks, context("Nothing waits for you.")]
    for shown in queue[:QUEUE_SHOWN]:
        r = shown.request
        info = STATUS_LABELS.get(r.status, r.status)
        blocks.append(
            section(
                f"*{r.ref}* · {slack_escape(r.objective[:150])}\n"
                f"{r.form.amount_text()} · <@{r.requester}> · {slack_escape(r.cost_center)} · "
                f"{info} · {slack_escape(shown.progress.waiting_text())}"
            )
        )
        value = str(r.id)
        blocks.append(
            {
                "type": "actions",
                "block_id": f"queue_{r.id}",
                "elements": [
                    button("Approve", "approve_request", value, "primary"),
                    button("Reject", "reject_request", value, "danger"),
                    button("Ask for info", "info_request", value),
                ],
            }
        )
    if len(queue) > QUEUE_SHOWN:
        blocks.append(context("More wait: `capexbot request list` shows every request."))
    return blocks


def month_totals(viewer: Viewer) -> list[Block]:
    """This month's requested spend by budget bucket (the monthly digest, so far)."""
    if not viewer.approver:
        return []
    today = datetime.now(UTC).date()
    digest = viewer.app.outputs.digest(today.replace(day=1), today)
    lines = [
        f"• {slack_escape(b.label)}: {digest.currency} {b.total:,.2f} "
        f"({b.requests} request{'s' if b.requests != 1 else ''}; "
        f"CapEx {b.by_treatment['capex']:,.2f}, OpEx {b.by_treatment['opex']:,.2f})"
        for b in digest.buckets
        if b.requests
    ]
    head = f"*Requested this month ({month_label(digest.month)}), by budget bucket*"
    body = "\n".join(lines) or "No budget requests this month yet."
    total = (
        f"Total {digest.currency} {digest.total:,.2f} · waiting for approval: {len(digest.waiting)}"
    )
    return [{"type": "divider"}, section(f"{head}\n{body}"), context(total)]


def flagged_answers(viewer: Viewer) -> list[Block]:
    """For an approver, the answers flagged as wrong that wait for a review."""
    if not viewer.approver:
        return []
    return flagged_section(viewer.app.reviews.flagged(viewer.user))


#: The home, top to bottom. Add a section here (after the approval queue for one that is
#: an approver's).
SECTIONS: list[Section] = [
    intro,
    new_request,
    open_checklist,
    my_requests,
    approval_queue,
    flagged_answers,
    month_totals,
]


def home_view(viewer: Viewer) -> dict[str, Any]:
    """The App Home view for ``viewer``: every section that has something for them."""
    blocks = [block for part in SECTIONS for block in part(viewer)]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
