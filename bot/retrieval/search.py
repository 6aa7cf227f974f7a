"""Search the ingested policy in stages: keyword (BM25), semantic (Chroma), their fusion, and
hybrid, which ranks the fused candidates by the evidence in :mod:`ranking`.

Every mode first puts the query's typos right against the policy's words (:mod:`spelling`).
Results are one passage per section (the section's best-matching chunk), so a long section
cut into parts does not crowd the top results. Fusion combines the two rankings with
reciprocal rank fusion: ``score = Σ 1 / (RRF_K + rank)``, which needs no calibration between
cosine similarities and BM25 scores. Hybrid (the default) scores the first
:data:`RERANKED` fused sections with the fitted ranking model, then applies the rule every
policy reader follows: a section an FAQ answer points to ("See policy §5.4.") comes right
before that answer, because the policy rules and the answer only summarises it; unless the
query is that answer's question word for word, which then comes first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.errors import CapexbotError
from bot.retrieval.chunking import Chunk
from bot.retrieval.headings import read_title_vectors
from bot.retrieval.keyword import Coverage, KeywordIndex
from bot.retrieval.sentences import SentenceIndex
from bot.retrieval.spelling import Speller
from bot.retrieval.store import Manifest, Paths, read_chunks

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api.models.Collection import Collection

    from bot.retrieval.ranking import Candidate

Mode = Literal["hybrid", "fusion", "semantic", "keyword"]
MODES: tuple[Mode, ...] = ("keyword", "semantic", "fusion", "hybrid")
RRF_K = 60
CANDIDATES = 30  # chunks taken from each method before fusing
RERANKED = 20  # fused sections the ranking model orders


class KnowledgeIndexUnusable(CapexbotError):
    """The index is there but cannot be read: damaged files, or a Chroma server that does not
    answer. The message says what to run."""


REBUILD_HINT = "if the index is damaged, `capexbot ingest --rebuild` builds it again"


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # hybrid: fused rank score; semantic: cosine similarity; keyword: BM25


class KnowledgeBase:
    """The ingested policy of one data folder, loaded for searching.

    The keyword index, chunk table and title vectors load from disk at once; Chroma and the
    embedding model load on the first semantic or hybrid search.
    """

    def __init__(self, data_dir: Path, manifest: Manifest) -> None:
        paths = Paths(data_dir)
        self.data_dir = data_dir
        self.version = manifest.version
        self.chunks = read_chunks(paths)
        self._position = {c.id: i for i, c in enumerate(self.chunks)}
        self._by_number: dict[str, list[Chunk]] = {}
        for chunk in self.chunks:
            if chunk.number:
                self._by_number.setdefault(chunk.number, []).append(chunk)
        self._keyword = KeywordIndex.load(paths.keyword)
        self._collection: Collection | None = None
        self._titles = read_title_vectors(paths, self.chunks)
        self._sentences = SentenceIndex(paths, self.chunks)
        self._coverage: Coverage | None = None  # built on the first hybrid search
        self._parents = frozenset(
            number.rsplit(".", 1)[0] for number in self._by_number if "." in number
        )
        #: The ranking model's weights, when not the fitted ones of ``ranking.json`` (a fit
        #: scoring a set with weights fitted on the others).
        self.weights: np.ndarray | None = None
        self._speller: Speller | None = None  # built on the first search

    def search(self, query: str, k: int = 5, mode: Mode = "hybrid") -> list[Hit]:
        """The ``k`` best sections for ``query``, each with its best passage, best first."""
        if not query.strip() or not self.chunks:
            return []
        query = self._spelled(query)
        depth = max(CANDIDATES, 3 * k)
        if mode == "hybrid":
            return self._ranked(query)[:k]
        if mode == "keyword":
            ranked = self._keyword_ranked(query, depth)
        elif mode == "semantic":
            ranked = self._semantic(self._embed(query), depth)
        else:
            ranked = self._fused(query, self._embed(query), depth)
        hits = list(_best_per_section(ranked, self.chunks))
        return list(self._with_references(hits))[:k]

    def evidence(self, query: str) -> tuple[list[Candidate], np.ndarray]:
        """The sections hybrid search ranks, with the :data:`ranking.FEATURES` of each."""
        return self._evidence(self._spelled(query))

    def _evidence(self, query: str) -> tuple[list[Candidate], np.ndarray]:
        from bot.retrieval.ranking import features

        vector = self._embed(query)
        semantic = self._semantic(vector, CANDIDATES)
        keyword = self._keyword_ranked(query, CANDIDATES)
        candidates = self._candidates(semantic, keyword, _fuse(semantic, keyword))
        positions = [c.position for c in candidates]
        sections = [_key(c.chunk) for c in candidates]
        if self._coverage is None:
            self._coverage = Coverage((_key(c), c.indexed_text, c.text) for c in self.chunks)
        return candidates, features(
            query,
            candidates,
            self._titles[positions] @ vector[0],
            self._sentences.closest(vector[0], sections),
            self._coverage.shares(query, sections),
            self._parents,
        )

    def _ranked(self, query: str) -> list[Hit]:
        """The fused sections ordered by the ranking model, policy sections before the FAQ
        answers that point to them."""
        from bot.retrieval.ranking import asked_verbatim, weights

        candidates, rows = self._evidence(query)
        scores = rows @ (weights() if self.weights is None else self.weights)
        asked = [asked_verbatim(query, c.chunk) for c in candidates]
        order = sorted(range(len(candidates)), key=lambda i: (not asked[i], -scores[i]))
        hits = [Hit(candidates[i].chunk, float(scores[i])) for i in order]
        return _policy_first(hits, frozenset(candidates[i].chunk.id for i in order if asked[i]))

    def _spelled(self, query: str) -> str:
        """``query`` with its typos put right against the policy's words (:mod:`spelling`)."""
        if self._speller is None:
            from bot.retrieval.encoder import whole_words

            self._speller = Speller((c.indexed_text for c in self.chunks), whole_words())
        return self._speller.correct(query)

    def _fused(self, query: str, vector: np.ndarray, depth: int) -> list[tuple[int, float]]:
        return _fuse(self._semantic(vector, depth), self._keyword_ranked(query, depth))

    def _candidates(
        self,
        semantic: list[tuple[int, float]],
        keyword: list[tuple[int, float]],
        fused: list[tuple[int, float]],
    ) -> list[Candidate]:
        """The first RERANKED fused sections and the sections their FAQ answers point to."""
        from bot.retrieval.ranking import Candidate

        cosine: dict[tuple[str, tuple[str, ...]], float] = {}
        for position, score in semantic:
            key = _key(self.chunks[position])
            cosine[key] = max(cosine.get(key, score), score)
        bm25: dict[tuple[str, tuple[str, ...]], float] = {}
        for position, score in keyword:
            key = _key(self.chunks[position])
            bm25[key] = max(bm25.get(key, score), score)
        hits = list(_best_per_section(fused, self.chunks))[:RERANKED]
        listed = list(self._with_references(hits))
        return [
            Candidate(
                hit.chunk,
                self._position[hit.chunk.id],
                cosine.get(_key(hit.chunk)),
                bm25.get(_key(hit.chunk), 0.0),
                rank,
            )
            for rank, hit in enumerate(listed, start=1)
        ]

    def in_section(self, number: str) -> list[Chunk]:
        """Chunks of section ``number`` ("5.1"); for a bare parent ("8"), of its first part."""
        exact = self._by_number.get(number)
        if exact:
            return exact
        nested = [c for c in self.chunks if c.number.startswith(f"{number}.")]
        return [c for c in nested if c.path == nested[0].path] if nested else []

    def _with_references(self, hits: list[Hit]) -> Iterable[Hit]:
        """Each hit, then (if not listed already) the sections of another document it points
        to, at its score: an FAQ answer brings the policy section it names."""
        best = {(h.chunk.source, h.chunk.path): h.chunk for h in hits}
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for hit in hits:
            named = (self._first(n) for n in hit.chunk.refers)
            others = (c for c in named if c is not None and c.source != hit.chunk.source)
            for chunk in (hit.chunk, *others):
                if (key := (chunk.source, chunk.path)) in seen:
                    continue
                seen.add(key)
                yield Hit(best.get(key, chunk), hit.score)

    def _first(self, number: str) -> Chunk | None:
        chunks = self.in_section(number)
        return chunks[0] if chunks else None

    def _embed(self, query: str) -> np.ndarray:
        from bot.retrieval.encoder import get_encoder

        return get_encoder().encode([query])

    def _semantic(self, vector: np.ndarray, depth: int) -> list[tuple[int, float]]:
        try:
            result = self._chroma().query(
                query_embeddings=vector,
                n_results=min(depth, len(self.chunks)),
                include=["distances"],
            )
        except Exception as exc:  # chromadb raises its own errors, httpx's, sqlite's...
            from bot.retrieval.chroma import forget_clients

            self._collection = None  # open it afresh next time (a server back, a rebuild)
            forget_clients()
            raise KnowledgeIndexUnusable(
                f"Chroma failed ({type(exc).__name__}: {exc}); {REBUILD_HINT}."
            ) from exc
        distances = (result["distances"] or [[]])[0]
        return [
            (self._position[chunk_id], 1.0 - distance)
            for chunk_id, distance in zip(result["ids"][0], distances, strict=True)
            if chunk_id in self._position
        ]

    def _keyword_ranked(self, query: str, depth: int) -> list[tuple[int, float]]:
        return self._keyword.search(query, depth)

    def _chroma(self) -> Collection:
        if self._collection is None:
            from bot.retrieval.chroma import open_collection

            self._collection = open_collection(self.data_dir)
        return self._collection


def _fuse(*rankings: list[tuple[int, float]]) -> list[tuple[int, float]]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (position, _) in enumerate(ranking, start=1):
            scores[position] = scores.get(position, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def _key(chunk: Chunk) -> tuple[str, tuple[str, ...]]:
    return (chunk.source, chunk.path)


def _policy_first(hits: list[Hit], verbatim: frozenset[str] = frozenset()) -> list[Hit]:
    """Each section an answer points to (in another document) moved to just before the
    answer, if it was ranked below it; except for the answers whose question the query asks
    word for word (chunk ids in ``verbatim``), which keep their place."""
    from bot.retrieval.ranking import answers_elsewhere

    ordered = list(hits)
    for hit in hits:
        if not answers_elsewhere(hit.chunk) or hit.chunk.id in verbatim:
            continue
        at = ordered.index(hit)
        for number in reversed(hit.chunk.refers):
            below = next(
                (
                    h
                    for h in ordered[at + 1 :]
                    if h.chunk.number == number and h.chunk.source != hit.chunk.source
                ),
                None,
            )
            if below is not None:
                ordered.remove(below)
                ordered.insert(at, below)
    return ordered


def _best_per_section(ranked: Iterable[tuple[int, float]], chunks: list[Chunk]) -> Iterable[Hit]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for position, score in ranked:
        chunk = chunks[position]
        key = (chunk.source, chunk.path)
        if key not in seen:
            seen.add(key)
            yield Hit(chunk, score)
