"""PostgreSQL unreachable for a while (a proxy in front of it is cut, then restored): acks stay
fast, users hear their request is queued (or, for a listing, to try again), /healthz says so,
and once the database is back every queued request is answered, once."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import pytest
from fake_slack import BOT_USER, FakeSlack
from slack_harness import FINANCE

from bot.slack.commands import RECORDS_DOWN
from bot.slack.failures import QUEUED
from tests.faults.tcp_proxy import TcpProxy
from tests.support.fixtures import Bot

pytestmark = pytest.mark.postgres
OUTAGE_SECONDS = 3.0
RECOVERY_SECONDS = 30.0


@pytest.fixture
def proxy(postgres_url: str) -> Iterator[tuple[TcpProxy, str]]:
    proxy = TcpProxy(("127.0.0.1", 5432)).up()
    host = postgres_url.split("@", 1)[1].split("/", 1)[0]
    if host != "127.0.0.1:5432":
        pytest.skip(f"the proxy forwards to 127.0.0.1:5432, the test server is at {host}")
    yield proxy, postgres_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/", 1)
    proxy.down()


def health(bot: Bot) -> dict:
    with urllib.request.urlopen(f"{bot.base_url}/healthz", timeout=10) as response:
        return dict(json.loads(response.read()))


def texts(slack: FakeSlack, channel: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.delivered("chat.postMessage")
        if c.params.get("channel") == channel
    ]


def wait(check, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert check()


FORM = {
    "objective": {"value": {"type": "plain_text_input", "value": "GPU servers for inference"}},
    "phase": {"value": {"selected_option": {"value": "production"}}},
    "environment": {"value": {"selected_option": {"value": "on_prem"}}},
    "asset_type": {"value": {"selected_option": {"value": "gpu_server"}}},
    "useful_life": {"value": {"type": "number_input", "value": "5"}},
    "amount": {"value": {"type": "number_input", "value": "120000"}},
    "currency": {"value": {"selected_option": {"value": "USD"}}},
    "cost_center": {"value": {"type": "plain_text_input", "value": "CC-410"}},
}


def test_requests_during_an_outage_are_queued_and_answered_once_it_ends(
    start_bot, proxy: tuple[TcpProxy, str], slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    cut, url = proxy
    bot = start_bot(url)
    question = f"<@{BOT_USER}> is a $40k GPU server for production inference CapEx?"
    mention = {"type": "app_mention", "user": "UDOWN", "channel": "C0DOWN", "text": question}
    bot.sender.event({**mention, "ts": "1700004000.000001"})
    wait(lambda: len(texts(slack, "C0DOWN")) == 1, 15)
    assert health(bot) == {"status": "ok", "database": "ok"}

    cut.down()
    acks = [bot.sender.event({**mention, "ts": "1700004000.000002"}, event_id="EvDown1")]
    dm = {"type": "message", "channel": "D0DOWN", "channel_type": "im", "user": "UDOWN"}
    acks.append(bot.sender.event({**dm, "text": "a $3,000 laptop for a new hire", "ts": "2.1"}))
    view = {"type": "modal", "callback_id": "capex_intake", "private_metadata": ""}
    acks.append(bot.sender.submit(view, FORM, user="UDOWNFORM"))
    listing = bot.sender.command("list", user="UDOWN")
    assert [a.status for a in acks] == [200, 200, 200] and listing.status == 200
    assert max(a.seconds for a in [*acks, listing]) < 3.0  # within Slack's ack deadline
    assert listing.json()["text"] == RECORDS_DOWN
    wait(lambda: QUEUED in texts(slack, "C0DOWN"), 15)  # told in the thread
    wait(lambda: QUEUED in texts(slack, "D0DOWN") and QUEUED in texts(slack, "UDOWNFORM"), 15)
    assert health(bot)["database"].startswith("unreachable")
    assert len(bot.ledger.spool) == 3  # kept on disk while the database is away
    time.sleep(OUTAGE_SECONDS)

    cut.up()
    wait(lambda: len(texts(slack, "C0DOWN")) == 3, RECOVERY_SECONDS)  # answer, queued, answer
    answer = texts(slack, "C0DOWN")[-1]
    assert "CapEx" in answer and answer != QUEUED
    wait(lambda: len(texts(slack, "D0DOWN")) == 2, RECOVERY_SECONDS)
    wait(lambda: any(t.startswith("Budget request CX-") for t in texts(slack, "UDOWNFORM")), 30)
    wait(lambda: bot.store.list_requests("UDOWNFORM") != [], 10)
    [request] = bot.store.list_requests("UDOWNFORM")
    wait(lambda: len(texts(slack, FINANCE)) == 1, 10)
    time.sleep(1.0)  # nothing more comes: each request was answered once
    assert len(texts(slack, "C0DOWN")) == 3 and len(texts(slack, "D0DOWN")) == 2
    assert len(bot.store.list_requests("UDOWNFORM")) == 1 and request.needs_finance
    assert len(bot.ledger.spool) == 0 and bot.ledger.work.backlog() == 0
    assert health(bot) == {"status": "ok", "database": "ok"}
