"""App Home for approvers: the answers flagged as wrong that wait for their review."""

from __future__ import annotations

from bot.app.reviews import Flagged
from bot.core.decision import VERDICT_LABELS
from bot.slack.blocks import Block, context, mrkdwn, plain
from bot.slack.escaping import slack_escape

#: Flagged answers shown in App Home; the rest are counted (``capexbot review list`` has all).
SHOWN = 10


def flagged_section(flagged: list[Flagged]) -> list[Block]:
    """A block per flagged answer with a *Review* button; 2 + SHOWN + 1 blocks at most."""
    blocks: list[Block] = [
        {"type": "divider"},
        {"type": "section", "text": mrkdwn(f"*Flagged answers to review* ({len(flagged)})")},
    ]
    if not flagged:
        blocks.append(context("No answer is waiting for a review."))
        return blocks
    for item in flagged[:SHOWN]:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(_entry(item)),
                "accessory": {
                    "type": "button",
                    "text": plain("Review"),
                    "action_id": "review_answer",
                    "value": str(item.decision_id),
                },
            }
        )
    if len(flagged) > SHOWN:
        blocks.append(context(f"… and {len(flagged) - SHOWN} more: `capexbot review list`"))
    return blocks


def _entry(item: Flagged) -> str:
    answered = VERDICT_LABELS.get(item.verdict, item.verdict)
    expected = VERDICT_LABELS[item.expected] if item.expected else "not said"
    asker = f"<@{slack_escape(item.asked_by)}>" if item.asked_by else "someone"
    flaggers = ", ".join(
        f"<@{slack_escape(u)}>" for u in dict.fromkeys(f.user_id for f in item.flags)
    )
    text = slack_escape(" ".join(item.text.split())[:300])
    lines = [
        f"*#{item.decision_id}* {asker} asked: “{text}”",
        f"I answered *{answered}*; {flaggers or 'someone'} expected *{expected}*",
    ]
    lines.extend(f"> {slack_escape(' '.join(note.split())[:300])}" for note in item.notes[-3:])
    return "\n".join(lines)
