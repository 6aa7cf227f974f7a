"""A replica started while its PostgreSQL server does not answer: it serves anyway (the
deliveries it acknowledges wait in its spool, users hear they are queued), logs one clear line
saying so, and once the server answers it migrates the schema and answers each of them once."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fake_slack import BOT_USER, FakeSlack

from bot.slack.failures import QUEUED
from tests.faults.tcp_proxy import TcpProxy
from tests.support.fixtures import example_index
from tests.support.replicas import replica_env, start_replica

pytestmark = pytest.mark.postgres


def posts(slack: FakeSlack, channel: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.delivered("chat.postMessage")
        if c.params.get("channel") == channel
    ]


def wait_for(check, seconds: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_replica_starts_while_the_database_is_down(
    postgres_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    host = postgres_url.split("@", 1)[1].split("/", 1)[0]
    if host != "127.0.0.1:5432":
        pytest.skip(f"the proxy forwards to 127.0.0.1:5432, the test server is at {host}")
    proxy = TcpProxy(("127.0.0.1", 5432))  # not up yet: connections are refused
    url = postgres_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/", 1)
    index = tmp_path / "index"
    shutil.copytree(example_index(), index)
    env = replica_env(slack.url, url, index, tmp_path / "spool")
    replica = start_replica("no-db", env, tmp_path)
    try:
        assert replica.health()["status"] == "degraded"
        event = {
            "type": "app_mention",
            "user": "UNODB",
            "channel": "C0NODB",
            "ts": "1700002000.000001",
            "text": f"<@{BOT_USER}> is a $40k GPU server for production inference CapEx?",
        }
        assert replica.sender.event(event, event_id="EvNoDatabase").status == 200
        wait_for(lambda: posts(slack, "C0NODB") == [QUEUED], 20)
        proxy.up()
        wait_for(lambda: len(posts(slack, "C0NODB")) == 2, 60)
        assert "CapEx" in posts(slack, "C0NODB")[1]
        assert replica.health()["database"] == "ok"
    finally:
        replica.stop()
        proxy.down()
    messages = [entry["msg"] for entry in replica.logs()]
    assert any(m.startswith("the database does not answer") for m in messages)
    assert any("schema migrated" in m for m in messages)
    assert not any("Traceback" in m for m in messages)
    assert len(posts(slack, "C0NODB")) == 2
