"""Junk over real HTTP on loopback, written byte by byte: every unauthenticated or malformed
request gets a 4xx that carries a request id and is counted, never a 500; a body over the
limit is refused from its Content-Length before it is sent; half-sent requests hold no worker
and are closed after the read timeout; and a real ``capexbot serve --http`` process writes
nothing but JSON log lines meanwhile (no raw traceback)."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
from pathlib import Path

import pytest
from fake_slack import TEAM, FakeSlack

from bot.ops.metrics import REQUESTS
from tests.hostile.raw_http import RawReply, send, signature, signed_headers
from tests.support.fixtures import Bot, example_index
from tests.support.replicas import replica_env, start_replica

REQUEST_ID = re.compile(r"^[0-9a-f]{16}$")
FORM = b"application/x-www-form-urlencoded"


def deep_json(levels: int) -> bytes:
    return b'{"type":"event_callback","x":' + b"[" * levels + b"1" + b"]" * levels + b"}"


def deep_form(levels: int) -> bytes:
    return b"payload=" + b"%5B" * levels + b"1" + b"%5D" * levels


Junk = tuple[bytes, dict[bytes, bytes], int]


def junk() -> dict[str, Junk]:
    """name: (body, headers, expected status), signed now: a test may run minutes after the
    module is collected, past the signature's 5-minute window. Each was a 500 before."""
    now = str(int(time.time())).encode()
    return {
        "body not UTF-8, bogus signature": (
            b"\xff",
            {
                b"Content-Type": FORM,
                b"X-Slack-Request-Timestamp": now,
                b"X-Slack-Signature": b"v0=00",
            },
            401,
        ),
        "body not UTF-8, signed": (b"\xff\xfe", signed_headers(b"\xff\xfe", FORM), 400),
        "timestamp of 400 nines": (
            b"{}",
            {
                b"Content-Type": b"application/json",
                b"X-Slack-Request-Timestamp": b"9" * 400,
                b"X-Slack-Signature": signature(b"{}", b"9" * 400),
            },
            401,
        ),
        "timestamp ² (latin-1)": (
            b"{}",
            {
                b"X-Slack-Request-Timestamp": b"\xb2",
                b"X-Slack-Signature": signature(b"{}", b"\xb2"),
            },
            401,
        ),
        "timestamp ² (UTF-8)": (
            b"{}",
            {b"X-Slack-Request-Timestamp": "²".encode(), b"X-Slack-Signature": b"v0=00"},
            401,
        ),
        "signature not ASCII": (
            b"{}",
            {b"X-Slack-Request-Timestamp": now, b"X-Slack-Signature": "v0=é".encode()},
            401,
        ),
        "no signature at all": (b"{}", {b"Content-Type": b"application/json"}, 401),
        "signed JSON nested 50,000 deep": (
            deep_json(50_000),
            signed_headers(deep_json(50_000)),
            400,
        ),
        "signed form payload nested 50,000 deep": (
            deep_form(50_000),
            signed_headers(deep_form(50_000), FORM),
            400,
        ),
        "signed JSON nested 500 deep": (deep_json(500), signed_headers(deep_json(500)), 400),
    }


def count(status: int) -> float:
    return sum(
        sample.value
        for metric in REQUESTS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels["status"] == str(status)
    )


def counted(status: int, expected: float, within: float = 2.0) -> float:
    """The count of ``status`` once it reaches ``expected`` or ``within`` seconds have passed:
    the server counts a refusal after the reply's last byte is written, so a fast client can
    read the metric a moment before the count lands."""
    deadline = time.monotonic() + within
    while count(status) < expected and time.monotonic() < deadline:
        time.sleep(0.01)
    return count(status)


def server_errors() -> float:
    return sum(count(status) for status in (500, 501, 502, 503))


@pytest.fixture
def bot(start_bot, tmp_path) -> Bot:  # type: ignore[no-untyped-def]
    return start_bot(f"sqlite:///{tmp_path / 'state.db'}", slack_team_id=TEAM, http_read_timeout=2)


def port(bot: Bot) -> int:
    return int(bot.base_url.rsplit(":", 1)[1])


def assert_refused(reply: RawReply, status: int) -> None:
    assert reply.status == status, (reply.status, reply.body[:300])
    assert REQUEST_ID.match(reply.headers.get("X-Request-Id", "")), reply.headers
    assert "Traceback" not in reply.body


@pytest.mark.parametrize("name", sorted(junk()))
def test_junk_gets_a_4xx_with_a_request_id_and_a_metric(
    bot: Bot, slack: FakeSlack, name: str
) -> None:
    body, headers, status = junk()[name]
    before, errors = count(status), server_errors()
    assert_refused(send(port(bot), body, headers), status)
    assert counted(status, before + 1) == before + 1 and server_errors() == errors
    if status == 400:
        assert "Malformed Slack request" in send(port(bot), body, headers).body
    assert slack.of("chat.postMessage") == [] and bot.store.decisions() == []


def test_a_body_over_the_limit_is_refused_from_its_content_length(bot: Bot) -> None:
    """16 MB claimed, nothing sent: the 413 comes at once, without waiting for the body."""
    before = count(413)
    reply = send(
        port(bot),
        b"",
        signed_headers(b""),
        content_length=b"16000000",
        send_body=False,
        timeout=5,
    )
    assert_refused(reply, 413)
    assert "too large" in reply.body and reply.seconds < 2
    assert counted(413, before + 1) == before + 1


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1" * 400])
def test_a_content_length_that_is_not_a_size_is_a_400(bot: Bot, length: bytes) -> None:
    reply = send(port(bot), b"{}", signed_headers(b"{}"), content_length=length, send_body=False)
    assert reply.status in (400, 413)
    assert_refused(reply, reply.status)


def test_half_sent_requests_hold_no_worker_and_are_closed(bot: Bot, slack: FakeSlack) -> None:
    """More half-open connections than the server has workers: a real request is still
    answered at once, and each of them is closed after the read timeout (2 s here)."""
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "event_id": "EvAfterHalfOpen",
            "event": {"type": "app_home_opened", "user": "UHALF", "tab": "home"},
        }
    ).encode()
    held: list[socket.socket] = []
    try:
        for n in range(30):
            sock = socket.create_connection(("127.0.0.1", port(bot)), timeout=10)
            if n % 2:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            else:
                head = b"POST /slack/events HTTP/1.1\r\nContent-Length: 500\r\n\r\n"
                sock.sendall(head + b'{"type": "ev')
            held.append(sock)
        reply = send(port(bot), body, signed_headers(body))
        assert reply.status == 200 and reply.seconds < 1.0
        started = time.monotonic()
        for sock in held:
            assert sock.recv(100) == b""  # closed by the server
        assert time.monotonic() - started < 8
    finally:
        for sock in held:
            sock.close()


def test_a_served_process_logs_only_json_lines(tmp_path: Path, slack: FakeSlack) -> None:
    """The junk above, sent to a real `capexbot serve --http`: its whole output (stdout and
    stderr) is JSON log lines, each refusal one with its request id."""
    index = tmp_path / "index"
    shutil.copytree(example_index(), index)
    env = replica_env(slack.url, f"sqlite:///{tmp_path / 'state.db'}", index, tmp_path / "spool")
    replica = start_replica("junk", env, tmp_path)
    try:
        ids = set()
        for name, (body, headers, status) in sorted(junk().items()):
            reply = send(replica.port, body, headers)
            assert reply.status == status, name
            ids.add(reply.headers["X-Request-Id"])
        big = send(replica.port, b"", {}, content_length=b"16000000", send_body=False)
        assert big.status == 413
        ids.add(big.headers["X-Request-Id"])
        assert 'status="500"' not in replica.metrics()
    finally:
        replica.stop()
    lines = replica.log_path.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON
    assert ids <= {entry.get("request_id") for entry in entries}
    assert not [e for e in entries if e["level"] in ("error", "critical")]
