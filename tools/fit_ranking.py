"""Fit the hybrid ranking weights (bot/retrieval/ranking.json) on the development query sets.

Run:  .venv/bin/python tools/fit_ranking.py [--check]

Development sets, one per organisation: tests/retrieval/queries.jsonl on knowledge/, the
Northwind policy of tests/retrieval/devpolicy/ (as DOCX, with its FAQ as PDF), and every
foreign policy of tests/retrieval/foreign15/, tests/retrieval/foreign16/ and
tests/retrieval/foreign17/ (PDF, DOCX and HTML, each with an HTML FAQ; foreign16 and foreign17
were each scored fresh before they joined): eleven organisations. The held-out set
(tests/retrieval/holdout.jsonl) and any fresher foreign policy are never read.

For every query, hybrid search's candidate sections and their features are computed; the
expected section is paired with every other candidate, and a logistic regression without
intercept learns which feature differences make a section the expected one (a pairwise
ranking model). How well the weights carry to an organisation they were not fitted on is
measured leave-one-organisation-out: each set is searched with weights fitted on the other
sets only, and scored like ``capexbot eval-retrieval`` (recall@1, recall@3, MRR), beside
fusion (the ranking model's input order). Then the
weights fitted on every set are written. ``--check`` only prints and exits 1 if the file
differs: another list of sets, or a weight more than ``TOLERANCE`` away (the fit is not
bit-for-bit repeatable: two runs on the same tree differ by up to about 0.002 in a weight).
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
from bot.retrieval.evaluation import RetrievalCase, evaluate, load_cases, matches  # noqa: E402
from bot.retrieval.expansion import expand_query  # noqa: E402
from bot.retrieval.knowledge import open_knowledge  # noqa: E402
from bot.retrieval.ranking import FEATURES, WEIGHTS  # noqa: E402
from bot.retrieval.search import KnowledgeBase  # noqa: E402
from tests.retrieval.devpolicy import QUERIES as DEV_QUERIES  # noqa: E402
from tests.retrieval.devpolicy import write_dev_policy  # noqa: E402

REGULARISATION = 1.0  # scikit-learn's C: the default; not tuned
TOLERANCE = 0.01  # largest difference in a weight --check accepts
FOREIGN = tuple(ROOT / "tests" / "retrieval" / f"foreign{n}" for n in (15, 16, 17))

Sample = tuple[np.ndarray, np.ndarray]  # (features of the candidates, which are expected)


class DevSet:
    """One organisation's policy, indexed, with its queries and their ranking samples."""

    def __init__(self, folder: Path, queries: Path, data: Path) -> None:
        policy = load_policy(ROOT / "rules")
        self.knowledge: KnowledgeBase = open_knowledge(folder, data)
        self.cases: list[RetrievalCase] = load_cases(queries)
        self.expand = lambda query: expand_query(query, policy)
        self.samples: list[Sample] = []
        for case in self.cases:
            candidates, rows = self.knowledge.evidence(self.expand(case.query))
            labels = np.array(
                [any(matches(e, c.chunk.section) for e in case.expected) for c in candidates]
            )
            self.samples.append((rows, labels))

    def score(self, weights: np.ndarray | None) -> str:
        """Hybrid with ``weights``, or fusion when None."""
        self.knowledge.weights = weights
        mode = "fusion" if weights is None else "hybrid"
        s = evaluate(self.knowledge, self.cases, mode, self.expand).summary
        self.knowledge.weights = None
        return f"{s.recall_at_1:.3f} / {s.recall_at_3:.3f}, MRR {s.mrr:.3f}"


def fit(samples: list[Sample]) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    pairs, targets = [], []
    for rows, labels in samples:
        for good in rows[labels]:
            for bad in rows[~labels]:
                pairs += [good - bad, bad - good]
                targets += [1, 0]
    model = LogisticRegression(C=REGULARISATION, fit_intercept=False, max_iter=5000)
    model.fit(np.array(pairs), np.array(targets))
    return np.asarray(model.coef_[0], dtype=np.float32)


def development_sets(scratch: Path) -> dict[str, DevSet]:
    dev = write_dev_policy(scratch / "northwind", "docx")
    found = {
        "shipped": DevSet(ROOT / "knowledge", ROOT / "tests/retrieval/queries.jsonl",
                          scratch / "shipped"),
        "northwind": DevSet(dev, DEV_QUERIES, scratch / "northwind-data"),
    }
    for family in FOREIGN:
        for org in sorted(family.iterdir()):
            if (org / "queries.jsonl").is_file():
                found[org.name] = DevSet(org, org / "queries.jsonl", scratch / org.name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="capexbot-fit-") as temp:
        sets = development_sets(Path(temp))
        weights = fit([s for dev in sets.values() for s in dev.samples])
        print("recall@1 / recall@3, MRR: fusion | hybrid, weights fitted on the other sets "
              "| hybrid, on all")
        for name, dev in sets.items():
            other = fit([s for n, rest in sets.items() if n != name for s in rest.samples])
            print(f"  {name:<22} {len(dev.cases):>3} queries: {dev.score(None)} | "
                  f"{dev.score(other)} | {dev.score(weights)}")
    for name, value in zip(FEATURES, weights, strict=True):
        print(f"  {name:<14} {value:+.3f}")
    data = {
        "fitted_on": [
            "tests/retrieval/queries.jsonl",
            "tests/retrieval/devpolicy/queries.jsonl",
            *(str((family / n / "queries.jsonl").relative_to(ROOT)) for family in FOREIGN
              for n in sets if (family / n / "queries.jsonl").is_file()),
        ],
        "command": "python tools/fit_ranking.py",
        "weights": {name: round(float(v), 4) for name, v in zip(FEATURES, weights, strict=True)},
    }
    text = json.dumps(data, indent=1) + "\n"
    if args.check:
        same = WEIGHTS.is_file() and _close(json.loads(WEIGHTS.read_text(encoding="utf-8")), data)
        print("ranking.json is up to date" if same else "ranking.json differs from a fresh fit")
        raise SystemExit(0 if same else 1)
    WEIGHTS.write_text(text, encoding="utf-8")
    print(f"wrote {WEIGHTS.relative_to(ROOT)}")


def _close(saved: dict, fresh: dict) -> bool:
    """The same sets and command, and every weight within ``TOLERANCE``."""
    if {k: v for k, v in saved.items() if k != "weights"} != {
        k: v for k, v in fresh.items() if k != "weights"
    }:
        return False
    old, new = saved.get("weights", {}), fresh["weights"]
    return old.keys() == new.keys() and all(abs(old[k] - new[k]) <= TOLERANCE for k in new)


if __name__ == "__main__":
    main()
