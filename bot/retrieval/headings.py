"""Section titles embedded once at ingest: a query that says what a title says is evidence.

A chunk's vector mixes its title with its text; ranking also compares the query with the
title alone (the last heading of its path, without its number: "Useful lives by asset
class", or an FAQ's question). Titles are embedded at ingest and kept beside the chunk table;
a title embedded before is not embedded again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.retrieval.chunking import SECTION_NUMBER, Chunk
from bot.retrieval.store import Paths
from bot.retrieval.vectors import read_vectors, write_vectors

if TYPE_CHECKING:
    import numpy as np


def title(chunk: Chunk) -> str:
    """The chunk's own heading without its section number."""
    return SECTION_NUMBER.sub("", chunk.path[-1], count=1).strip() or chunk.path[-1]


def write_title_vectors(paths: Paths, chunks: list[Chunk]) -> None:
    """Embed the titles of ``chunks`` (reusing earlier vectors) and store them."""
    write_vectors(paths.vectors("headings"), [title(c) for c in chunks])


def read_title_vectors(paths: Paths, chunks: list[Chunk]) -> np.ndarray:
    """One row per chunk: the vector of its title."""
    import numpy as np

    known = read_vectors(paths.vectors("headings"))
    return np.array([known[title(c)] for c in chunks], dtype=np.float32)
