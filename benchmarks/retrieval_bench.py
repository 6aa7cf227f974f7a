"""Retrieval benchmark: quality and latency of hybrid vs semantic vs keyword, ingest cost.

Run:  .venv/bin/python benchmarks/retrieval_bench.py [--pages 1000] [--rounds 5] [--cold-runs 5]

In one run, on temporary data folders (the repository's data/ is not touched):

- the example policy (knowledge/): ingest time and peak memory (in a fresh process), the
  time of a re-ingest with nothing changed;
- recall@1/3/5 and MRR of the three search modes on tests/retrieval/queries.jsonl, with the
  query expansion `capexbot` uses (and, for comparison, without it), and on
  tests/retrieval/holdout.jsonl: 20 queries written after the engine was tuned, never used to
  tune it;
- warm latency p50/p95 of one search per mode, and of a complete answer (facts, rules,
  hybrid retrieval, citations) over the development scenarios and the query set;
- cold start of `capexbot ask` to its answer, with `python -c pass` as the baseline;
- a generated policy of --pages pages (3,000 characters each, in 10 documents): ingest time
  and peak memory, re-ingest after one document changed, and hybrid search latency.

It prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Config  # noqa: E402
from bot.core import Request, load_policy  # noqa: E402
from bot.retrieval.evaluation import evaluate, load_cases  # noqa: E402
from bot.retrieval.expansion import expand_query  # noqa: E402
from bot.retrieval.knowledge import open_knowledge  # noqa: E402
from bot.retrieval.search import MODES  # noqa: E402
from bot.service import Assistant  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
QUERIES = ROOT / "tests" / "retrieval" / "queries.jsonl"
HOLDOUT = ROOT / "tests" / "retrieval" / "holdout.jsonl"
SCENARIOS = ROOT / "tests" / "scenarios" / "dev.jsonl"
QUESTION = "We're buying a $40,000 GPU server for production inference, 5 year life"
PAGE_CHARS = 3000
DOCUMENTS = 10


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ingest_in_child(knowledge: Path, data: Path) -> dict[str, float]:
    """Ingest in a fresh process, so its peak memory is the ingest's own."""
    code = (
        "import json, resource, sys, time\n"
        "from pathlib import Path\n"
        "from bot.retrieval.ingest import ingest\n"
        "r = ingest(Path(sys.argv[1]), Path(sys.argv[2]))\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'seconds': r.seconds, 'chunks': r.chunks, 'embedded': r.embedded,"
        " 'peak_mb': peak}))\n"
    )
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", code, str(knowledge), str(data)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    return result


def quality(data: Path) -> None:
    policy = load_policy(ROOT / "rules")
    knowledge = open_knowledge(KNOWLEDGE, data, build=False)
    for path in (QUERIES, HOLDOUT):
        cases = load_cases(path)
        print(f"\nRetrieval quality on {path.relative_to(ROOT)} ({len(cases)} queries)")
        print(f"  {'mode':<30}{'recall@1':>9}{'recall@3':>9}{'recall@5':>9}{'MRR':>7}")
        for label, expand in (
            ("", lambda q: expand_query(q, policy)),
            (", no query expansion", None),
        ):
            for mode in MODES:
                s = evaluate(knowledge, cases, mode, expand).summary
                name = f"{mode}{label}"
                print(
                    f"  {name:<30}{s.recall_at_1:>9.3f}{s.recall_at_3:>9.3f}"
                    f"{s.recall_at_5:>9.3f}{s.mrr:>7.3f}"
                )


def search_latency(knowledge_dir: Path, data: Path, queries: list[str], rounds: int) -> None:
    knowledge = open_knowledge(knowledge_dir, data, build=False)
    for mode in MODES:
        knowledge.search(queries[0], 5, mode)  # load the model and Chroma once
        timings = []
        for _ in range(rounds):
            for query in queries:
                started = time.perf_counter()
                knowledge.search(query, 5, mode)
                timings.append((time.perf_counter() - started) * 1000)
        print(
            f"  search {mode:<9} p50 {percentile(timings, 0.5):6.2f} ms   "
            f"p95 {percentile(timings, 0.95):6.2f} ms   ({len(timings)} searches)"
        )


def answer_latency(data: Path, texts: list[str], rounds: int) -> None:
    config = Config(knowledge_dir=KNOWLEDGE, data_dir=data)
    assistant = Assistant(config)
    assistant.open_knowledge()
    assistant.answer(Request(text=QUESTION))  # warm: model, Chroma, BM25, lexicon
    timings = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            assistant.answer(Request(text=text))
            timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  complete answer  p50 {percentile(timings, 0.5):6.2f} ms   "
        f"p95 {percentile(timings, 0.95):6.2f} ms   ({len(timings)} answers: facts, rules, "
        "hybrid retrieval, citations)"
    )


def cold_start(data: Path, runs: int) -> None:
    env = {**os.environ, "CAPEXBOT_DATA_DIR": str(data), "CAPEXBOT_KNOWLEDGE_DIR": str(KNOWLEDGE)}
    capexbot = str(Path(sys.executable).with_name("capexbot"))
    for label, command in (
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("capexbot ask", [capexbot, "ask", QUESTION]),
    ):
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT, env=env)
            timings.append(time.perf_counter() - started)
        print(
            f"  cold {label:<15} p50 {percentile(timings, 0.5):5.2f} s   "
            f"max {max(timings):5.2f} s   ({runs} runs)"
        )


def generate_policy(folder: Path, pages: int, seed: int = 7) -> int:
    """``pages`` pages of policy-like text in DOCUMENTS files, numbered sections throughout.

    Sentences are drawn from the example policy, so vocabulary and length are realistic.
    """
    sentences = [
        s.strip() + "."
        for path in sorted(KNOWLEDGE.glob("*.md"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "|"))
        for s in line.split(". ")
        if len(s) > 40
    ]
    rng = random.Random(seed)
    per_document = PAGE_CHARS * pages // DOCUMENTS
    total = 0
    for number in range(1, DOCUMENTS + 1):
        lines = [f"# Generated Policy Volume {number}", ""]
        size, section, subsection = 0, 0, 0
        while size < per_document:
            if subsection % 4 == 0:
                section += 1
                subsection = 0
                lines += [f"## {section}. Chapter {section} of volume {number}", ""]
            subsection += 1
            lines += [f"### {section}.{subsection} Topic {rng.randint(1, 10**6)}", ""]
            for _ in range(rng.randint(2, 4)):
                paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
                lines += [paragraph, ""]
                size += len(paragraph)
        text = "\n".join(lines)
        (folder / f"volume-{number:02d}.md").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def large_policy(pages: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="capexbot-bench-") as temp:
        knowledge, data = Path(temp) / "knowledge", Path(temp) / "data"
        knowledge.mkdir()
        size = generate_policy(knowledge, pages)
        print(f"\nGenerated policy: {pages} pages, {size / 1e6:.1f} MB of text, {DOCUMENTS} files")
        first = ingest_in_child(knowledge, data)
        print(
            f"  ingest           {first['seconds']:7.1f} s   peak {first['peak_mb']:6.0f} MB   "
            f"({first['chunks']:.0f} chunks; {first['wall']:.1f} s with process start)"
        )
        volume = knowledge / "volume-03.md"
        volume.write_text(volume.read_text(encoding="utf-8") + "\n\nOne more paragraph.\n")
        again = ingest_in_child(knowledge, data)
        print(
            f"  re-ingest, 1 file changed {again['seconds']:5.1f} s   "
            f"peak {again['peak_mb']:6.0f} MB   ({again['embedded']:.0f} chunks embedded)"
        )
        queries = [c.query for c in load_cases(QUERIES)]
        search_latency(knowledge, data, queries, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="size of the generated policy")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="capexbot-bench-") as temp:
        data = Path(temp)
        print("Example policy (knowledge/)")
        first = ingest_in_child(KNOWLEDGE, data)
        print(
            f"  ingest           {first['seconds']:7.1f} s   peak {first['peak_mb']:6.0f} MB   "
            f"({first['chunks']:.0f} chunks; {first['wall']:.1f} s with process start)"
        )
        again = ingest_in_child(KNOWLEDGE, data)
        print(
            f"  re-ingest, no change {again['seconds']:5.2f} s   ({again['embedded']:.0f} embedded)"
        )
        quality(data)
        print("\nWarm latency (example policy)")
        queries = [c.query for c in load_cases(QUERIES)]
        search_latency(KNOWLEDGE, data, queries, args.rounds)
        texts = queries + [
            json.loads(line)["text"] for line in SCENARIOS.read_text().splitlines() if line.strip()
        ]
        answer_latency(data, texts, args.rounds)
        print("\nCold start (index built)")
        cold_start(data, args.cold_runs)
    if args.pages > 0:
        large_policy(args.pages, args.rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nThis process peaked at {peak:.0f} MB (searches and answers, both corpora)")


if __name__ == "__main__":
    main()
