"""Budget requests as Slack shows them: the requester's receipt, the finance post, the lists."""

from __future__ import annotations

from bot.core import Answer
from bot.core.budget import STATUS_LABELS, Approval, ApprovalProgress, BudgetRequest
from bot.core.decision import VERDICT_LABELS
from bot.render.document import build_document
from bot.slack.blocks import Block, button, context, decision_blocks, escaped, section
from bot.slack.escaping import slack_escape


def receipt_blocks(request: BudgetRequest, answer: Answer) -> list[Block]:
    """The DM to the requester: the request id, the classification, where it goes next."""
    head = (
        f":memo: *Budget request {request.ref}* recorded: {slack_escape(request.objective[:300])}\n"
        f"Amount {request.form.amount_text()} · cost center {slack_escape(request.cost_center)} · "
        f"status: {STATUS_LABELS.get(request.status, request.status)}"
    )
    doc = build_document(answer)
    return [section(head), *decision_blocks(doc, request.decision_id, feedback=False)][:50]


def finance_blocks(
    request: BudgetRequest,
    answer: Answer,
    progress: ApprovalProgress,
    next_approvers: list[str],
    *,
    approval: Approval | None = None,
    note: str | None = None,
) -> list[Block]:
    """The post in the finance channel: the request, its approval steps (done, and who is
    next), and the buttons for the step waiting, which go once the request is decided."""
    doc = escaped(build_document(answer))
    forecast = request.form.forecast.cases()
    cases = ", ".join(f"{k} {v}" for k, v in forecast.items() if v is not None) or "none given"
    fields = [
        f"*Requester:* <@{request.requester}>",
        f"*Amount:* {request.form.amount_text()}",
        f"*Cost center:* {slack_escape(request.cost_center)}",
        f"*Verdict:* {doc.verdict_label}",
        f"*Route:* {request.route or '-'}",
        f"*Forecast:* {cases}",
    ]
    blocks: list[Block] = [
        section(
            f":inbox_tray: *Budget request {request.ref}*: {slack_escape(request.objective[:500])}"
        ),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
        section(doc.summary),
    ]
    if progress.roles:
        section_no = doc.approval.section if doc.approval else "10.1"
        blocks.append(section(steps_text(progress, next_approvers, approval, section_no)))
    if approval is not None:
        mark = ":white_check_mark:" if approval.outcome == "approved" else ":x:"
        when = approval.decided_at.strftime("%Y-%m-%d %H:%M UTC")
        blocks.append(
            section(f"{mark} *{approval.outcome.capitalize()}* by <@{approval.approver}> on {when}")
        )
        return blocks
    if note:
        blocks.append(context(note))
    value = str(request.id)
    blocks.append(
        {
            "type": "actions",
            "block_id": "approval",
            "elements": [
                button("Approve", "approve_request", value, "primary"),
                button("Reject", "reject_request", value, "danger"),
                button("Ask for info", "info_request", value),
            ],
        }
    )
    return blocks


def steps_text(
    progress: ApprovalProgress,
    next_approvers: list[str],
    approval: Approval | None,
    section_no: str,
) -> str:
    """The route's steps in order: who approved each and when, and whose turn it is."""
    lines = [f"*Approval steps* (policy §{slack_escape(section_no)})"]
    done = {event.step: event for event in progress.done}
    for number, role in enumerate(progress.roles, start=1):
        name = slack_escape(role)
        event = done.get(number)
        if event is not None:
            when = event.at.strftime("%Y-%m-%d %H:%M UTC")
            lines.append(f":white_check_mark: {number}. {name}: <@{event.user_id}> on {when}")
        elif approval is not None and approval.outcome == "rejected" and number == len(done) + 1:
            lines.append(f":x: {number}. {name}: rejected by <@{approval.approver}>")
        elif approval is None and number == progress.next_step:
            who = " or ".join(f"<@{user}>" for user in next_approvers) or "nobody holds this role"
            lines.append(f":hourglass_flowing_sand: {number}. {name}: next, {who}")
        else:
            lines.append(f":white_small_square: {number}. {name}")
    return "\n".join(lines)


def status_blocks(request: BudgetRequest, approval: Approval | None) -> list[Block]:
    text = (
        f"*{request.ref}* · {slack_escape(request.objective[:200])}\n"
        f"{request.form.amount_text()} · {VERDICT_LABELS.get(request.verdict, request.verdict)} · "
        f"{STATUS_LABELS.get(request.status, request.status)}"
    )
    if approval is not None:
        text += f" by <@{approval.approver}> on {approval.decided_at:%Y-%m-%d}"
    return [section(text)]


def list_blocks(requests: list[BudgetRequest]) -> list[Block]:
    if not requests:
        return [section("You have no budget requests yet. Type `/capex` to file one.")]
    lines = [
        f"• *{r.ref}* {r.created_at:%Y-%m-%d} · {slack_escape(r.objective[:80])} · "
        f"{r.form.amount_text()} · "
        f"{STATUS_LABELS.get(r.status, r.status)}"
        for r in requests
    ]
    return [section("*Your recent budget requests*\n" + "\n".join(lines))]
