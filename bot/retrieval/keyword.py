"""Keyword search: BM25 (bm25s) over the chunks, with a tokenizer for how employees write.

Text is lower-cased and folded (accents removed), stopwords of the languages employees write in
are dropped, and words are reduced to a crude stem so that "capitalise", "capitalized" and
"capitalization" meet. The stemmer is deliberately small: the same function runs on the
chunks and the query, so it only has to be consistent, not linguistically right.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import bm25s
    import numpy as np

    from bot.retrieval.chunking import SectionKey

WORD = re.compile(r"[a-z0-9]+")
#: Stopwords that are content words in this domain ("AI", "per unit", "our own servers").
KEEP = frozenset({"ai", "per", "non", "own", "over", "under", "before", "after", "nas"})
SPELLING = {"licence": "license", "centre": "center", "labour": "labor", "programme": "program"}
SUFFIXES = (
    "izations", "isations", "ization", "isation", "ations", "ation", "ating", "ated", "izing",
    "ising", "ized", "ised", "izes", "ises", "ize", "ise", "ate", "ings", "ing", "ment", "ed",
    "ly",
)  # fmt: skip


def fold(text: str) -> str:
    """Lower case without accents: "Réparation" -> "reparation"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem (see the module docstring). Remembered per word: the policy's 46,000 words
    are 2,000 distinct ones, stemmed again for every chunk and every query."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    word = SPELLING.get(word, word)
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    stop = _stopwords()
    return [
        stem(word)
        for word in WORD.findall(fold(text))
        if word not in stop and (len(word) > 1 or word.isdigit())
    ]


@functools.cache
def _stopwords() -> frozenset[str]:
    from bm25s import stopwords

    languages = ("EN_PLUS", "GERMAN", "FRENCH", "SPANISH", "PORTUGUESE", "DUTCH", "ITALIAN")
    words = {fold(w) for lang in languages for w in getattr(stopwords, f"STOPWORDS_{lang}")}
    return frozenset(words - KEEP)


class KeywordIndex:
    """BM25 over chunk texts; positions are the chunk order the index was built with.

    A corpus without a single searchable word (no documents, or only stopwords) has no BM25
    model (bm25s cannot index it) and finds nothing.
    """

    def __init__(self, model: bm25s.BM25 | None) -> None:
        self._model = model

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        import bm25s

        corpus = [tokens(t) for t in texts]
        if not any(corpus):
            return cls(None)
        model = bm25s.BM25()
        model.index(corpus, show_progress=False)
        return cls(model)

    def save(self, directory: Path) -> None:
        if self._model is not None:
            self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> KeywordIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(directory)) if directory.is_dir() else None)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """The best ``k`` positions with a positive score, best first."""
        import numpy as np

        if self._model is None:
            return []
        ids = self._model.get_tokens_ids(tokens(query))
        if not ids:
            return []
        scores: np.ndarray = self._model.get_scores(ids)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]


class Coverage:
    """How much of a question's vocabulary a section holds: the share of the query's words
    found in the section's text (all its parts), each word weighted by its rarity in the
    policy (IDF over chunks). A section that says every rare word of the question is more
    likely the one that answers it than a neighbour on the same topic."""

    def __init__(self, sections: Iterable[tuple[SectionKey, str, str]]) -> None:
        """``sections``: (section key, indexed text, text) of every chunk."""
        frequency = Counter[str]()
        self._words: dict[SectionKey, set[str]] = {}
        chunks = 0
        for key, indexed, text in sections:
            chunks += 1
            frequency.update(set(tokens(indexed)))
            self._words.setdefault(key, set()).update(tokens(text))
        self._idf = {w: math.log(1 + chunks / n) for w, n in frequency.items()}
        self._unseen = math.log(1 + chunks)  # a word no chunk has weighs like the rarest

    def shares(self, query: str, sections: list[SectionKey]) -> list[float]:
        """For each section, the IDF-weighted share of the query's words it contains."""
        weights = {w: self._idf.get(w, self._unseen) for w in set(tokens(query))}
        total = sum(weights.values())
        if not total:
            return [0.0] * len(sections)
        return [
            sum(v for w, v in weights.items() if w in self._words.get(key, ())) / total
            for key in sections
        ]
