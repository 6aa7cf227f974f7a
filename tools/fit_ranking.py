"""Fit the hybrid ranking weights (bot/retrieval/ranking.json) on the development query sets.

Run:  .venv/bin/python tools/fit_ranking.py [--check]

Development sets only: tests/retrieval/queries.jsonl on knowledge/, and the Northwind policy
of tests/retrieval/devpolicy/ (as DOCX, with its FAQ as PDF) with its queries. The held-out
sets (tests/retrieval/holdout.jsonl, and any foreign policy) are never read here.

For every query, hybrid search's candidate sections and their features are computed; the
expected section is paired with every other candidate, and a logistic regression without
intercept learns which feature differences make a section the expected one (a pairwise
ranking model). The script prints, per set, recall@1 of the fitted model on that set and when
fitted on the other set only (how well the weights carry to a policy they were not fitted on),
then writes the weights. ``--check`` only prints and exits 1 if the file differs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core import load_policy  # noqa: E402
from bot.retrieval.evaluation import load_cases, matches  # noqa: E402
from bot.retrieval.expansion import expand_query  # noqa: E402
from bot.retrieval.knowledge import open_knowledge  # noqa: E402
from bot.retrieval.ranking import FEATURES, WEIGHTS  # noqa: E402
from tests.retrieval.devpolicy import QUERIES as DEV_QUERIES  # noqa: E402
from tests.retrieval.devpolicy import write_dev_policy  # noqa: E402

REGULARISATION = 1.0  # scikit-learn's C: the default; not tuned

Sample = tuple[np.ndarray, np.ndarray]  # (features of the candidates, which are expected)


def collect(folder: Path, queries: Path, data: Path) -> list[Sample]:
    policy = load_policy(ROOT / "rules")
    knowledge = open_knowledge(folder, data)
    samples = []
    for case in load_cases(queries):
        candidates, rows = knowledge.evidence(expand_query(case.query, policy))
        labels = np.array(
            [any(matches(e, c.chunk.section) for e in case.expected) for c in candidates]
        )
        samples.append((rows, labels))
    return samples


def fit(samples: list[Sample]) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    pairs, targets = [], []
    for rows, labels in samples:
        for good in rows[labels]:
            for bad in rows[~labels]:
                pairs += [good - bad, bad - good]
                targets += [1, 0]
    model = LogisticRegression(C=REGULARISATION, fit_intercept=False, max_iter=2000)
    model.fit(np.array(pairs), np.array(targets))
    return np.asarray(model.coef_[0], dtype=np.float64)


def recall_at_1(samples: list[Sample], weights: np.ndarray) -> float:
    hits = [labels[int(np.argmax(rows @ weights))] for rows, labels in samples if len(rows)]
    return sum(hits) / len(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="capexbot-fit-") as temp:
        scratch = Path(temp)
        dev = write_dev_policy(scratch / "northwind", "docx")
        sets = {
            "shipped": collect(ROOT / "knowledge", ROOT / "tests/retrieval/queries.jsonl",
                               scratch / "a"),
            "northwind": collect(dev, DEV_QUERIES, scratch / "b"),
        }
    weights = fit([s for samples in sets.values() for s in samples])
    for name, samples in sets.items():
        other = fit([s for n, rest in sets.items() if n != name for s in rest])
        print(
            f"{name:<10} {len(samples):>3} queries: recall@1 of the ranking model "
            f"{recall_at_1(samples, weights):.3f} fitted on all, "
            f"{recall_at_1(samples, other):.3f} fitted on the other set only"
        )
    for name, value in zip(FEATURES, weights, strict=True):
        print(f"  {name:<14} {value:+.3f}")
    data = {
        "fitted_on": ["tests/retrieval/queries.jsonl", "tests/retrieval/devpolicy/queries.jsonl"],
        "command": "python tools/fit_ranking.py",
        "weights": {name: round(float(v), 4) for name, v in zip(FEATURES, weights, strict=True)},
    }
    text = json.dumps(data, indent=1) + "\n"
    if args.check:
        same = WEIGHTS.is_file() and WEIGHTS.read_text(encoding="utf-8") == text
        print("ranking.json is up to date" if same else "ranking.json differs from a fresh fit")
        raise SystemExit(0 if same else 1)
    WEIGHTS.write_text(text, encoding="utf-8")
    print(f"wrote {WEIGHTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
