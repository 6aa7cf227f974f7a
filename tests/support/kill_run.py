"""Mentions and budget requests sent to replicas that are killed (SIGKILL) at random moments.

Two ``capexbot serve --http`` replicas share one database and the fake Web API. A pool of
senders delivers ``app_mention`` events and ``/capex`` form submissions to whichever replica
is up, delivering again to another one when a replica does not acknowledge (as Slack retries a
delivery nobody acknowledged). Meanwhile a killer kills one replica after another at random
moments and starts it again; every other kill, the first among them, waits for a moment a
replica has a post that Slack took and has not answered yet (the fake answers posts after a
latency, as Slack does).
Once the killing stops and the backlog is empty, the fake's channels are read: every mention
must have exactly one answer in its thread, every budget request one receipt in its
requester's DM, one finance post and one stored request, and the fake must have seen no post
whose metadata tag it had seen before.

Used by ``tests/faults/test_kill_once.py`` (a small run on SQLite and PostgreSQL) and
``benchmarks/kill_bench.py`` (1,000 mentions and 50 budget requests).
"""

from __future__ import annotations

import random
import re
import shutil
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fake_slack import BOT_USER, FakeSlack
from slack_harness import FINANCE
from slack_requests import Reply

from bot.slack.failures import SORRY
from bot.slack.recovery import GAVE_UP
from bot.storage import Store
from bot.storage.work import WorkItems
from tests.support.fixtures import example_index
from tests.support.replicas import ROOT, Replica, replica_env, start_replica

CHANNEL = "C0KILLS"
QUESTIONS = (
    "is a $40k GPU server for our production inference CapEx?",
    "we pay $3,000 a month for cloud GPU hours",
    "a $2,500 laptop for a new analyst",
    "new roof for the Denver warehouse, $180,000, 20 year life",
)
VIEW = {"type": "modal", "callback_id": "capex_intake", "private_metadata": ""}
FORM = {
    "phase": {"value": {"selected_option": {"value": "production"}}},
    "environment": {"value": {"selected_option": {"value": "on_prem"}}},
    "asset_type": {"value": {"selected_option": {"value": "gpu_server"}}},
    "useful_life": {"value": {"type": "number_input", "value": "5"}},
    "amount": {"value": {"type": "number_input", "value": "96000"}},
    "currency": {"value": {"selected_option": {"value": "USD"}}},
    "cost_center": {"value": {"type": "plain_text_input", "value": "CC-KILL"}},
}
DELIVERY_TRIES = 40  # a delivery nobody acknowledges is sent again, to a replica that is up
SETTLE_SECONDS = 900
_REF = re.compile(r"CX-\d{5}")


@dataclass
class KillReport:
    mentions: int = 0
    requests: int = 0
    kills: int = 0
    aimed: int = 0  # kills while the replica had a post Slack took and had not answered
    seconds: float = 0.0  # from the first delivery to the empty backlog
    lost: dict[str, int] = field(default_factory=dict)  # by what is missing
    twice: dict[str, int] = field(default_factory=dict)  # by what is there more than once
    flagged: int = 0  # posts the fake saw with a tag it had seen before
    apologies: int = 0  # "sorry" or "gave up" posted instead of an answer
    replayed: int = 0  # work items a sweep took over (log lines)
    found_by_tag: int = 0  # replays that found their post in Slack by its tag
    skipped_recorded: int = 0  # replays that skipped a post recorded as made
    failures: list[str] = field(default_factory=list)  # replicas that would not start again

    @property
    def ok(self) -> bool:
        return not (
            any(self.lost.values()) or any(self.twice.values()) or self.flagged or self.failures
        )

    def lines(self) -> list[str]:
        return [
            f"{self.mentions} mentions, {self.requests} budget requests, {self.kills} kills "
            f"(SIGKILL; {self.aimed} with a post unanswered), {self.seconds:.0f} s",
            f"lost: {sum(self.lost.values())} {self.lost}",
            f"posted twice: {sum(self.twice.values())} {self.twice}; "
            f"flagged by the fake: {self.flagged}",
            f"apologies instead of answers: {self.apologies}",
            f"replays: {self.replayed}; posts found in Slack by tag: {self.found_by_tag}; "
            f"posts skipped as recorded: {self.skipped_recorded}",
            *self.failures,
        ]


class Cluster:
    """Replicas in numbered slots; a killed slot is started again."""

    def __init__(
        self, slack: FakeSlack, database_url: str, folder: Path, size: int, root: Path | None
    ) -> None:
        self.folder = folder
        self.envs = []
        for slot in range(size):
            data = folder / f"index-{slot}"
            shutil.copytree(example_index(), data)
            spool = folder / f"spool-{slot}"
            # Each slot calls the fake at a URL of its own, so the fake can tell who posts.
            url = f"{slack.url}{origin(slot)}/"
            self.envs.append(replica_env(url, database_url, data, spool, root=root or ROOT))
        self.lock = threading.Lock()
        self.up: dict[int, Replica] = {0: self._start(0)}  # the first one migrates the schema
        others = range(1, size)
        with ThreadPoolExecutor(size) as pool:
            for slot, replica in zip(others, pool.map(self._start, others), strict=True):
                self.up[slot] = replica
        self.all: list[Replica] = list(self.up.values())

    def _start(self, slot: int) -> Replica:
        return start_replica(f"slot{slot}", self.envs[slot], self.folder)

    def any(self, rng: random.Random) -> Replica | None:
        with self.lock:
            live = list(self.up.values())
        return rng.choice(live) if live else None

    def kill_and_restart(self, rng: random.Random, slack: FakeSlack, aim: bool) -> bool:
        """Kill a replica at a random moment or, with ``aim``, at the next moment one has a
        post that Slack took and has not answered yet (the window a record alone leaves)."""
        with self.lock:
            slots = sorted(self.up)
        aimed = slack.posting([origin(slot) for slot in slots], timeout=30.0) if aim else None
        with self.lock:
            slot = int(aimed[1:]) if aimed else rng.choice(slots)
            victim = self.up.pop(slot)
        victim.kill()
        replica = self._start(slot)
        with self.lock:
            self.up[slot] = replica
            self.all.append(replica)
        return aimed is not None

    def stop(self) -> None:
        with self.lock:
            up, self.up = list(self.up.values()), {}
        for replica in up:
            replica.stop()


def kill_run(
    slack: FakeSlack,
    database_url: str,
    folder: Path,
    *,
    mentions: int,
    requests: int,
    kill_every: tuple[float, float] = (3.0, 8.0),
    kills: int = 4,
    senders: int = 8,
    seed: int = 13,
    post_latency: float = 0.15,
    root: Path | None = None,
) -> KillReport:
    """Send the traffic while ``kills`` replicas are killed, one at a time, every
    ``kill_every`` seconds (uniformly drawn); then wait for the backlog and count.

    Slack answers each post ``post_latency`` seconds after it took it, as the real one does,
    so a kill often falls between the two. ``root``: the tree whose code the replicas run
    (this one by default; a benchmark passes an older revision's to compare)."""
    rng = random.Random(seed)
    slack.post_latency = post_latency
    cluster = Cluster(slack, database_url, folder, size=2, root=root)
    report = KillReport(mentions=mentions, requests=requests)
    store = Store.open(database_url, run_migrations=False)  # the replicas' code migrates
    try:
        started = time.monotonic()
        killer = threading.Thread(
            target=_kill,
            args=(cluster, slack, random.Random(seed + 1), kill_every, kills, report),
        )
        killer.start()
        work = [("mention", n) for n in range(mentions)] + [("form", n) for n in range(requests)]
        rng.shuffle(work)
        with ThreadPoolExecutor(senders) as pool:
            acked = list(pool.map(lambda item: _deliver(cluster, rng, *item), work))
        killer.join()
        _settle(store, slack, mentions, requests)
        report.seconds = time.monotonic() - started
        assert all(acked), f"{acked.count(False)} deliveries never acknowledged"
        _count(report, store, slack, mentions, requests)
    finally:
        cluster.stop()
        store.close()
    # A slot started again appends to the same log: each log is read once.
    for replica in {r.log_path: r for r in cluster.all}.values():
        for entry in replica.logs():
            message = str(entry.get("msg", ""))
            report.replayed += message.startswith("recovering ")
            report.found_by_tag += "found in Slack by its tag" in message
            report.skipped_recorded += "is in Slack already" in message
    return report


def origin(slot: int) -> str:
    return f"r{slot}"


def mention_ts(n: int) -> str:
    return f"1700300000.{n:06d}"


def requester(n: int) -> str:
    return f"U0KILL{n:04d}"


def _deliver(cluster: Cluster, rng: random.Random, kind: str, n: int) -> bool:
    for _ in range(DELIVERY_TRIES):
        replica = cluster.any(rng)
        if replica is not None:
            try:
                if _send(replica, kind, n).status == 200:
                    return True
            except OSError:
                pass  # killed under us: Slack delivers it again
        time.sleep(0.25)
    return False


def _send(replica: Replica, kind: str, n: int) -> Reply:
    if kind == "mention":
        event = {
            "type": "app_mention",
            "user": "U0ASKER",
            "channel": CHANNEL,
            "ts": mention_ts(n),
            "text": f"<@{BOT_USER}> {QUESTIONS[n % len(QUESTIONS)]}",
        }
        return replica.sender.event(event, event_id=f"EvKill{n}")
    objective = {"value": {"type": "plain_text_input", "value": f"Kill run request {n}"}}
    return replica.sender.submit(VIEW, {**FORM, "objective": objective}, user=requester(n))


def _kill(
    cluster: Cluster,
    slack: FakeSlack,
    rng: random.Random,
    every: tuple[float, float],
    kills: int,
    report: KillReport,
) -> None:
    for n in range(kills):
        time.sleep(rng.uniform(*every))
        try:
            report.aimed += cluster.kill_and_restart(rng, slack, aim=n % 2 == 0)
        except Exception as exc:  # a replica that does not start again: said, not hidden
            report.failures.append(f"kill {report.kills + 1}: {exc}"[:2000])
            return
        report.kills += 1


def _settle(store: Store, slack: FakeSlack, mentions: int, requests: int) -> None:
    """Wait until every item is finished and every answer is in (bounded)."""
    work = WorkItems(store.engine)
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        answered = {m.get("thread_ts") for m in slack.messages.get(CHANNEL, [])}
        receipts = sum(bool(slack.messages.get("D" + requester(n)[1:])) for n in range(requests))
        if work.backlog() == 0 and len(answered) >= mentions and receipts >= requests:
            time.sleep(2.0)  # anything still on the wire lands
            return
        time.sleep(0.5)


def _count(
    report: KillReport, store: Store, slack: FakeSlack, mentions: int, requests: int
) -> None:
    texts = [str(m.get("text")) for ms in slack.messages.values() for m in ms]
    report.apologies = sum(text in (SORRY, GAVE_UP) for text in texts)
    answers = Counter(  # an apology is no answer: a thread with only one is lost
        str(m.get("thread_ts"))
        for m in slack.messages.get(CHANNEL, [])
        if str(m.get("text")) not in (SORRY, GAVE_UP)
    )
    receipts = [
        sum(_REF.search(str(m.get("text"))) is not None for m in slack.messages.get(dm, []))
        for dm in ("D" + requester(n)[1:] for n in range(requests))
    ]
    finance = Counter(
        found.group(0)
        for m in slack.messages.get(FINANCE, [])
        if (found := _REF.search(str(m.get("text"))))
    )
    stored = Counter(
        r.objective for r in store.list_requests(None, limit=10 * requests + 10) if r.objective
    )
    decided = Counter(
        str(d.thread_ts)
        for d in store.decisions(limit=10 * (mentions + requests) + 10)
        if d.channel == CHANNEL
    )
    wanted = [mention_ts(n) for n in range(mentions)]
    objectives = [f"Kill run request {n}" for n in range(requests)]
    report.lost = {
        "answers": sum(answers[ts] == 0 for ts in wanted),
        "decisions": sum(decided[ts] == 0 for ts in wanted),
        "receipts": sum(count == 0 for count in receipts),
        "finance posts": max(0, requests - len(finance)),
        "requests": sum(stored[o] == 0 for o in objectives),
        "unfinished": WorkItems(store.engine).backlog(),
    }
    report.twice = {
        "answers": sum(answers[ts] > 1 for ts in wanted),
        "decisions": sum(decided[ts] > 1 for ts in wanted),
        "receipts": sum(count > 1 for count in receipts),
        "finance posts": sum(count > 1 for count in finance.values()),
        "requests": sum(stored[o] > 1 for o in objectives),
    }
    report.flagged = len(slack.duplicates)
