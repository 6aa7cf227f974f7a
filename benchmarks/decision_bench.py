"""Decision latency on the development set (warm) and the CLI's cold start.

Run:  .venv/bin/python benchmarks/decision_bench.py [--rounds 20] [--cold-runs 5]

Prints p50/p95 per decision over every scenario of tests/scenarios/dev.jsonl, and the wall
time of `capexbot ask --json ...` in a fresh process (cold start to the answer). The baseline
in the same run is `python -c pass`, so the interpreter's own start-up is visible.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import Request, decide, load_policy  # noqa: E402
from bot.evaluation import load_scenarios  # noqa: E402

QUESTION = "We're buying a $40,000 GPU server for production inference, 5 year life"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return ordered[index]


def warm_latency(rounds: int) -> list[float]:
    policy = load_policy(ROOT / "rules")
    scenarios = load_scenarios(ROOT / "tests" / "scenarios" / "dev.jsonl")
    for scenario in scenarios:  # warm caches (compiled lexicon)
        decide(Request(text=scenario.text, framework=scenario.framework), policy)
    timings = []
    for _ in range(rounds):
        for scenario in scenarios:
            start = time.perf_counter()
            decide(Request(text=scenario.text, framework=scenario.framework), policy)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def cold_start(command: list[str], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        timings.append(time.perf_counter() - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    timings = warm_latency(args.rounds)
    print(f"decision, warm, {len(timings)} decisions over the dev set:")
    print(
        f"  p50 {percentile(timings, 0.50):.2f} ms   p95 {percentile(timings, 0.95):.2f} ms   "
        f"max {max(timings):.2f} ms   mean {statistics.mean(timings):.2f} ms"
    )

    capexbot = str(Path(sys.executable).parent / "capexbot")
    baseline = cold_start([sys.executable, "-c", "pass"], args.cold_runs)
    cli = cold_start([capexbot, "ask", "--json", QUESTION], args.cold_runs)
    print(f"cold start, median of {args.cold_runs} runs:")
    print(f"  python -c pass           {statistics.median(baseline):.2f} s")
    print(
        f"  capexbot ask --json ...  {statistics.median(cli):.2f} s "
        f"({statistics.median(cli) / statistics.median(baseline):.1f}x the bare interpreter)"
    )


if __name__ == "__main__":
    main()
