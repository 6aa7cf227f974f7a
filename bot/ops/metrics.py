"""Metrics in the Prometheus text format, served at ``GET /metrics`` in HTTP mode.

Each replica exposes its own counters (a scraper sums them); the work backlog is read from the
shared database, so every replica reports the same figure for it.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

#: Slack's kinds of request, a closed set so that label values stay bounded whatever is sent.
KINDS = ("event", "command", "block_actions", "view_submission", "url_verification", "other")

REQUESTS = Counter(
    "capexbot_http_requests",
    "Slack requests served over HTTP, by kind and status.",
    ["kind", "status"],
)
ACK_SECONDS = Histogram(
    "capexbot_ack_seconds",
    "Seconds from a Slack request's arrival to its acknowledgement, by kind.",
    ["kind"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
DECISIONS = Counter(
    "capexbot_decisions",
    "Decisions appended to the audit trail, by verdict and surface.",
    ["verdict", "surface"],
)
ERRORS = Counter(
    "capexbot_errors",
    "Failures, by where they happened: listener, slack_api, database, request, recovery.",
    ["where"],
)
SLACK_RETRIES = Counter(
    "capexbot_slack_api_retries",
    "Slack Web API calls retried, by reason: rate_limited, server_error, connection.",
    ["reason"],
)
RECOVERED = Counter(
    "capexbot_work_recovered", "Acknowledged deliveries finished by the recovery sweep."
)
BACKLOG = Gauge(
    "capexbot_work_backlog", "Acknowledged deliveries not finished yet (shared by all replicas)."
)
SPOOLED = Gauge(
    "capexbot_work_spooled",
    "Deliveries this replica holds on local disk while the database is unreachable.",
)


def exposition() -> tuple[bytes, str]:
    """The current metrics and their content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
