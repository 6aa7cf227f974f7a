"""Section titles embedded once at ingest: a query that says what a title says is evidence.

A chunk's vector mixes its title with its text; ranking also compares the query with the
title alone (the last heading of its path, without its number: "Useful lives by asset
class", or an FAQ's question). Titles are embedded at ingest and kept beside the chunk table;
a title embedded before is not embedded again.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from bot.retrieval.chunking import SECTION_NUMBER, Chunk
from bot.retrieval.store import Paths

if TYPE_CHECKING:
    import numpy as np


def title(chunk: Chunk) -> str:
    """The chunk's own heading without its section number."""
    return SECTION_NUMBER.sub("", chunk.path[-1], count=1).strip() or chunk.path[-1]


def write_title_vectors(paths: Paths, chunks: list[Chunk]) -> None:
    """Embed the titles of ``chunks`` (reusing earlier vectors) and store them."""
    import numpy as np

    from bot.retrieval.encoder import DIMENSIONS, get_encoder

    known = _read(paths)
    texts = list(dict.fromkeys(title(c) for c in chunks))
    missing = [t for t in texts if t not in known]
    if missing:
        known.update(zip(missing, get_encoder().encode(missing), strict=True))
    vectors = np.array([known[t] for t in texts], dtype=np.float32).reshape(-1, DIMENSIONS)
    paths.heading_texts.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    np.save(paths.heading_vectors, vectors)


def read_title_vectors(paths: Paths, chunks: list[Chunk]) -> np.ndarray:
    """One row per chunk: the vector of its title."""
    import numpy as np

    known = _read(paths)
    return np.array([known[title(c)] for c in chunks], dtype=np.float32)


def _read(paths: Paths) -> dict[str, np.ndarray]:
    import numpy as np

    if not paths.heading_texts.is_file() or not paths.heading_vectors.is_file():
        return {}
    texts = json.loads(paths.heading_texts.read_text(encoding="utf-8"))
    vectors = np.load(paths.heading_vectors)
    return dict(zip(texts, vectors, strict=True))
