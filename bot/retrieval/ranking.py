"""Put the best section first: a linear scorer over evidence about each candidate section.

Fusion (semantic and keyword by reciprocal rank) finds the right section among the first few;
which one comes first is decided here, from features a reader of a policy would weigh:

- how close the query is to the passage (cosine) and how well its words match (BM25), each
  relative to the best candidate, and the fused rank;
- how close it comes to the section's closest **sentence** (:mod:`sentences`), relative to
  the best candidate, and how much of its vocabulary the section holds (IDF-weighted
  :class:`keyword.Coverage`);
- whether the query says what the section's **title** says, in meaning (the title's own
  vector) and in words (shared word stems with the title and with its heading path);
- the query naming the section's number;
- **structure**: an FAQ answer (an unnumbered section that names a section, or whose heading is
  a question) is a summary, the section it names rules; a section that other candidates'
  answers point to gains their evidence; a parent section is more general than its
  subsections, and a deeper number is more specific.

The weights are not set by hand: ``tools/fit_ranking.py`` fits them (pairwise logistic
regression: the expected section against every other candidate of the same query) on the
development query sets and writes ``ranking.json``. Scoring costs a few dot products per
candidate, so it runs on every hybrid search.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING

from bot.retrieval.chunking import Chunk, section_number
from bot.retrieval.expansion import as_asked
from bot.retrieval.keyword import tokens

if TYPE_CHECKING:
    import numpy as np

WEIGHTS = Path(__file__).with_name("ranking.json")
FEATURES = (
    "semantic",
    "keyword",
    "fused",
    "title_meaning",
    "title_words",
    "path_words",
    "number_named",
    "faq_answer",
    "pointed_to",
    "parent",
    "depth",
    "sentence",
    "coverage",
)
#: An FAQ answer whose question holds this share of the words of query and question together
#: is the question asked word for word (search puts it first).
VERBATIM = 0.9


@dataclass(frozen=True)
class Candidate:
    """A section as search found it: its best chunk and the raw evidence about it."""

    chunk: Chunk
    position: int  # of the best chunk in the chunk table
    semantic: float | None  # best cosine of the section's chunks, if semantic search found one
    keyword: float  # best BM25 score of the section's chunks (0 if none)
    fused_rank: int  # 1-based rank of the section after fusion


def features(
    query: str,
    candidates: list[Candidate],
    title_similarity: np.ndarray,
    sentence_similarity: np.ndarray,
    coverage: list[float],
    parents: frozenset[str],
) -> np.ndarray:
    """One row of :data:`FEATURES` per candidate. ``title_similarity[i]`` is the cosine between
    the query and candidate i's title, ``sentence_similarity[i]`` with its closest sentence,
    ``coverage[i]`` the share of the query's vocabulary it holds; ``parents`` are section
    numbers that have subsections."""
    import numpy as np

    words = _words(query)
    cosines = [c.semantic for c in candidates if c.semantic is not None]
    top_cosine, floor = (max(cosines), min(cosines)) if cosines else (0.0, 0.0)
    top_keyword = max((c.keyword for c in candidates), default=0.0) or 1.0
    top_title = float(title_similarity.max()) if len(title_similarity) else 0.0
    top_sentence = float(sentence_similarity.max()) if len(sentence_similarity) else 0.0
    pointed: dict[str, float] = {}
    for c in candidates:
        if answers_elsewhere(c.chunk):
            for number in c.chunk.refers:
                pointed[number] = max(pointed.get(number, 0.0), 1.0 / c.fused_rank)
    rows = []
    for c, similarity, sentence, share in zip(
        candidates, title_similarity, sentence_similarity, coverage, strict=True
    ):
        title_words = _words(c.chunk.path[-1])
        path_words = _words(" ".join(c.chunk.path[1:]))
        number = _number(c.chunk)
        rows.append(
            [
                (c.semantic if c.semantic is not None else floor - 0.05) - top_cosine,
                c.keyword / top_keyword,
                1.0 / c.fused_rank,
                float(similarity) - top_title,
                len(words & title_words) / len(words) if words else 0.0,
                len(words & path_words) / len(words) if words else 0.0,
                float(_names(query, number)),
                float(is_answer(c.chunk)),
                pointed.get(number, 0.0) if number else 0.0,
                float(number in parents),
                float(number.count(".") + 1 if number else 0),
                float(sentence) - top_sentence,
                share,
            ]
        )
    return np.array(rows, dtype=np.float32).reshape(-1, len(FEATURES))


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> frozenset[str]:
    return frozenset(_sequence(text))


@functools.lru_cache(maxsize=4096)
def _sequence(text: str) -> tuple[str, ...]:
    return tuple(tokens(text))


def _names(query: str, number: str) -> bool:
    """The query names section ``number``: "§4.2", "section 7", or a dotted "4.2" alone."""
    if not number:
        return False
    escaped = re.escape(number)
    named = rf"(?:§\s*|\bsection\s+){escaped}(?![\d])"
    dotted = rf"(?<![\d.,$€£]){escaped}(?![\d%]|\.\d)" if "." in number else None
    return bool(
        re.search(named, query, re.IGNORECASE) or (dotted and re.search(dotted, query))
    )


def answers_elsewhere(chunk: Chunk) -> bool:
    """An FAQ-style answer: its text names sections, and no heading above it has a number
    (a table caption under "8.2 Table of useful lives" is part of §8.2, not an answer)."""
    return bool(chunk.refers) and not _number(chunk)


def is_answer(chunk: Chunk) -> bool:
    """An FAQ answer, whether or not it names a section: no numbered heading above it, and it
    names a section or its heading is a question."""
    return answers_elsewhere(chunk) or (
        not _number(chunk) and chunk.path[-1].rstrip().endswith("?")
    )


def asked_verbatim(query: str, chunk: Chunk) -> bool:
    """``chunk`` is an FAQ answer and ``query`` is its question, word for word: the word stems
    of both, in order, agree at least :data:`VERBATIM` (difflib's ratio). The same words in
    another order ("new building - when does depreciation start?") ask about the case, not the
    FAQ entry. The words :func:`expansion.expand_query` adds in brackets at the end are not
    the asker's and are left out."""
    if not is_answer(chunk):
        return False
    words, title = _sequence(as_asked(query)), _sequence(chunk.path[-1])
    if not words or 2 * min(len(words), len(title)) < VERBATIM * (len(words) + len(title)):
        return False  # the lengths alone rule it out
    return SequenceMatcher(None, words, title).ratio() >= VERBATIM


def _number(chunk: Chunk) -> str:
    """The chunk's section number, or that of the nearest numbered heading above it: a
    loader may give an unnumbered sub-heading of its own to a table ("Table 2 - Standard
    useful lives" under "8.2 Table of useful lives")."""
    if chunk.number:
        return chunk.number
    return next((n for title in reversed(chunk.path[1:]) if (n := section_number(title))), "")


@functools.cache
def weights() -> np.ndarray:
    """The fitted weights, in :data:`FEATURES` order."""
    import numpy as np

    data = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    return np.array([data["weights"][name] for name in FEATURES], dtype=np.float32)
