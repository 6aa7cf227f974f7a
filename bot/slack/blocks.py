"""Answers (their :class:`DecisionDocument`), checklist questions and requests as Block Kit.

Slack's limits shape this module: a section's text holds at most 3,000 characters, a message
at most 50 blocks, a button label 75 characters and its value 2,000. Long lists are cut with
a note rather than rejected by Slack.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.conversation import Turn
from bot.core.decision import VERDICT_LABELS, NextQuestion
from bot.core.frameworks import FRAMEWORK_LABELS, Side, SideBySide
from bot.render.document import DecisionDocument, LineSection, build_document
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


def verdict_line(doc: DecisionDocument) -> str:
    doc = escaped(doc)
    if not doc.decided:
        return doc.summary
    emoji = VERDICT_EMOJI[doc.verdict]
    return f"{emoji} *{doc.verdict_label}* ({doc.framework})\n{doc.summary}"


def decision_blocks(
    doc: DecisionDocument,
    decision_id: int | None = None,
    *,
    offer_dm: bool = False,
    feedback: bool = True,
) -> list[Block]:
    """The whole answer: verdict, lines, why, policy text, assumptions, next step, versions."""
    blocks: list[Block] = [section(verdict_line(doc))]
    doc = escaped(doc)
    if doc.lines:
        blocks.append(section("*Lines*\n" + bullets([_line(line) for line in doc.lines])))
        if doc.year_one:
            blocks.append(context("Year one: " + " · ".join(doc.year_one)))
    if doc.reasons:
        reasons = [f"`{r.id}` {r.reason} (policy §{r.section}; {r.standard})" for r in doc.reasons]
        blocks.append(section("*Why*\n" + bullets(reasons)))
    if doc.counterfactuals:
        flips = [flip.text for flip in doc.counterfactuals[:3]]
        blocks.append(
            context(":twisted_rightwards_arrows: *What would change it:* " + " · ".join(flips))
        )
    for citation in doc.citations[:3]:
        passage = " ".join(citation.passage.split())
        if len(passage) > 300:
            passage = passage[:297].rsplit(" ", 1)[0] + "…"
        blocks.append(
            context(f":page_facing_up: *{citation.source}* › {citation.section}\n>{passage}")
        )
    if doc.assumptions:
        blocks.append(section("*Assumed*\n" + bullets(doc.assumptions)))
    if doc.missing and not doc.next_question:
        blocks.append(section("*Missing*\n" + bullets([m.why for m in doc.missing])))
    blocks.extend(_routing(doc))
    if doc.next_question and not doc.complete:
        blocks.append(section(f"*What would settle it:* {doc.next_question.text}"))
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
    for note in doc.notes[:3]:
        blocks.append(context(note))
    blocks.append(context(_versions(doc, decision_id)))
    if feedback and decision_id is not None and doc.decided:
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
    docs = {"us_gaap": build_document(both.us_gaap), "ifrs": build_document(both.ifrs)}
    for name, doc in docs.items():
        head = f"{VERDICT_EMOJI[doc.verdict]} *{FRAMEWORK_LABELS[name]}: {doc.verdict_label}*"
        lines = [f"{_line(line)} (`{line.rule or 'no rule'}`)" for line in doc.lines]
        blocks.append(section(head + ("\n" + bullets(lines) if lines else "")))
    if both.differences:
        whys = [
            f"*{d.description}*: US GAAP {_side(d.us_gaap)}; IFRS {_side(d.ifrs)}. {d.why}"
            for d in both.differences
        ]
        blocks.append(section("*What differs*\n" + bullets(whys)))
    else:
        blocks.append(context("Both frameworks treat every line alike, by the same rules."))
    blocks.append(context(_versions(docs["us_gaap"], None)))
    return blocks


def _side(side: Side) -> str:
    rule = f" (`{side.rule}`, §{side.section})" if side.rule else ""
    return f"{VERDICT_LABELS[side.treatment]}{rule}"


def _line(line: LineSection) -> str:
    text = f"[{line.treatment_label}] {line.name}"
    if line.amount is not None:
        text += f" — {line.amount}"
    if line.per_month is not None and line.amount is not None:
        text += (
            f"; straight-line over {line.life_months} months: "
            f"{line.amount.currency} {line.per_month:,.2f}/month, "
            f"{line.per_year:,.2f}/year"
        )
    return text


def _routing(doc: DecisionDocument) -> list[Block]:
    parts = []
    if doc.budget_bucket:
        parts.append(f"*Budget bucket:* {doc.budget_bucket.label}")
    if doc.tracking:
        parts.append(f"*Tracking:* {doc.tracking}")
    if doc.approval and doc.approval.amount_base is not None:
        parts.append(f"*Approval:* {doc.approval_text}")
    return [section("\n".join(parts))] if parts else []


def _versions(doc: DecisionDocument, decision_id: int | None) -> str:
    text = f"rules {doc.rules_version}"
    if doc.knowledge_version:
        text += f" · knowledge {doc.knowledge_version}"
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
    doc = build_document(turn.answer) if turn.answer is not None else None
    if doc is not None and turn.question is None:
        blocks.extend(decision_blocks(doc, turn.decision_id))
    elif doc is not None and doc.verdict != "needs_review":
        blocks.append(context(f"So far: {verdict_line(doc)}"))
    if turn.question is not None:
        blocks.extend(question_blocks(turn.question, turn.key))
    return blocks[:50]


def turn_text(turn: Turn) -> str:
    """The notification text of a turn (what a phone shows), escaped like the blocks."""
    if turn.question is not None:
        return slack_escape(turn.question.text)
    if turn.answer is not None:
        return slack_escape(turn.answer.summary)
    return slack_escape(turn.note or "CapEx assistant")
