"""Exactly once under SIGKILL: mentions and budget requests sent to two replicas that are
killed at random moments and started again, on SQLite and on PostgreSQL; then every answer,
receipt and finance post is counted in the fake Slack (``tests/support/kill_run.py``).

    .venv/bin/python benchmarks/kill_bench.py [--mentions 1000] [--requests 50] [--kills 12]
        [--every 4 12] [--database sqlite|postgresql|both] [--baseline REV]

``--baseline REV`` runs the replicas on the code of git revision REV (extracted to a scratch
folder) instead of this tree's, with this tree's fake Slack and counts: the figures before.
All traffic stays on 127.0.0.1. Exits 1 when anything was lost or posted twice.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "slack"))  # the fake Slack API and the signed sender
sys.path.insert(0, str(ROOT / "benchmarks"))

from fake_slack import FakeSlack  # noqa: E402
from load_bench import revision_tree  # noqa: E402

from tests.support.databases import postgres_unavailable, scratch_postgres  # noqa: E402
from tests.support.kill_run import KillReport, kill_run  # noqa: E402


def one(database: str, args: argparse.Namespace, root: Path | None) -> KillReport:
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="capexbot-kill-")))
        if database == "sqlite":
            url = f"sqlite:///{folder / 'state.db'}"
        else:
            url = stack.enter_context(scratch_postgres())
        slack = FakeSlack().start()
        stack.callback(slack.stop)
        return kill_run(
            slack,
            url,
            folder,
            mentions=args.mentions,
            requests=args.requests,
            kills=args.kills,
            kill_every=(args.every[0], args.every[1]),
            root=root,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mentions", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--kills", type=int, default=12)
    parser.add_argument("--every", type=float, nargs=2, default=(4.0, 12.0))
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--baseline", help="git revision whose replicas to run instead")
    args = parser.parse_args()
    args.mentions = max(1, min(args.mentions, 5000))
    args.requests = max(0, min(args.requests, 500))
    args.kills = max(0, min(args.kills, 100))
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    if "postgresql" in databases and postgres_unavailable():
        print(f"PostgreSQL skipped: {postgres_unavailable()}")
        databases.remove("postgresql")
    ok = True
    with ExitStack() as stack:
        root = stack.enter_context(revision_tree(args.baseline)) if args.baseline else None
        for database in databases:
            print(f"== {database}" + (f" (replicas on {args.baseline})" if args.baseline else ""))
            report = one(database, args, root)
            print("\n".join(report.lines()), flush=True)
            ok = ok and report.ok
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
