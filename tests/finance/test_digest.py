"""The monthly digest: figures by bucket and treatment, approvals waiting, pilots that look like
production; its chart; and the Slack post with the chart uploaded."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import matplotlib.image

from bot.core import Policy
from bot.finance.chart import digest_chart
from bot.finance.digest import Digest, build_digest
from bot.finance.digest_view import digest_blocks, digest_text
from bot.finance.slack import post_digest
from bot.storage import Store

from .conftest import Clock, Filer, form

MARCH = date(2026, 3, 1)
AS_OF = date(2026, 4, 2)


def _experiment(objective: str, amount: int, **kwargs: Any) -> Any:
    return form(
        objective,
        amount,
        asset_type="cloud_usage",
        phase="experiment",
        environment="cloud",
        cost_center="CC-510 ML Research",
        **kwargs,
    )


def _fill(filer: Filer, clock: Clock) -> None:
    clock.set(2026, 2, 20)
    filer.request(form("February server", 50_000), "UFEB")  # February, still pending
    clock.set(2026, 3, 2)
    filer.request(
        form("GPU servers for production inference", 96_000), "UALICE", outcome="approved"
    )
    clock.set(2026, 3, 3)
    filer.request(
        _experiment(
            "Pilot of the support-reply model; it now answers all customers in production", 40_000
        ),
        "UBEN",
    )
    clock.set(2026, 3, 4)
    filer.request(
        _experiment("Pilot of the ranking model on cloud GPUs, about $9k per month", 20_000), "UCHO"
    )
    clock.set(2026, 3, 5)
    filer.request(
        _experiment("Pilot of a document classifier on a small cloud GPU budget", 8_000), "UDEV"
    )
    clock.set(2026, 3, 6)
    filer.request(
        _experiment(
            "Pilot of speech-to-text for the call centre", 15_000, forecast=(10_000, 15_000, 60_000)
        ),
        "UEVE",
    )
    clock.set(2026, 3, 7)
    filer.request(
        form(
            "Datadog monitoring for the inference fleet",
            18_000,
            asset_type="monitoring",
            environment="cloud",
        ),
        "UFAY",
    )
    clock.set(2026, 3, 8)
    filer.request(form("A GPU box nobody needs", 70_000), "UGUS", outcome="rejected")
    clock.set(2026, 3, 20)
    filer.request(
        form("Storage array for the feature store", 60_000, asset_type="storage_hardware"),
        "UHAL",
        outcome="info",
    )
    clock.set(2026, 3, 9)
    filer.question("is a $40k GPU server capex?")  # a question is not spend
    clock.set(2026, 4, 1)
    filer.request(form("April server", 90_000), "UAPR")


def _digest(filer: Filer, clock: Clock, store: Store, policy: Policy) -> Digest:
    _fill(filer, clock)
    return build_digest(store, policy, MARCH, AS_OF, Decimal(5000))


def test_spend_by_bucket_and_treatment(
    filer: Filer, clock: Clock, store: Store, policy: Policy
) -> None:
    digest = _digest(filer, clock, store, policy)
    assert (digest.requests, digest.rejected) == (7, 1)
    spend = {
        b.id: (b.requests, b.by_treatment["capex"], b.by_treatment["opex"]) for b in digest.buckets
    }
    assert spend == {
        "risk_compliance": (1, 0, Decimal(18_000)),
        "experimentation": (4, 0, Decimal(83_000)),
        "platform_build": (2, Decimal(156_000), 0),
        "production_operations": (0, 0, 0),
    }
    assert digest.by_treatment == {
        "capex": Decimal(156_000),
        "opex": Decimal(101_000),
        "needs_review": Decimal(0),
    }
    assert digest.total == Decimal(257_000)


def test_requests_waiting_for_finance_approval_across_months(
    filer: Filer, clock: Clock, store: Store, policy: Policy
) -> None:
    digest = _digest(filer, clock, store, policy)
    # Below USD 50,000 the budget owner approves outside the bot: those are not waiting here.
    waiting = [(w.ref, w.status, w.days, w.route, w.amount) for w in digest.waiting]
    assert waiting == [
        ("CX-00001", "pending", 41, "controller", "USD 50,000.00"),  # February, still open
        ("CX-00009", "info_requested", 13, "controller", "USD 60,000.00"),
        ("CX-00010", "pending", 1, "controller", "USD 90,000.00"),  # April, filed after March
    ]


def test_pilots_that_look_like_production(
    filer: Filer, clock: Clock, store: Store, policy: Policy
) -> None:
    digest = _digest(filer, clock, store, policy)
    flags = {p.ref: p.signals for p in digest.pilots}
    assert set(flags) == {"CX-00003", "CX-00004", "CX-00006"}  # not the small classifier pilot
    assert flags["CX-00003"] == [
        "the objective speaks of both experiment and production",
        "USD 40,000.00 requested, above the experiment cap of 25,000",
    ]
    assert flags["CX-00004"] == ["recurring cloud spend of USD 9,000.00 a month"]
    assert flags["CX-00006"] == [
        "the accelerated forecast (USD 60,000.00) is above the experiment cap"
    ]
    assert digest.pilots[0].cost_center == "CC-510 ML Research"


def test_text_and_blocks(filer: Filer, clock: Clock, store: Store, policy: Policy) -> None:
    digest = _digest(filer, clock, store, policy)
    text = digest_text(digest)
    assert text.startswith("CapEx digest 2026-03\n7 budget requests filed in 2026-03; 1 rejected")
    assert "Experimentation             4           0.00      83,000.00" in text
    assert "Total                       7     156,000.00     101,000.00" in text
    assert "Waiting for finance approval (as of 2026-04-02): 3" in text
    assert "Experiments that look like production: 3" in text
    blocks = digest_blocks(digest)
    assert blocks[0]["text"]["text"] == "CapEx digest 2026-03"
    assert "CX-00004" in blocks[-1]["text"]["text"]


def test_chart_is_a_png_of_the_buckets(
    filer: Filer, clock: Clock, store: Store, policy: Policy
) -> None:
    png = digest_chart(_digest(filer, clock, store, policy))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[0] > 200 and image.shape[1] > 600


class RecordingSlack:
    """The two WebClient methods the digest post calls, recording their arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def chat_postMessage(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("chat.postMessage", kwargs))
        return {"ok": True, "channel": kwargs["channel"], "ts": "1700000000.000100"}

    def files_upload_v2(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("files.upload_v2", kwargs))
        return {"ok": True}


def test_post_to_the_finance_channel_uploads_the_chart(
    filer: Filer, clock: Clock, store: Store, policy: Policy
) -> None:
    digest = _digest(filer, clock, store, policy)
    slack = RecordingSlack()
    post_digest(slack, "CFINANCE", digest)  # type: ignore[arg-type]
    (post, post_args), (upload, upload_args) = slack.calls
    assert post == "chat.postMessage" and post_args["channel"] == "CFINANCE"
    assert post_args["blocks"] == digest_blocks(digest)
    assert "USD 257,000.00 requested" in post_args["text"]
    assert upload == "files.upload_v2" and upload_args["channel"] == "CFINANCE"
    assert upload_args["filename"] == "capex-digest-2026-03.png"
    assert upload_args["file"].startswith(b"\x89PNG")


def test_an_empty_month(store: Store, policy: Policy) -> None:
    digest = build_digest(store, policy, date(2025, 1, 1), AS_OF, Decimal(5000))
    assert digest.total == 0 and digest.waiting == [] and digest.pilots == []
    assert digest_chart(digest).startswith(b"\x89PNG")
    assert "0 budget requests filed in 2025-01." in digest_text(digest)
