"""Texts embedded once at ingest and kept beside the chunk table (a JSON list of the texts and
a NumPy array of their vectors, in the same order); a text embedded before is not embedded
again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def write_vectors(files: tuple[Path, Path], texts: list[str]) -> None:
    """Store the vectors of ``texts`` (each once) in ``files`` (:meth:`store.Paths.vectors`),
    embedding only those not stored there before."""
    import numpy as np

    from bot.retrieval.encoder import DIMENSIONS, get_encoder

    texts_path, vectors_path = files
    known = read_vectors(files)
    unique = list(dict.fromkeys(texts))
    missing = [t for t in unique if t not in known]
    if missing:
        known.update(zip(missing, get_encoder().encode(missing), strict=True))
    vectors = np.array([known[t] for t in unique], dtype=np.float32).reshape(-1, DIMENSIONS)
    texts_path.write_text(json.dumps(unique, ensure_ascii=False), encoding="utf-8")
    np.save(vectors_path, vectors)


def read_vectors(files: tuple[Path, Path]) -> dict[str, np.ndarray]:
    """Text -> vector, as stored in ``files``; empty when nothing is."""
    import numpy as np

    texts_path, vectors_path = files
    if not texts_path.is_file() or not vectors_path.is_file():
        return {}
    texts = json.loads(texts_path.read_text(encoding="utf-8"))
    vectors = np.load(vectors_path)
    return dict(zip(texts, vectors, strict=True))
