"""Decisions, checklist questions and requests as Block Kit.

Slack's limits shape this module: a section's text holds at most 3,000 characters, a message
at most 50 blocks, a button label 75 characters and its value 2,000. Long lists are cut with
a note rather than rejected by Slack.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.conversation import Turn
from bot.core import Decision
from bot.core.decision import VERDICT_LABELS, NextQuestion
from bot.core.frameworks import FRAMEWORK_LABELS, Side, SideBySide
from bot.finance.impact import impact_lines
from bot.slack.escaping import slack_escape

Block = dict[str, Any]

VERDICT_EMOJI = {
    "capex": ":office:",
    "opex": ":receipt:",
    "split": ":scales:",
    "needs_review": ":mag:",
}
MAX_LIST = 8
ModelT = TypeVar("ModelT", bound=BaseModel)


def mrkdwn(text: str, limit: int = 2900) -> dict[str, str]:
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return {"type": "mrkdwn", "text": text}


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text),
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        element["style"] = style
    return element


def bullets(lines: list[str]) -> str:
    shown = [f"• {line}" for line in lines[:MAX_LIST]]
    if len(lines) > MAX_LIST:
        shown.append(f"… and {len(lines) - MAX_LIST} more")
    return "\n".join(shown)


def escaped(model: ModelT) -> ModelT:
    """A copy of an answer with every string escaped for mrkdwn.

    Everything in a decision or a question may carry the requester's own words (item
    descriptions, evidence, objective), and Slack would act on ``<!channel>`` or a
    ``<https://…|link>`` in them. The block builders add their own markup afterwards.
    """
    return type(model).model_validate(_escape_strings(model.model_dump(mode="json")))


def _escape_strings(value: Any) -> Any:
    if isinstance(value, str):
        return slack_escape(value)
    if isinstance(value, list):
        return [_escape_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_strings(v) for k, v in value.items()}
    return value


def verdict_line(decision: Decision) -> str:
    decision = escaped(decision)
    if decision.kind != "decision":
        return decision.summary
    emoji = VERDICT_EMOJI[decision.verdict]
    label = VERDICT_LABELS[decision.verdict]
    return f"{emoji} *{label}* ({decision.framework})\n{decision.summary}"


def decision_blocks(
    decision: Decision,
    decision_id: int | None = None,
    *,
    offer_dm: bool = False,
    feedback: bool = True,
) -> list[Block]:
    """The whole answer: verdict, lines, why, policy text, assumptions, next step, versions."""
    blocks: list[Block] = [section(verdict_line(decision))]
    decision = escaped(decision)
    if decision.line_items:
        blocks.append(section("*Lines*\n" + bullets([_line(i) for i in decision.line_items])))
        year_one = impact_lines(decision)
        if year_one:
            blocks.append(context("Year one: " + " · ".join(year_one)))
    if decision.rules_fired:
        reasons = [
            f"`{r.id}` {r.reason} (policy §{r.section}; {r.standard})" for r in decision.rules_fired
        ]
        blocks.append(section("*Why*\n" + bullets(reasons)))
    if decision.counterfactuals:
        flips = [flip.text for flip in decision.counterfactuals[:3]]
        blocks.append(
            context(":twisted_rightwards_arrows: *What would change it:* " + " · ".join(flips))
        )
    for citation in decision.citations[:3]:
        passage = " ".join(citation.passage.split())
        if len(passage) > 300:
            passage = passage[:297].rsplit(" ", 1)[0] + "…"
        blocks.append(
            context(f":page_facing_up: *{citation.source}* › {citation.section}\n>{passage}")
        )
    if decision.assumptions:
        blocks.append(section("*Assumed*\n" + bullets(decision.assumptions)))
    if decision.missing and not decision.next_question:
        blocks.append(section("*Missing*\n" + bullets([m.why for m in decision.missing])))
    blocks.extend(_routing(decision))
    if decision.next_question and not decision.complete:
        blocks.append(section(f"*What would settle it:* {decision.next_question.text}"))
        if offer_dm and decision_id is not None:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": "continue",
                    "elements": [
                        button(
                            "Continue the checklist in a DM",
                            "continue_in_dm",
                            str(decision_id),
                            "primary",
                        )
                    ],
                }
            )
    for note in decision.notes[:3]:
        blocks.append(context(note))
    blocks.append(context(_versions(decision, decision_id)))
    if feedback and decision_id is not None and decision.kind == "decision":
        blocks.append(feedback_actions(decision_id))
    return blocks


def feedback_actions(decision_id: int) -> Block:
    return {
        "type": "actions",
        "block_id": "feedback",
        "elements": [
            button(":thumbsup: Helpful", "feedback_helpful", str(decision_id)),
            button(":thumbsdown: Wrong", "feedback_wrong", str(decision_id)),
            button(":scales: US GAAP vs IFRS", "compare_frameworks", str(decision_id)),
            button(":page_facing_up: Memo", "decision_memo", str(decision_id)),
        ],
    }


def side_by_side_blocks(both: SideBySide) -> list[Block]:
    """The thread reply of the "US GAAP vs IFRS" button: both verdicts, lines, differences."""
    both = escaped(both)
    blocks: list[Block] = [section("*US GAAP vs IFRS*")]
    for name, decision in (("us_gaap", both.us_gaap), ("ifrs", both.ifrs)):
        label = VERDICT_LABELS[decision.verdict]
        head = f"{VERDICT_EMOJI[decision.verdict]} *{FRAMEWORK_LABELS[name]}: {label}*"
        lines = [f"{_line(line)} (`{line.rule_id or 'no rule'}`)" for line in decision.line_items]
        blocks.append(section(head + ("\n" + bullets(lines) if lines else "")))
    if both.differences:
        whys = [
            f"*{d.description}*: US GAAP {_side(d.us_gaap)}; IFRS {_side(d.ifrs)}. {d.why}"
            for d in both.differences
        ]
        blocks.append(section("*What differs*\n" + bullets(whys)))
    else:
        blocks.append(context("Both frameworks treat every line alike, by the same rules."))
    blocks.append(context(_versions(both.us_gaap, None)))
    return blocks


def _side(side: Side) -> str:
    rule = f" (`{side.rule}`, §{side.section})" if side.rule else ""
    return f"{VERDICT_LABELS[side.treatment]}{rule}"


def _line(item: Any) -> str:
    treatment = VERDICT_LABELS.get(item.treatment, item.treatment)
    text = f"[{treatment}] {item.asset_label or item.description}"
    if item.amount is not None:
        text += f" — {item.amount}"
    if item.depreciation_per_month is not None and item.amount is not None:
        text += (
            f"; straight-line over {item.useful_life_months} months: "
            f"{item.amount.currency} {item.depreciation_per_month:,.2f}/month, "
            f"{item.depreciation_per_year:,.2f}/year"
        )
    return text


def _routing(decision: Decision) -> list[Block]:
    parts = []
    if decision.budget_bucket:
        parts.append(f"*Budget bucket:* {decision.budget_bucket.label}")
    if decision.tracking:
        parts.append(f"*Tracking:* {decision.tracking}")
    if decision.approval and decision.approval.amount_base is not None:
        approval = decision.approval
        parts.append(
            f"*Approval:* {', '.join(approval.approvers)} "
            f"(total {approval.currency} {approval.amount_base:,.2f}; policy §{approval.section})"
        )
    return [section("\n".join(parts))] if parts else []


def _versions(decision: Decision, decision_id: int | None) -> str:
    text = f"rules {decision.rules_version}"
    if decision.knowledge_version:
        text += f" · knowledge {decision.knowledge_version}"
    if decision_id is not None:
        text += f" · answer #{decision_id}"
    return text


def question_blocks(question: NextQuestion, key: str) -> list[Block]:
    """One checklist question: its buttons answer it; a typed reply works too."""
    question = escaped(question)
    blocks: list[Block] = [section(f"*{question.text}*")]
    if question.help:
        blocks.append(context(question.help))
    if question.options:
        buttons = [
            button(option.label, f"checklist_answer_{i}", answer_value(key, question.id, i))
            for i, option in enumerate(question.options[:24])
        ]
        blocks.append({"type": "actions", "block_id": f"q_{question.id}", "elements": buttons})
        blocks.append(context("Pick one, or reply in your own words."))
    else:
        blocks.append(context("Reply with your answer in a message."))
    blocks.append(
        {
            "type": "actions",
            "block_id": "checklist_controls",
            "elements": [
                button("Start over", "checklist_restart", key),
                button("Cancel", "checklist_cancel", key, "danger"),
            ],
        }
    )
    return blocks


def answer_value(key: str, question_id: str, index: int) -> str:
    return json.dumps({"c": key, "q": question_id, "i": index}, separators=(",", ":"))


def answered_blocks(question_text: str, answer: str) -> list[Block]:
    """What a question message becomes once answered: the buttons go, the choice stays."""
    return [
        section(f"*{slack_escape(question_text)}*"),
        context(f":white_check_mark: {slack_escape(answer)}"),
    ]


def turn_blocks(turn: Turn) -> list[Block]:
    """One step of the checklist: the note, the answer once final, else the next question."""
    blocks: list[Block] = []
    if turn.note:
        blocks.append(section(slack_escape(turn.note)))
    decision = turn.decision
    if decision is not None and turn.question is None:
        blocks.extend(decision_blocks(decision, turn.decision_id))
    elif decision is not None and decision.verdict != "needs_review":
        blocks.append(context(f"So far: {verdict_line(decision)}"))
    if turn.question is not None:
        blocks.extend(question_blocks(turn.question, turn.key))
    return blocks[:50]


def turn_text(turn: Turn) -> str:
    """The notification text of a turn (what a phone shows), escaped like the blocks."""
    if turn.question is not None:
        return slack_escape(turn.question.text)
    if turn.decision is not None:
        return slack_escape(turn.decision.summary)
    return slack_escape(turn.note or "CapEx assistant")
