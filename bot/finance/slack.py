"""Posting finance outputs to Slack: the monthly digest with its chart, and a decision memo.

They take a ``slack_sdk.WebClient``, so the Slack app and a scheduled ``capexbot digest
--post`` call the same code. Uploads need the ``files:write`` bot scope.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.finance.chart import digest_chart
from bot.finance.digest import Digest, month_title
from bot.finance.digest_view import digest_blocks
from bot.finance.memo import Memo
from bot.finance.schedule import month_label


def post_digest(
    client: WebClient, channel: str, digest: Digest, *, chart: bool = True
) -> dict[str, Any]:
    """Post the digest to ``channel``, then upload its chart there, right below it."""
    posted = client.chat_postMessage(
        channel=channel,
        text=f"{month_title(digest)}: {digest.currency} {digest.total:,.2f} requested",
        blocks=digest_blocks(digest),
    )
    result: dict[str, Any] = {"channel": posted["channel"], "ts": posted["ts"]}
    if chart:
        client.files_upload_v2(
            channel=posted["channel"],
            file=digest_chart(digest),
            filename=f"capex-digest-{month_label(digest.month)}.png",
            title=f"{month_title(digest)}: spend by budget bucket",
            alt_txt="Bar chart of spend requested by budget bucket, CapEx and OpEx stacked",
        )
    return result


def upload_memo(
    client: WebClient,
    channel: str,
    memo: Memo,
    *,
    thread_ts: str | None = None,
    pdf: bool = True,
) -> None:
    """Upload the memo as a PDF (or Markdown) file to ``channel``, in a thread if given."""
    content: bytes = memo.pdf() if pdf else memo.markdown().encode()
    client.files_upload_v2(
        channel=channel,
        thread_ts=thread_ts,
        file=content,
        filename=f"{memo.name}.{'pdf' if pdf else 'md'}",
        title=memo.title,
        initial_comment=f"{memo.title}: facts, rules, policy passages, approvals and versions.",
    )
