"""Posting finance outputs to Slack: the monthly digest with its chart, and a decision memo.

They take a ``slack_sdk.WebClient``, so the Slack app and a scheduled ``capexbot digest
--post`` call the same code. Uploads need the ``files:write`` bot scope.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.config import Config
from bot.finance.chart import digest_chart
from bot.finance.digest import Digest, month_title
from bot.finance.digest_view import digest_blocks
from bot.finance.memo import Memo, MemoOptions, build_memo
from bot.finance.records import NotFound, load
from bot.finance.schedule import month_label
from bot.storage import Store


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


NOT_YOURS = "Only the person who asked and the finance approvers can get this decision's memo."


def send_memo(
    store: Store,
    config: Config,
    client: WebClient,
    *,
    decision_id: int,
    user: str,
    channel: str,
    thread_ts: str | None,
) -> bool:
    """The "Memo" button: upload the decision's memo (PDF) where the button was clicked.

    Only the person who asked and the configured approvers get it; anyone else is told so
    privately. Returns whether the memo was uploaded.
    """
    try:
        stored = load(store, str(decision_id))
    except NotFound:
        client.chat_postEphemeral(channel=channel, user=user, text="I cannot find that decision.")
        return False
    if user != stored.record.user_id and user not in config.approvers:
        client.chat_postEphemeral(channel=channel, user=user, text=NOT_YOURS)
        return False
    upload_memo(
        client, channel, build_memo(stored, MemoOptions.from_config(config)), thread_ts=thread_ts
    )
    return True
