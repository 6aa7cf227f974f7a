"""Two ``capexbot serve --http`` processes on one PostgreSQL (and one Chroma server, when one
starts) answer the same Slack traffic: a delivery to both is answered once, a checklist moves
between them, approvals clicked on both at once record one, and when one dies between the
ack and the answer the other one answers. Their logs never show a secret."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_slack import BOT_USER, TEAM, FakeSlack
from slack_harness import APPROVER, FINANCE
from slack_requests import SECRET, SlackSender
from sqlalchemy import create_engine, text

from bot.retrieval.ingest import ingest
from bot.storage import Store
from bot.storage.work import WorkItems
from tests.support.chroma import ChromaUnavailable, chroma_server
from tests.support.databases import postgres_unavailable, scratch_postgres
from tests.support.fixtures import KNOWLEDGE, example_index
from tests.support.replicas import BOT_TOKEN, Replica, replica_env, start_replica

pytestmark = [pytest.mark.replicas, pytest.mark.postgres]
DB_PASSWORD = "replica-db-Pa55word"
QUESTION = "is a $40k GPU server for our production inference CapEx?"


@dataclass
class Cluster:
    replicas: list[Replica]
    store: Store  # the test's own view of the shared database
    slack: FakeSlack
    database_url: str
    env: dict[str, str]
    folder: Path
    chroma: str | None  # why the Chroma server is not used, or None when it is

    def restart(self, index: int) -> Replica:
        self.replicas[index].stop()
        name = f"{self.replicas[index].name}-again"
        env = {**self.env, "CAPEXBOT_SPOOL_DIR": str(self.folder / name)}
        self.replicas[index] = start_replica(name, env, self.folder)
        return self.replicas[index]


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def shared_index(folder: Path) -> Iterator[tuple[Path, dict[str, str], str | None]]:
    """The policy index on a Chroma server when one starts, else a copy on disk."""
    try:
        with chroma_server(folder / "chroma-db") as url:
            data = folder / "index"
            with environment(CAPEXBOT_CHROMA_URL=url):
                ingest(KNOWLEDGE, data)
            yield data, {"CAPEXBOT_CHROMA_URL": url}, None
            return
    except ChromaUnavailable as exc:
        reason = f"no local Chroma server: {exc}"
    data = folder / "index"
    shutil.copytree(example_index(), data)
    yield data, {}, reason


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("replicas")
    slack = FakeSlack().start()
    with scratch_postgres() as url, shared_index(folder) as (data, extra, chroma):
        url = url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)  # trust auth ignores it
        store = Store.open(url)
        env = replica_env(slack.url, url, data, folder / "spool", **extra)
        replicas = [
            start_replica("replica-a", {**env, "CAPEXBOT_SPOOL_DIR": str(folder / "a")}, folder),
            start_replica(
                "replica-b",
                {**env, "CAPEXBOT_SPOOL_DIR": str(folder / "b"), "CAPEXBOT_LOG_LEVEL": "DEBUG"},
                folder,
            ),
        ]
        running = Cluster(replicas, store, slack, url, env, folder, chroma)
        try:
            yield running
        finally:
            codes = [replica.stop() for replica in running.replicas]
            store.close()
            slack.stop()
        assert codes == [0, 0], "a replica did not stop cleanly on SIGTERM"


def mention(n: int, channel: str) -> dict:
    return {
        "type": "app_mention",
        "user": "UREPLICA",
        "channel": channel,
        "ts": f"1700005000.{n:06d}",
        "text": f"<@{BOT_USER}> {QUESTION}",
    }


def posts_in(slack: FakeSlack, channel: str) -> list:
    return [c for c in slack.delivered("chat.postMessage") if c.params.get("channel") == channel]


def settle(check, seconds: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert check()


def test_both_replicas_are_up_and_share_the_database(cluster: Cluster) -> None:
    for replica in cluster.replicas:
        assert replica.health() == {"status": "ok", "database": "ok"}
        assert "capexbot_http_requests_total" in replica.metrics()


def test_an_event_delivered_to_both_replicas_is_answered_once(cluster: Cluster) -> None:
    a, b = (replica.sender for replica in cluster.replicas)
    deliveries = []
    for n in range(1, 9):
        event, event_id = mention(n, "C0TWICE"), f"EvTwice{n}"
        deliveries += [(a, event, event_id, None), (b, event, event_id, 1), (a, event, event_id, 2)]
    with ThreadPoolExecutor(12) as pool:
        replies = list(
            pool.map(lambda d: d[0].event(d[1], event_id=d[2], retry=d[3]).status, deliveries)
        )
    assert replies == [200] * len(deliveries)
    settle(lambda: len(posts_in(cluster.slack, "C0TWICE")) >= 8)
    time.sleep(1.0)  # a second answer would have come by now
    assert len(posts_in(cluster.slack, "C0TWICE")) == 8
    threads = [p.params["thread_ts"] for p in posts_in(cluster.slack, "C0TWICE")]
    assert len(set(threads)) == 8
    decisions = [d for d in cluster.store.decisions(limit=1000) if d.channel == "C0TWICE"]
    assert len(decisions) == 8


def test_a_checklist_started_on_one_replica_continues_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.replicas
    dm = {"type": "message", "channel": "D0MOVE", "channel_type": "im", "user": "UMOVE"}
    a.sender.event({**dm, "text": "we need $30,000 for a new project", "ts": "1700006000.000001"})
    settle(lambda: len(posts_in(cluster.slack, "D0MOVE")) == 1)
    question = posts_in(cluster.slack, "D0MOVE")[0]
    blocks = question.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    buttons = {
        e["text"]["text"]: (e["action_id"], e["value"])
        for block in blocks
        for e in block.get("elements", [])
        if e.get("type") == "button"
    }
    action_id, value = buttons["Servers, GPUs or other hardware we buy"]
    b.sender.click(action_id, value, user="UMOVE", channel="D0MOVE", message_ts="1.1")
    settle(lambda: len(posts_in(cluster.slack, "D0MOVE")) == 2)
    a.sender.event({**dm, "text": "production", "ts": "1700006000.000003"})
    settle(lambda: len(posts_in(cluster.slack, "D0MOVE")) == 3)
    steps = sorted((d for d in cluster.store.decisions(user_id="UMOVE")), key=lambda d: d.id)
    assert len(steps) == 3
    assert steps[1].input["answer"].startswith("Servers")  # the click, answered on B
    served_by = [which(cluster, d.request_id) for d in steps]
    assert served_by == ["replica-a", "replica-b", "replica-a"]
    state = cluster.store.get_conversation(f"dm:{TEAM}:UMOVE")
    assert state is not None and state.version >= 3


def which(cluster: Cluster, request_id: str | None) -> str:
    for replica in cluster.replicas:
        if any(entry.get("request_id") == request_id for entry in replica.logs()):
            return replica.name
    return "nobody"


def test_an_approval_clicked_on_both_at_once_records_one(cluster: Cluster) -> None:
    a, b = cluster.replicas
    values = {
        "objective": {"value": {"type": "plain_text_input", "value": "GPU cluster for inference"}},
        "phase": {"value": {"selected_option": {"value": "production"}}},
        "environment": {"value": {"selected_option": {"value": "on_prem"}}},
        "asset_type": {"value": {"selected_option": {"value": "gpu_server"}}},
        "useful_life": {"value": {"type": "number_input", "value": "5"}},
        "amount": {"value": {"type": "number_input", "value": "250000"}},
        "currency": {"value": {"selected_option": {"value": "USD"}}},
        "cost_center": {"value": {"type": "plain_text_input", "value": "CC-ML"}},
    }
    view = {"type": "modal", "callback_id": "capex_intake", "private_metadata": ""}
    filed = a.sender.submit(view, values, user="UFILER")
    assert filed.status == 200 and not filed.body, filed.body  # no field errors: accepted
    settle(lambda: any(r.finance_ts for r in cluster.store.list_requests("UFILER")))
    [request] = cluster.store.list_requests("UFILER")
    clicks = [(a, "approve_request"), (b, "reject_request")] * 4
    with ThreadPoolExecutor(len(clicks)) as pool:
        statuses = list(
            pool.map(
                lambda c: (
                    c[0]
                    .sender.click(
                        c[1],
                        str(request.id),
                        user=APPROVER,
                        channel=FINANCE,
                        message_ts=request.finance_ts or "",
                    )
                    .status
                ),
                clicks,
            )
        )
    assert statuses == [200] * len(clicks)
    settle(lambda: len(cluster.store.timeline(request.id)) > 1)
    time.sleep(1.5)
    # the route's first step (the budget owner's), approved or rejected, once
    [_, step] = cluster.store.timeline(request.id)
    assert (step.kind, step.step) in {("step_approved", 1), ("rejected", 1)}
    updates = [
        c for c in cluster.slack.delivered("chat.update") if c.params.get("channel") == FINANCE
    ]
    assert len(updates) == 1


def test_a_replica_killed_between_ack_and_answer_is_covered_by_the_other(cluster: Cluster) -> None:
    a, _ = cluster.replicas
    lock = create_engine(cluster.database_url)
    work = WorkItems(cluster.store.engine)
    try:
        with lock.connect() as conn:
            held = conn.begin()
            # Answers wait at the audit insert: A acknowledges, takes the item, then stalls.
            conn.execute(text("LOCK TABLE decisions IN EXCLUSIVE MODE"))
            assert a.sender.event(mention(1, "C0CRASH"), event_id="EvCrash1").status == 200
            settle(
                lambda: (
                    (item := work.get("event:EvCrash1")) is not None and item.status == "running"
                )
            )
            a.kill()
            held.rollback()
    finally:
        lock.dispose()
    assert posts_in(cluster.slack, "C0CRASH") == []
    settle(lambda: len(posts_in(cluster.slack, "C0CRASH")) == 1, seconds=30)  # B takes over
    # B records the post's ts, then marks the item done: Slack shows the post a moment before
    settle(
        lambda: (item := work.get("event:EvCrash1")) is not None and item.status == "done",
        seconds=10,
    )
    item = work.get("event:EvCrash1")
    assert item is not None and item.status == "done" and item.attempts == 2
    assert len([d for d in cluster.store.decisions(limit=1000) if d.channel == "C0CRASH"]) == 1
    recovered = cluster.replicas[1].logs()
    assert any("recovering event:EvCrash1" in entry.get("msg", "") for entry in recovered)
    cluster.restart(0)
    time.sleep(1.0)
    assert len(posts_in(cluster.slack, "C0CRASH")) == 1


def test_no_secret_reaches_the_logs(cluster: Cluster) -> None:
    text_of_logs = "\n".join(
        path.read_text(errors="replace") for path in cluster.folder.glob("*.log")
    )
    assert "slack api chat.postMessage" in text_of_logs  # the logs are there, at DEBUG too
    for secret in (BOT_TOKEN, SECRET, DB_PASSWORD):
        assert secret not in text_of_logs


def test_the_replicas_use_the_chroma_server(cluster: Cluster) -> None:
    if cluster.chroma:
        pytest.skip(cluster.chroma)
    assert "CAPEXBOT_CHROMA_URL" in cluster.env
    assert not (Path(cluster.env["CAPEXBOT_DATA_DIR"]) / "chroma").exists()
    cited = [d for d in cluster.store.decisions(limit=1000) if d.channel == "C0TWICE"]
    assert cited and all(d.citations for d in cited)


def test_sigterm_finishes_the_acknowledged_work_first(cluster: Cluster) -> None:
    replica = cluster.restart(1)
    sender = SlackSender(replica.sender.url)
    for n in range(1, 6):
        assert sender.event(mention(n, "C0DRAIN"), event_id=f"EvDrain{n}").status == 200
    assert replica.stop() == 0
    assert len(posts_in(cluster.slack, "C0DRAIN")) == 5  # answered before the process exited
    cluster.restart(1)
