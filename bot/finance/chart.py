"""The digest's chart: spend by budget bucket, stacked by treatment, as a PNG.

Drawn on matplotlib's Agg canvas without pyplot, so it keeps no global state and is safe in
the Slack app's worker threads.
"""

from __future__ import annotations

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.finance.digest import Digest, month_title

SERIES = (("capex", "CapEx", "#2f6db3"), ("opex", "OpEx", "#e08a2c"))
REVIEW = ("needs_review", "Needs review", "#9a9a9a")


def _short(value: float, _position: object = None) -> str:
    for limit, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:,.1f}{suffix}".replace(".0" + suffix, suffix)
    return f"{value:,.0f}"


def digest_chart(digest: Digest) -> bytes:
    """PNG bytes: one horizontal bar per bucket, CapEx / OpEx / needs review stacked."""
    buckets = list(reversed(digest.buckets))  # matplotlib draws the first bar at the bottom
    labels = [f"{b.label} ({b.requests})" for b in buckets]
    series = [*SERIES, REVIEW] if digest.by_treatment["needs_review"] else list(SERIES)
    figure = Figure(figsize=(8, 0.6 * len(buckets) + 1.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    left = [0.0] * len(buckets)
    for key, name, color in series:
        values = [float(b.by_treatment[key]) for b in buckets]
        axes.barh(labels, values, left=left, label=name, color=color)
        left = [a + b for a, b in zip(left, values, strict=True)]
    for index, total in enumerate(left):
        if total:
            axes.text(total, index, f"  {_short(total)}", va="center", fontsize=9)
    axes.set_xlim(0, max([*left, 1.0]) * 1.18)
    axes.xaxis.set_major_formatter(FuncFormatter(_short))
    axes.set_xlabel(f"{digest.currency} requested (monthly bills counted for a year)")
    axes.set_title(f"{month_title(digest)}: spend by budget bucket")
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="lower right", frameon=False)
    if not digest.requests:
        axes.text(0.5, 0.5, "no budget requests this month", transform=axes.transAxes, ha="center")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
