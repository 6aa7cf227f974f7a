"""Search the ingested policy: semantic (Chroma), keyword (BM25) or both fused by rank.

Results are one passage per section (the section's best-matching chunk), so a long section
cut into parts does not crowd the top results. Hybrid search fuses the two rankings with
reciprocal rank fusion: ``score = Σ 1 / (RRF_K + rank)``, which needs no calibration between
cosine similarities and BM25 scores. A result that points to its authority ("See policy
§5.4.", as FAQ answers do) is followed by that section, so the policy text itself is found
whenever a summary of it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.retrieval.chunking import Chunk
from bot.retrieval.keyword import KeywordIndex
from bot.retrieval.store import Manifest, Paths, read_chunks

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

Mode = Literal["hybrid", "semantic", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "semantic", "keyword")
RRF_K = 60
CANDIDATES = 30  # chunks taken from each method before fusing


class KnowledgeIndexUnusable(Exception):
    """The index is there but cannot be read: damaged files, or a Chroma server that does not
    answer. The message says what to run."""


REBUILD_HINT = "if the index is damaged, `capexbot ingest --rebuild` builds it again"


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # hybrid: fused rank score; semantic: cosine similarity; keyword: BM25


class KnowledgeBase:
    """The ingested policy of one data folder, loaded for searching.

    The keyword index and chunk table load from disk at once; Chroma and the embedding model
    load on the first semantic or hybrid search.
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

    def search(self, query: str, k: int = 5, mode: Mode = "hybrid") -> list[Hit]:
        """The ``k`` best sections for ``query``, each with its best passage, best first."""
        if not query.strip() or not self.chunks:
            return []
        depth = max(CANDIDATES, 3 * k)
        if mode == "semantic":
            ranked = self._semantic(query, depth)
        elif mode == "keyword":
            ranked = self._keyword_ranked(query, depth)
        else:
            ranked = _fuse(self._semantic(query, depth), self._keyword_ranked(query, depth))
        hits = list(_best_per_section(ranked, self.chunks))
        return list(self._with_references(hits))[:k]

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

    def _semantic(self, query: str, depth: int) -> list[tuple[int, float]]:
        from bot.retrieval.encoder import get_encoder

        vector = get_encoder().encode([query])
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


def _best_per_section(ranked: Iterable[tuple[int, float]], chunks: list[Chunk]) -> Iterable[Hit]:
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for position, score in ranked:
        chunk = chunks[position]
        key = (chunk.source, chunk.path)
        if key not in seen:
            seen.add(key)
            yield Hit(chunk, score)
