"""Load over loopback against several ``capexbot serve --http`` replicas on one PostgreSQL.

Sends signed Slack requests the way Slack does, round-robin across the replicas: a steady rate
for a while, then a burst all at once. The mix: ``app_mention`` events (a share of them also
delivered a second time, to another replica, as Slack's retries are), ``/capex`` commands that
open the form, and budget requests submitted through it. Then it waits for every answer and
checks the database: each mention and each budget request has exactly one stored decision,
each command opened one form. Prints ack latency p50/p95/p99, throughput, and requests lost.

Every loop is bounded in count and time; all traffic stays on 127.0.0.1.

    .venv/bin/python benchmarks/load_bench.py [--replicas 2] [--rate 20] [--seconds 30]
        [--burst 300] [--duplicates 0.1] [--database-url URL] [--chroma-server]
        [--baseline REV]

``--baseline REV`` first runs the same load against replicas running the code of git revision
REV (extracted to a scratch folder), then against this tree, and prints the ratios of the two.
"""

from __future__ import annotations

import argparse
import io
import itertools
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "slack"))  # the fake Slack API and the signed sender

from fake_slack import BOT_USER, FakeSlack  # noqa: E402
from slack_requests import Reply, SlackSender  # noqa: E402

from bot.storage import Store  # noqa: E402
from bot.storage.work import WorkItems  # noqa: E402
from tests.support.databases import postgres_unavailable, scratch_postgres  # noqa: E402
from tests.support.fixtures import example_index  # noqa: E402
from tests.support.replicas import Replica, replica_env, start_replica  # noqa: E402

MAX_SECONDS = 600  # hard bound for the steady phase and for the wait for answers
MAX_REQUESTS = 20_000
CLIENTS = 64  # concurrent senders
QUESTIONS = (
    "is a $40k GPU server for our production inference CapEx?",
    "we pay $3,000 a month for cloud GPU hours",
    "a $2,500 laptop for a new analyst",
    "we want to buy a GPU server",
)
FORM_BASE = {
    "phase": {"value": {"selected_option": {"value": "production"}}},
    "environment": {"value": {"selected_option": {"value": "on_prem"}}},
    "asset_type": {"value": {"selected_option": {"value": "gpu_server"}}},
    "useful_life": {"value": {"type": "number_input", "value": "5"}},
    "amount": {"value": {"type": "number_input", "value": "48000"}},
    "currency": {"value": {"selected_option": {"value": "USD"}}},
    "cost_center": {"value": {"type": "plain_text_input", "value": "CC-LOAD"}},
}
VIEW = {"type": "modal", "callback_id": "capex_intake", "private_metadata": ""}


@dataclass
class Sent:
    kind: str  # mention, duplicate, command, form
    phase: str
    key: str  # what its outcome is found by: a thread, an objective, a user
    reply: Reply


@dataclass
class Report:
    sent: list[Sent] = field(default_factory=list)
    mentions: int = 0
    forms: int = 0
    commands: int = 0
    lost: int = 0
    missing: dict[str, int] = field(default_factory=dict)  # lost, by what was missing
    doubled: int = 0
    refused: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    answered_in: float = 0.0
    #: `/capex`: seconds from the trigger (the command's send) to its views.open, and how many
    #: came after Slack's 3 s, when the trigger had expired (the fake refuses those).
    modal_seconds: list[float] = field(default_factory=list)
    expired: int = 0

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.doubled == 0 and self.refused == 0


class Load:
    def __init__(self, replicas: list[Replica], tag: str, duplicates: float) -> None:
        self.senders = [SlackSender(r.sender.url) for r in replicas]
        self.tag = tag
        self.duplicates = duplicates
        self.numbers = itertools.count(1)
        self.lock = threading.Lock()
        self.report = Report()

    def one(self, phase: str) -> None:
        """The next request of the mix, to the next replica."""
        n = next(self.numbers)
        sender = self.senders[n % len(self.senders)]
        if n % 10 < 7:
            self._mention(n, sender, phase)
        elif n % 10 < 9:
            user = f"U{self.tag}C{n}"
            self._send("command", phase, user, lambda: sender.command("", user=user))
        else:
            values = {
                **FORM_BASE,
                "objective": {"value": {"type": "plain_text_input", "value": self.objective(n)}},
            }
            self._send(
                "form",
                phase,
                self.objective(n),
                lambda: sender.submit(VIEW, values, user=self.user),
            )

    def objective(self, n: int) -> str:
        return f"load {self.tag} request {n}"

    def _mention(self, n: int, sender: SlackSender, phase: str) -> None:
        event = {
            "type": "app_mention",
            "user": self.user,
            "channel": self.channel,
            "ts": f"1700100000.{n:06d}",
            "text": f"<@{BOT_USER}> {QUESTIONS[n % len(QUESTIONS)]}",
        }
        event_id, ts = f"Ev{self.tag}{n}", event["ts"]
        self._send("mention", phase, ts, lambda: sender.event(event, event_id=event_id))
        if (n * 7919) % 1000 < self.duplicates * 1000:  # Slack retries it, to another replica
            other = self.senders[(n + 1) % len(self.senders)]
            redeliver = lambda: other.event(event, event_id=event_id, retry=1)  # noqa: E731
            self._send("duplicate", phase, ts, redeliver)

    @property
    def channel(self) -> str:
        return f"C{self.tag}"

    @property
    def user(self) -> str:
        return f"U{self.tag}"

    def keys(self, kind: str) -> set[str]:
        """The keys of the requests of ``kind`` the replicas accepted (acknowledged with 200)."""
        return {s.key for s in self.report.sent if s.kind == kind and s.reply.status == 200}

    def _send(self, kind: str, phase: str, key: str, request: Callable[[], Reply]) -> None:
        reply = request()
        with self.lock:
            self.report.sent.append(Sent(kind, phase, key, reply))


def steady(load: Load, pool: ThreadPoolExecutor, rate: float, seconds: float) -> float:
    """Offer ``rate`` requests a second for ``seconds``; returns the seconds it took."""
    count = min(int(rate * seconds), MAX_REQUESTS)
    started = time.perf_counter()
    futures = []
    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        futures.append(pool.submit(load.one, "steady"))
        if time.perf_counter() - started > MAX_SECONDS:
            break
    for future in futures:
        future.result()
    return time.perf_counter() - started


def burst(load: Load, pool: ThreadPoolExecutor, count: int) -> float:
    started = time.perf_counter()
    for future in [pool.submit(load.one, "burst") for _ in range(min(count, MAX_REQUESTS))]:
        future.result()
    return time.perf_counter() - started


def outcomes(load: Load, store: Store, slack: FakeSlack) -> dict[str, Counter[str]]:
    """How many outcomes each request key has: decisions by thread, budget requests by
    objective, answers posted by thread."""
    decisions = store.decisions(limit=MAX_REQUESTS * 2)
    posts = [
        c for c in slack.delivered("chat.postMessage") if c.params.get("channel") == load.channel
    ]
    return {
        "mention": Counter(str(d.thread_ts) for d in decisions if d.channel == load.channel),
        "form": Counter(r.objective for r in store.list_requests(load.user, limit=MAX_REQUESTS)),
        "posted": Counter(str(c.params.get("thread_ts")) for c in posts),
    }


def settle(load: Load, store: Store, slack: FakeSlack) -> float:
    """Seconds until every accepted request has its outcome (bounded by MAX_SECONDS)."""
    started, work = time.perf_counter(), WorkItems(store.engine)
    while time.perf_counter() - started < MAX_SECONDS:
        found = outcomes(load, store, slack)
        if (
            load.keys("mention") <= set(found["mention"]) & set(found["posted"])
            and load.keys("form") <= set(found["form"])
            and len(slack.delivered("views.open")) >= len(load.keys("command"))
            and work.backlog() == 0  # every answer's work finished, not only its decision
        ):
            break
        time.sleep(0.25)
    return time.perf_counter() - started


def check(load: Load, store: Store, slack: FakeSlack) -> None:
    """Exactly one stored decision (and one post) per mention, one decision and request per
    budget request, one form per command; every work item finished."""
    report, found = load.report, outcomes(load, store, slack)
    report.refused = sum(1 for s in report.sent if s.reply.status != 200)
    mentions, forms = load.keys("mention"), load.keys("form")
    report.mentions, report.forms, report.commands = (
        len(mentions),
        len(forms),
        len(load.keys("command")),
    )
    report.missing = {
        "mention": len(mentions - set(found["mention"])),
        "form": len(forms - set(found["form"])),
        "command": max(0, report.commands - len(slack.delivered("views.open"))),
        "unfinished": WorkItems(store.engine).backlog(),
    }
    report.lost = sum(report.missing.values())
    opened = [c for c in slack.of("views.open") if c.trigger_age is not None]
    report.modal_seconds = [c.trigger_age for c in opened if c.trigger_age is not None]
    report.expired = sum(1 for c in opened if not c.ok)
    report.doubled = sum(
        count - 1
        for kind in ("mention", "form", "posted")
        for key, count in found[kind].items()
        if count > 1 and key in (forms if kind == "form" else mentions)
    )


def percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return "(too few samples)"
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.1f} ms  p95 {cuts[94]:6.1f} ms  p99 {cuts[98]:6.1f} ms  (n={len(ms)})"


def print_report(report: Report, replicas: int, database: str) -> None:
    print(f"replicas: {replicas} `capexbot serve --http` processes; database: {database}")
    for phase in ("steady", "burst"):
        sent = [s for s in report.sent if s.phase == phase]
        if not sent:
            continue
        seconds = report.seconds[phase]
        print(
            f"{phase}: {len(sent)} requests in {seconds:.1f} s = {len(sent) / seconds:.1f} acks/s"
        )
        for kind in ("mention", "duplicate", "command", "form"):
            samples = [s.reply.seconds for s in sent if s.kind == kind]
            if samples:
                print(f"  ack {kind:<9} {percentiles(samples)}")
        print(f"  ack all       {percentiles([s.reply.seconds for s in sent])}")
    answered = report.mentions + report.forms
    total = report.seconds["steady"] + report.seconds["burst"] + report.answered_in
    print(
        f"answers: {answered} decisions stored and {report.commands} forms opened; the last "
        f"{report.answered_in:.1f} s after the last ack "
        f"({answered / total:.1f} decisions/s overall)"
    )
    print(
        f"/capex trigger to views.open: {percentiles(report.modal_seconds)}; "
        f"{report.expired} after the trigger expired"
    )
    burst = [s for s in report.sent if s.phase == "burst" and s.kind in ("mention", "form")]
    if burst:
        drained = report.seconds["burst"] + report.answered_in
        print(
            f"burst: {len(burst)} decisions answered {drained:.1f} s after it began "
            f"({len(burst) / drained:.1f} decisions/s)"
        )
    print(
        f"requests lost: {report.lost} {report.missing}; answered twice: {report.doubled}; "
        f"refused (not 200): {report.refused}"
    )


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    reason = postgres_unavailable()
    if reason:
        raise SystemExit(f"load_bench needs PostgreSQL: {reason} (or pass --database-url)")
    with scratch_postgres() as scratch:
        yield scratch


@contextmanager
def knowledge(folder: Path, chroma: bool) -> Iterator[tuple[Path, dict[str, str]]]:
    if not chroma:
        shutil.copytree(example_index(), folder / "index")
        yield folder / "index", {}
        return
    import os

    from bot.retrieval.ingest import ingest
    from tests.support.chroma import chroma_server
    from tests.support.fixtures import KNOWLEDGE

    with chroma_server(folder / "chroma") as url:
        os.environ["CAPEXBOT_CHROMA_URL"] = url
        try:
            ingest(KNOWLEDGE, folder / "index")
        finally:
            del os.environ["CAPEXBOT_CHROMA_URL"]
        yield folder / "index", {"CAPEXBOT_CHROMA_URL": url}


def run(
    *,
    replicas: int = 2,
    rate: float = 20,
    seconds: float = 30,
    burst_size: int = 300,
    duplicates: float = 0.1,
    database_url: str | None = None,
    chroma: bool = False,
    quiet: bool = False,
    root: Path = ROOT,
) -> Report:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="capexbot-load-")))
        url = stack.enter_context(database(database_url))
        data, extra = stack.enter_context(knowledge(folder, chroma))
        slack = FakeSlack().start()
        stack.callback(slack.stop)
        store = Store.open(url)
        stack.callback(store.close)
        env = replica_env(
            slack.url, url, data, folder / "spool", root=root, CAPEXBOT_LOG_LEVEL="WARNING", **extra
        )
        running = []
        for i in range(replicas):
            name = f"replica-{i + 1}"
            replica = start_replica(name, {**env, "CAPEXBOT_SPOOL_DIR": str(folder / name)}, folder)
            stack.callback(replica.stop)
            running.append(replica)
        stamp = int(time.time()) % 100000
        warm = Load(running, f"WARM{stamp}", 0)
        for _ in range(4 * replicas):  # first requests load the embedding model, open pools
            warm.one("warm-up")
        settle(warm, store, slack)
        slack.reset()
        load = Load(running, f"LOAD{stamp}", duplicates)
        with ThreadPoolExecutor(CLIENTS) as pool:
            load.report.seconds["steady"] = steady(load, pool, rate, seconds)
            load.report.seconds["burst"] = burst(load, pool, burst_size)
        load.report.answered_in = settle(load, store, slack)
        check(load, store, slack)
        if not quiet:
            print_report(load.report, replicas, url.split("@")[-1].split("?")[0])
        return load.report


def figures(report: Report) -> dict[str, float]:
    """The headline figures of a run: ack percentiles by phase (ms), rates (per second)."""
    found: dict[str, float] = {}
    for phase in ("steady", "burst"):
        ms = sorted(s.reply.seconds * 1000 for s in report.sent if s.phase == phase)
        if len(ms) < 2:
            continue
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        for p in (50, 95, 99):
            found[f"{phase} ack p{p} (ms)"] = cuts[p - 1]
        found[f"{phase} acks/s"] = len(ms) / report.seconds[phase]
    burst = [s for s in report.sent if s.phase == "burst" and s.kind in ("mention", "form")]
    if burst:
        found["burst decisions/s"] = len(burst) / (report.seconds["burst"] + report.answered_in)
    if len(report.modal_seconds) >= 2:
        cuts = statistics.quantiles(report.modal_seconds, n=100, method="inclusive")
        found["views.open p99 (ms)"] = cuts[98] * 1000
    found["views.open expired"] = report.expired
    return found


@contextmanager
def revision_tree(revision: str) -> Iterator[Path]:
    """The files of git revision ``revision`` in a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="capexbot-baseline-") as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
        )
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        yield Path(folder)


def compare(baseline: dict[str, float], current: dict[str, float], revision: str) -> None:
    print(f"\n{'figure':<24}{'baseline ' + revision[:10]:>22}{'this tree':>14}{'ratio':>9}")
    for name, before in baseline.items():
        after = current.get(name)
        if after is None:
            continue
        ratio = f"{after / before:8.2f}x" if before else "      —"
        print(f"{name:<24}{before:>22.1f}{after:>14.1f}{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--rate", type=float, default=20, help="requests a second, steady phase")
    parser.add_argument("--seconds", type=float, default=30, help="length of the steady phase")
    parser.add_argument("--burst", type=int, default=300, help="requests sent at once after it")
    parser.add_argument("--duplicates", type=float, default=0.1, help="share of events redelivered")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a scratch schema)")
    parser.add_argument("--chroma-server", action="store_true", help="vectors on `chroma run`")
    parser.add_argument("--baseline", help="git revision to run first and compare with")
    args = parser.parse_args()
    options = {
        "replicas": max(1, min(args.replicas, 8)),
        "rate": max(0.5, min(args.rate, 500)),
        "seconds": max(1, min(args.seconds, MAX_SECONDS)),
        "burst_size": max(0, min(args.burst, MAX_REQUESTS)),
        "duplicates": max(0.0, min(args.duplicates, 1.0)),
        "database_url": args.database_url,
        "chroma": args.chroma_server,
    }
    baseline = None
    if args.baseline:
        with revision_tree(args.baseline) as tree:
            print(f"== baseline: {args.baseline}")
            baseline = run(**options, root=tree)  # type: ignore[arg-type]
        print("== this tree")
    report = run(**options)  # type: ignore[arg-type]
    if baseline is not None:
        compare(figures(baseline), figures(report), args.baseline)
    ok = report.ok and (baseline is None or baseline.ok)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
