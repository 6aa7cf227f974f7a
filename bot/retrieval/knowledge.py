"""Open the knowledge base for a knowledge folder, building or refreshing its index if needed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.errors import CapexbotError
from bot.retrieval.search import REBUILD_HINT, KnowledgeBase, KnowledgeIndexUnusable
from bot.retrieval.store import Manifest, Paths, file_hashes, locked, read_manifest


class KnowledgeIndexMissing(CapexbotError):
    """The index does not match the knowledge folder and building it was not allowed."""


def open_knowledge(
    knowledge_dir: Path,
    data_dir: Path,
    build: bool = True,
    notify: Callable[[str], None] | None = None,
    progress: bool = False,
) -> KnowledgeBase:
    """The knowledge base of ``knowledge_dir``, indexed under ``data_dir``.

    The documents' bytes are hashed and compared with the manifest of the last ingest (a few
    ms for the example policy). When they differ, or nothing was ingested yet, the index is
    brought up to date first (only changed documents are embedded again), unless ``build``
    is False, in which case :class:`KnowledgeIndexMissing` says what to run.
    """
    paths = Paths(data_dir)
    hashes = file_hashes(knowledge_dir)
    with locked(paths, exclusive=False):
        manifest = read_manifest(paths)
        if manifest is not None and manifest.current_for(hashes):
            return _loaded(data_dir, manifest)
    if not build:
        raise KnowledgeIndexMissing(
            f"The policy index in {data_dir} does not match {knowledge_dir}: run `capexbot ingest`."
        )
    from bot.retrieval.ingest import ingest

    if notify is not None:
        verb = "Indexing" if manifest is None else "Updating the index of"
        notify(f"{verb} the policy documents in {knowledge_dir}…")
    # If another process is ingesting, this waits for it and then finds nothing left to embed.
    ingest(knowledge_dir, data_dir, progress)
    with locked(paths, exclusive=False):
        manifest = read_manifest(paths)
        assert manifest is not None  # ingest writes it last
        return _loaded(data_dir, manifest)


def _loaded(data_dir: Path, manifest: Manifest) -> KnowledgeBase:
    try:
        return KnowledgeBase(data_dir, manifest)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise KnowledgeIndexUnusable(
            f"The policy index in {data_dir} cannot be read ({type(exc).__name__}: {exc}); "
            f"{REBUILD_HINT}."
        ) from exc
