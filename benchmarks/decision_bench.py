"""Decision latency (warm), the complete answer's latency, and the CLI's cold start.

Run:  .venv/bin/python benchmarks/decision_bench.py [--rounds 20] [--cold-runs 5]

Prints, in one run:
- p50/p95 per decision over every scenario of tests/scenarios/dev.jsonl, repeated;
- p50/p95 per decision on first sight: each text of the general-spend sets decided once with
  the classifier's per-text embedding cache emptied, so every unnamed clause is embedded;
- p50/p95 of a complete answer (facts, rules, hybrid retrieval, citations) on both sets;
- the wall time of `capexbot ask --json ...` in a fresh process (cold start to the answer),
  beside `python -c pass`, so the interpreter's own start-up is visible;
- what the explanation adds to each answer of the dev set: the rule trace (built from what the
  engine recorded) and the search for what would change a confident answer, in CPU time so
  other processes on the machine do not count (`--explain-only` prints just this).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config  # noqa: E402
from bot.core import Request, decide, load_policy, read_request, understanding  # noqa: E402
from bot.core.counterfactuals import counterfactuals  # noqa: E402
from bot.core.engine import evaluate_facts  # noqa: E402
from bot.core.trace import line_trace  # noqa: E402
from bot.evaluation import load_scenarios  # noqa: E402
from bot.service import Assistant  # noqa: E402

SCENARIOS = ROOT / "tests" / "scenarios"
GENERAL = ("holdout4_general.jsonl", "holdout4_policy.jsonl")

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


def first_sight_latency() -> list[float]:
    policy = load_policy(ROOT / "rules")
    texts = [s.text for name in GENERAL for s in load_scenarios(SCENARIOS / name)]
    decide(Request(text=texts[0]), policy)  # load the model and the classifier
    timings = []
    for text in texts:
        understanding.forget_embeddings()
        start = time.perf_counter()
        decide(Request(text=text), policy)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def answer_latency(rounds: int) -> list[float]:
    texts = [s.text for name in ("dev.jsonl", *GENERAL) for s in load_scenarios(SCENARIOS / name)]
    with tempfile.TemporaryDirectory() as data:
        assistant = Assistant(Config(data_dir=Path(data)))
        assistant.open_knowledge()  # builds the index
        assistant.answer(Request(text=QUESTION))  # warm: model, Chroma, BM25, lexicon
        timings = []
        for _ in range(rounds):
            for text in texts:
                start = time.perf_counter()
                assistant.answer(Request(text=text))
                timings.append((time.perf_counter() - start) * 1000)
    return timings


def explanation_cost(rounds: int) -> tuple[list[float], list[float], int]:
    """CPU ms per answer of the trace and of the counterfactual search, and how many answers
    were confident (only those are searched)."""
    policy = load_policy(ROOT / "rules")
    scenarios = load_scenarios(SCENARIOS / "dev.jsonl")
    evaluations = [
        evaluate_facts(read_request(Request(text=s.text, framework=s.framework), policy), policy)
        for s in scenarios
    ]
    traces: list[float] = []
    searches: list[float] = []
    for _ in range(rounds):
        for evaluation in evaluations:
            start = time.process_time()
            for index, result in enumerate(evaluation.results):
                item = evaluation.facts.items[index]
                line_trace(
                    index,
                    item.description,
                    "opex",
                    result.rule,
                    result.evaluated,
                    result.view.values,
                )
            traces.append((time.process_time() - start) * 1000)
            if evaluation.verdict != "needs_review":
                start = time.process_time()
                counterfactuals(evaluation, policy)
                searches.append((time.process_time() - start) * 1000)
    confident = sum(e.verdict != "needs_review" for e in evaluations)
    return traces, searches, confident


def _line(timings: list[float]) -> str:
    return (
        f"  p50 {percentile(timings, 0.50):.2f} ms   p95 {percentile(timings, 0.95):.2f} ms   "
        f"max {max(timings):.2f} ms   mean {statistics.mean(timings):.2f} ms"
    )


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
    parser.add_argument("--explain-only", action="store_true", help="only the explanation's cost")
    args = parser.parse_args()

    traces, searches, confident = explanation_cost(max(1, args.rounds // 4))
    print(f"rule trace, CPU time per answer, {len(traces)} answers over the dev set:")
    print(_line(traces))
    print(f"what would change it, CPU time per confident answer ({confident} of the dev set):")
    print(_line(searches))
    if args.explain_only:
        return

    timings = warm_latency(args.rounds)
    print(f"decision, warm, {len(timings)} decisions over the dev set:")
    print(_line(timings))
    timings = first_sight_latency()
    print(f"decision, first sight, {len(timings)} general and policy requests seen once:")
    print(_line(timings))
    timings = answer_latency(max(1, args.rounds // 10))
    print(f"complete answer (facts, rules, retrieval, citations), warm, {len(timings)} answers:")
    print(_line(timings))

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
