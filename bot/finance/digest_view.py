"""The monthly digest as terminal text and as Slack Block Kit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bot.finance.digest import Digest, month_title
from bot.finance.schedule import month_label
from bot.slack.escaping import slack_escape

STATUS = {"pending": "waiting for finance", "info_requested": "finance asked for information"}
MAX_ROWS = 10


def _amount(value: Decimal) -> str:
    return f"{value:,.2f}"


def spend_table(digest: Digest) -> str:
    """A fixed-width table of spend by bucket, for the terminal and a Slack code block."""
    header = f"{'Budget bucket':<24}{'Req.':>5}{'CapEx':>15}{'OpEx':>15}{'Review':>13}{'Total':>15}"
    lines = [header, "-" * len(header)]
    for bucket in digest.buckets:
        t = bucket.by_treatment
        lines.append(
            f"{bucket.label[:23]:<24}{bucket.requests:>5}{_amount(t['capex']):>15}"
            f"{_amount(t['opex']):>15}{_amount(t['needs_review']):>13}{_amount(bucket.total):>15}"
        )
    t = digest.by_treatment
    lines.append("-" * len(header))
    lines.append(
        f"{'Total':<24}{digest.requests:>5}{_amount(t['capex']):>15}{_amount(t['opex']):>15}"
        f"{_amount(t['needs_review']):>13}{_amount(digest.total):>15}"
    )
    return "\n".join(lines)


def _scope(digest: Digest) -> str:
    rejected = f"; {digest.rejected} rejected, not counted" if digest.rejected else ""
    return (
        f"{digest.requests} budget request{'' if digest.requests == 1 else 's'} filed in "
        f"{month_label(digest.month)}{rejected}. "
        f"Amounts in {digest.currency}; monthly bills counted for a year."
    )


def _plain(text: str) -> str:
    return text


def _waiting_lines(digest: Digest, escape: Callable[[str], str] = _plain) -> list[str]:
    lines = []
    for w in digest.waiting[:MAX_ROWS]:
        route = f", route {w.route}" if w.route else ""
        lines.append(
            f"{w.ref}  {w.amount}  {STATUS.get(w.status, w.status)}{route}, "
            f"{w.days} days; {escape(w.requester)}: {escape(w.objective[:80])}"
        )
    if len(digest.waiting) > MAX_ROWS:
        lines.append(f"… and {len(digest.waiting) - MAX_ROWS} more")
    return lines


def _pilot_lines(digest: Digest, escape: Callable[[str], str] = _plain) -> list[str]:
    lines = []
    for p in digest.pilots[:MAX_ROWS]:
        lines.append(
            f"{p.ref} ({escape(p.cost_center)}, {escape(p.requester)}) "
            f"“{escape(p.objective[:80])}”: " + escape("; ".join(p.signals))
        )
    if len(digest.pilots) > MAX_ROWS:
        lines.append(f"… and {len(digest.pilots) - MAX_ROWS} more")
    return lines


def digest_text(digest: Digest) -> str:
    t = digest.by_treatment
    out = [
        month_title(digest),
        _scope(digest),
        "",
        spend_table(digest),
        "",
        f"By treatment: CapEx {_amount(t['capex'])} · OpEx {_amount(t['opex'])} · "
        f"needs review {_amount(t['needs_review'])}",
        "",
        f"Waiting for finance approval (as of {digest.as_of.isoformat()}): {len(digest.waiting)}",
        *(f"  - {line}" for line in _waiting_lines(digest)),
        "",
        f"Experiments that look like production: {len(digest.pilots)}",
        *(f"  - {line}" for line in _pilot_lines(digest)),
    ]
    return "\n".join(out) + "\n"


def _section(text: str) -> dict[str, Any]:
    if len(text) > 2900:
        text = text[:2899] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def digest_blocks(digest: Digest) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": month_title(digest)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _scope(digest)}]},
        _section(f"*Spend by budget bucket*\n```{slack_escape(spend_table(digest))}```"),
    ]
    waiting = _waiting_lines(digest, slack_escape) or ["none"]
    blocks.append(
        _section(
            f"*Waiting for finance approval* (as of {digest.as_of.isoformat()})\n"
            + "\n".join(f"• {line}" for line in waiting)
        )
    )
    pilots = _pilot_lines(digest, slack_escape) or ["none"]
    blocks.append(
        _section(
            "*Experiments that look like production*\n" + "\n".join(f"• {line}" for line in pilots)
        )
    )
    return blocks
