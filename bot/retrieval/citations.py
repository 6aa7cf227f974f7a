"""The policy passages behind an answer.

Rules decide and retrieval explains: the sections the fired rules implement are cited first
(the part of each section that best matches the request, else its opening), then the
passages that hybrid search finds for the request itself, up to :data:`MAX_CITATIONS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.core.decision import Citation
from bot.retrieval.chunking import Chunk
from bot.retrieval.search import KnowledgeBase

MAX_CITATIONS = 4
LEAD_CHARS = 400


def citations_for(knowledge: KnowledgeBase, query: str, sections: Iterable[str]) -> list[Citation]:
    """Citations for the rule ``sections`` ("5.1", in order), then for ``query`` (may be "")."""
    hits = knowledge.search(query, MAX_CITATIONS) if query.strip() else []
    matched = {(h.chunk.source, h.chunk.path): h for h in hits}
    cited: list[Citation] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for number in dict.fromkeys(sections):
        chunks = knowledge.in_section(number)
        if not chunks:
            continue  # `capexbot check` reports rules citing a section the documents lack
        key = (chunks[0].source, chunks[0].path)
        if key in seen:
            continue
        seen.add(key)
        hit = matched.get(key)
        cited.append(_citation(hit.chunk if hit else chunks[0], hit.score if hit else None))
    for hit in hits:
        key = (hit.chunk.source, hit.chunk.path)
        if len(cited) >= MAX_CITATIONS:
            break
        if key not in seen:
            seen.add(key)
            cited.append(_citation(hit.chunk, hit.score))
    return cited


def policy_answer(knowledge: KnowledgeBase, question: str) -> tuple[str, list[Citation]]:
    """A question about the policy answered from its text: the best passage's opening, cited."""
    hits = knowledge.search(question, 3)
    if not hits:
        return (
            "I could not find this in the policy documents; finance can answer it.",
            [],
        )
    best = hits[0].chunk
    summary = f"From {best.source} › {best.path[-1]}: “{lead(best.text)}”"
    return summary, [_citation(h.chunk, h.score) for h in hits]


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The first sentences of ``text`` that fit in ``limit`` characters (at least one)."""
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(text.split()))
    out = sentences[0]
    for sentence in sentences[1:]:
        if len(out) + 1 + len(sentence) > limit:
            break
        out = f"{out} {sentence}"
    return out if len(out) <= limit else out[: limit - 1].rsplit(" ", 1)[0] + "…"


def _citation(chunk: Chunk, score: float | None) -> Citation:
    return Citation(source=chunk.source, section=chunk.section, passage=chunk.text, score=score)
