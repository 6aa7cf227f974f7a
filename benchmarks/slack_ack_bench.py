"""Acknowledgement latency and throughput of the Slack app in HTTP mode, over loopback.

Runs the real app (Bolt behind waitress, the HTTP server of ``capexbot serve --http``) against
the tests' fake Slack Web API, sends signed requests the way Slack does, and prints:

* ack latency p50/p95/p99 for ``/capex`` (ack, then ``views.open`` in the background) and for
  ``app_mention`` events (ack, then the decision and ``chat.postMessage`` in the background);
* requests per second the HTTP mode holds at a few concurrency levels, and whether every
  event was answered exactly once (none lost, none doubled).

Every loop is bounded in count and time, and all traffic stays on 127.0.0.1.

    .venv/bin/python benchmarks/slack_ack_bench.py [--count 200] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "slack"))  # the fake Slack API and the signed sender

from fake_slack import BOT_USER, FakeSlack  # noqa: E402
from slack_requests import SECRET, SlackSender  # noqa: E402

from bot.config import Config  # noqa: E402
from bot.service import Assistant  # noqa: E402
from bot.slack.app import build_app  # noqa: E402
from bot.slack.server import http_server  # noqa: E402
from bot.storage import Store  # noqa: E402

QUESTION = "is a $40k GPU server for our production inference CapEx?"
MAX_SECONDS = 120  # hard bound for any one phase


def percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {cuts[49]:6.1f} ms  p95 {cuts[94]:6.1f} ms  p99 {cuts[98]:6.1f} ms  (n={len(ms)})"


class Bench:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.slack = FakeSlack().start()
        config = Config(
            data_dir=data_dir,  # a private knowledge index, built here
            database_url=database_url,
            slack_bot_token="xoxb-bench",
            slack_signing_secret=SECRET,
            slack_api_url=self.slack.url,
        )
        self.store = Store.open(database_url)
        assistant = Assistant(config)
        assistant.open_knowledge()
        self.server = http_server(build_app(config, assistant, self.store), "127.0.0.1", 0)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.sender = SlackSender(f"http://127.0.0.1:{self.server.server_port}/slack/events")
        self._ts = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.store.close()
        self.slack.stop()

    def mention(self) -> float:
        with self._lock:
            self._ts += 1
            ts = f"1700000000.{self._ts:06d}"
        event = {
            "type": "app_mention",
            "user": "UBENCH",
            "channel": "CBENCH",
            "ts": ts,
            "text": f"<@{BOT_USER}> {QUESTION}",
        }
        reply = self.sender.event(event)
        if reply.status != 200:
            raise RuntimeError(f"event refused: {reply.status} {reply.body}")
        return reply.seconds

    def command(self) -> float:
        reply = self.sender.command("")
        if reply.status != 200:
            raise RuntimeError(f"command refused: {reply.status} {reply.body}")
        return reply.seconds

    def drain(self, method: str, expected: int) -> float:
        """Seconds until the fake API has seen ``expected`` calls of ``method`` (bounded)."""
        started = time.perf_counter()
        deadline = started + MAX_SECONDS
        while len(self.slack.of(method)) < expected and time.perf_counter() < deadline:
            time.sleep(0.05)
        return time.perf_counter() - started


def latency(bench: Bench, count: int) -> None:
    for name, send, method in (
        ("/capex", bench.command, "views.open"),
        ("app_mention", bench.mention, "chat.postMessage"),
    ):
        bench.slack.reset()
        for _ in range(5):  # warm-up: first-request costs (auth.test, imports)
            send()
        bench.drain(method, 5)
        bench.slack.reset()
        samples = []
        deadline = time.perf_counter() + MAX_SECONDS
        for _ in range(count):
            samples.append(send())
            if time.perf_counter() > deadline:
                break
        bench.drain(method, len(samples))
        done = len(bench.slack.of(method))
        print(f"ack {name:<12} {percentiles(samples)}; {method} sent {done}/{len(samples)}")


def throughput(bench: Bench, count: int, concurrency: int) -> None:
    bench.slack.reset()
    before = len(bench.store.decisions(limit=1_000_000))
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        samples = list(pool.map(lambda _: bench.mention(), range(count)))
    acked = time.perf_counter() - started
    drain = bench.drain("chat.postMessage", count)
    answered = len(bench.slack.of("chat.postMessage"))
    stored = len(bench.store.decisions(limit=1_000_000)) - before
    lost = count - answered
    print(
        f"concurrency {concurrency:>3}: {count / acked:7.1f} acks/s, "
        f"{count / (acked + drain):6.1f} answers/s; ack {percentiles(samples)}; "
        f"answered {answered}/{count}, decisions stored {stored}, lost {lost}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    count = max(10, min(args.count, 5000))
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        bench = Bench(url, Path(tmp) / "data")
        try:
            print(f"database: {url.split('@')[-1]}")
            latency(bench, count)
            for concurrency in args.concurrency:
                throughput(bench, count, max(1, min(concurrency, 64)))
        finally:
            bench.close()


if __name__ == "__main__":
    main()
