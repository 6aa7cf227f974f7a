"""Retrieval quality and speed per search stage, on every query set, in one command.

Run:  .venv/bin/python benchmarks/retrieval_quality.py [--foreign DIR] [--rounds 3]

Sets scored (each indexed afresh in a temporary data folder):

- ``shipped``: tests/retrieval/queries.jsonl on knowledge/ (development set);
- ``holdout``: tests/retrieval/holdout.jsonl on knowledge/ (written after tuning, never tuned on);
- ``dev-<format>``: tests/retrieval/devpolicy/, the Northwind policy the tests generate as PDF,
  DOCX and HTML, with its own queries (development set);
- with ``--foreign DIR``: every ``DIR/<org>/`` that holds a ``queries.jsonl``, indexed as the
  knowledge folder. A fresh folder is a held-out set: score it, never tune on it.
  ``tests/retrieval/foreign15/``, ``foreign16/`` and ``foreign17/`` are not any more: the
  ranking is fitted on them
  (``tools/fit_ranking.py``, which reports them leave-one-organisation-out).

For each set and stage it prints recall@1, recall@3, recall@5, MRR and the warm search time
(p50/p95 over ``--rounds`` passes of the set's queries, query expansion included). Only the
summary is printed, never a case, so held-out sets can be scored without being read.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import load_policy  # noqa: E402
from bot.retrieval.evaluation import RetrievalCase, evaluate, load_cases  # noqa: E402
from bot.retrieval.expansion import expand_query  # noqa: E402
from bot.retrieval.knowledge import open_knowledge  # noqa: E402
from bot.retrieval.search import MODES, KnowledgeBase  # noqa: E402

KNOWLEDGE = ROOT / "knowledge"
TESTS = ROOT / "tests" / "retrieval"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timings(
    knowledge: KnowledgeBase, queries: list[str], mode: str, rounds: int
) -> tuple[float, float]:
    knowledge.search(queries[0], 10, mode)  # type: ignore[arg-type]
    spent = []
    for _ in range(rounds):
        for query in queries:
            started = time.perf_counter()
            knowledge.search(query, 10, mode)  # type: ignore[arg-type]
            spent.append((time.perf_counter() - started) * 1000)
    return percentile(spent, 0.5), percentile(spent, 0.95)


def score(
    name: str,
    knowledge: KnowledgeBase,
    cases: list[RetrievalCase],
    expand: Callable[[str], str],
    rounds: int,
) -> None:
    print(f"\n{name} ({len(cases)} queries, knowledge {knowledge.version})")
    print(f"  {'stage':<10}{'recall@1':>9}{'recall@3':>9}{'recall@5':>9}{'MRR':>7}   search ms")
    queries = [expand(c.query) for c in cases]
    for mode in MODES:
        s = evaluate(knowledge, cases, mode, expand).summary
        p50, p95 = timings(knowledge, queries, mode, rounds)
        print(
            f"  {mode:<10}{s.recall_at_1:>9.3f}{s.recall_at_3:>9.3f}{s.recall_at_5:>9.3f}"
            f"{s.mrr:>7.3f}   p50 {p50:5.2f}  p95 {p95:5.2f}"
        )


def sets(foreign: Path | None, scratch: Path) -> list[tuple[str, Path, Path]]:
    """(name, knowledge folder, queries) of every set to score."""
    from tests.retrieval.devpolicy import write_dev_policy

    found = [
        ("shipped", KNOWLEDGE, TESTS / "queries.jsonl"),
        ("holdout", KNOWLEDGE, TESTS / "holdout.jsonl"),
    ]
    for form in ("pdf", "docx", "html"):
        folder = write_dev_policy(scratch / f"dev-{form}", form)
        found.append((f"dev-{form}", folder, TESTS / "devpolicy" / "queries.jsonl"))
    if foreign is not None:
        found += [
            (f"foreign {d.name}", d, d / "queries.jsonl")
            for d in sorted(foreign.iterdir())
            if (d / "queries.jsonl").is_file()
        ]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--foreign", type=Path, help="folder of <org>/ folders with queries.jsonl")
    parser.add_argument("--rounds", type=int, default=3, help="timing passes over each set")
    parser.add_argument("--only", help="score only the sets whose name contains this")
    args = parser.parse_args()

    policy = load_policy(ROOT / "rules")

    def expand(query: str) -> str:
        return expand_query(query, policy)

    with tempfile.TemporaryDirectory(prefix="capexbot-quality-") as temp:
        scratch = Path(temp)
        opened: dict[Path, KnowledgeBase] = {}
        for name, folder, queries in sets(args.foreign, scratch):
            if args.only and args.only not in name:
                continue
            if folder not in opened:
                opened[folder] = open_knowledge(folder, scratch / f"data-{len(opened)}")
            knowledge = opened[folder]
            score(name, knowledge, load_cases(queries), expand, args.rounds)


if __name__ == "__main__":
    main()
