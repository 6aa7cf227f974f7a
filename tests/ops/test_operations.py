"""Operations over real HTTP: /healthz reports the database, /metrics is Prometheus text, and
one request id follows a request from the ack to its Web API calls and audit record."""

from __future__ import annotations

import json
import logging
import time
import urllib.request
from collections.abc import Iterator

import pytest
from fake_slack import BOT_USER, FakeSlack
from prometheus_client.parser import text_string_to_metric_families

from bot.ops.context import request_id
from tests.support.fixtures import Bot


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def metrics(bot: Bot) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    _, _, text = get(f"{bot.base_url}/metrics")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def mention(text: str, ts: str) -> dict:
    return {
        "type": "app_mention",
        "user": "UOPS",
        "channel": "C0OPS",
        "ts": ts,
        "text": f"<@{BOT_USER}> {text}",
    }


class Recorder(logging.Handler):
    """Every record with the request id current where it was logged (its thread's context)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[str | None, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((request_id(), record.name, record.getMessage()))


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler, root = Recorder(), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_health_reports_the_database(start_bot, database_url: str) -> None:  # type: ignore[no-untyped-def]
    bot = start_bot(database_url)
    status, content_type, body = get(f"{bot.base_url}/healthz")
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body) == {"status": "ok", "database": "ok"}


def test_metrics_count_requests_acks_verdicts_and_errors(
    start_bot, database_url: str, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    bot = start_bot(database_url)
    before = metrics(bot)
    assert (
        bot.sender.event(mention("is a $40k GPU server for production CapEx?", "1.1")).status == 200
    )
    slack.wait_for("chat.postMessage")
    assert (
        bot.sender.event(mention("a $40k server", "1.2"), signature="v0=" + "0" * 64).status == 401
    )
    slack.fail_next(
        "chat.postMessage", status=200, body={"ok": False, "error": "channel_not_found"}
    )
    bot.sender.event(mention("is a $3,000 laptop OpEx?", "1.3"))
    slack.wait_for("chat.postMessage", 3)  # the refused post, then the apology
    after = metrics(bot)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("capexbot_http_requests_total", kind="event", status="200") == 2
    assert grew("capexbot_http_requests_total", kind="other", status="401") == 1
    assert grew("capexbot_ack_seconds_count", kind="event") == 2
    assert grew("capexbot_ack_seconds_bucket", kind="event", le="1.0") == 2  # acks under 1 s
    assert grew("capexbot_decisions_total", verdict="capex", surface="mention") == 1
    assert grew("capexbot_decisions_total", verdict="opex", surface="mention") == 1
    assert grew("capexbot_errors_total", where="slack_api") >= 1
    assert grew("capexbot_errors_total", where="listener") == 1
    _, content_type, _ = get(f"{bot.base_url}/metrics")
    assert content_type.startswith("text/plain; version=")


def test_one_request_id_from_the_ack_to_the_web_api_and_the_audit_record(
    start_bot, database_url: str, slack: FakeSlack, recorder: Recorder
) -> None:  # type: ignore[no-untyped-def]
    bot = start_bot(database_url)
    reply = bot.sender.event(mention("is a $40k GPU server for production CapEx?", "2.1"))
    rid = reply.headers["X-Request-Id"]
    slack.wait_for("chat.postMessage")
    [record] = bot.store.decisions()
    assert record.request_id == rid

    def mine() -> list[tuple[str, str]]:
        return [(name, message) for seen, name, message in recorder.seen if seen == rid]

    posted = ("bot.slack.webapi", "slack api chat.postMessage: ok")  # logged by the work
    deadline = time.monotonic() + 5
    while posted not in mine() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert posted in mine()
    assert any("acknowledged 200" in message for _, message in mine())  # the request thread
    other = bot.sender.event(mention("a $3,000 laptop", "2.2")).headers["X-Request-Id"]
    assert other != rid
