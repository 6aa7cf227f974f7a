"""Every sentence of the policy embedded on its own at ingest.

A question is often answered by one sentence of a long section ("irrecoverable VAT is part of
the cost"), and the section's vector, a mix of all its sentences and its headings, dilutes
it. Ranking therefore also asks how close the query comes to the section's closest sentence
(a table row counts as a sentence). Sentences are embedded at ingest and kept beside the
chunk table; a sentence embedded before is not embedded again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.retrieval.chunking import Chunk, SectionKey
from bot.retrieval.store import Paths
from bot.retrieval.vectors import read_vectors, write_vectors

if TYPE_CHECKING:
    import numpy as np

BOUNDARY = re.compile(r"(?<=[.!?;])\s+")
MIN_CHARS = 12  # shorter pieces ("Yes.", a lone figure) say nothing on their own


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: each line cut after ".", "!", "?" or ";" (a table's rule
    row and pieces too short to say anything left out)."""
    pieces = (p.strip() for line in text.splitlines() for p in BOUNDARY.split(line))
    return [p for p in pieces if len(p) >= MIN_CHARS and re.search(r"[^\W\d_]", p)]


def write_sentence_vectors(paths: Paths, chunks: list[Chunk]) -> None:
    """Embed the sentences of ``chunks`` (reusing earlier vectors) and store them."""
    texts = [s for c in chunks for s in sentences(c.text)]
    write_vectors(paths.vectors("sentences"), texts)


class SentenceIndex:
    """The sentence vectors of every section, to find each section's closest sentence."""

    def __init__(self, paths: Paths, chunks: list[Chunk]) -> None:
        import numpy as np

        known = read_vectors(paths.vectors("sentences"))
        rows: dict[SectionKey, list[np.ndarray]] = {}
        for chunk in chunks:
            vectors = rows.setdefault((chunk.source, chunk.path), [])
            vectors += [known[s] for s in sentences(chunk.text)]
        self._sections = {key: np.array(v, dtype=np.float32) for key, v in rows.items() if v}

    def closest(self, vector: np.ndarray, sections: list[SectionKey]) -> np.ndarray:
        """For each section, the cosine of its sentence closest to ``vector`` (0 if none)."""
        import numpy as np

        found = (self._sections.get(key) for key in sections)
        return np.array(
            [float((rows @ vector).max()) if rows is not None else 0.0 for rows in found],
            dtype=np.float32,
        )
