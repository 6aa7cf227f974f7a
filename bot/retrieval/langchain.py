"""The knowledge base for the LangChain ecosystem: an Embeddings and a retriever.

``MiniLMEmbeddings`` embeds with the same packaged model as ingestion, so a LangChain vector
store built with it is comparable with ours. ``PolicyRetriever`` runs our hybrid search and
returns one Document per policy section, with source, section and score in its metadata.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever

from bot.retrieval.encoder import get_encoder
from bot.retrieval.search import KnowledgeBase, Mode


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8, packaged): 384-dimensional, L2-normalised vectors."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return get_encoder().encode(texts).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return get_encoder().encode([text])[0].tolist()  # type: ignore[no-any-return]


class PolicyRetriever(BaseRetriever):
    """Hybrid (or semantic / keyword) search over the ingested policy documents."""

    knowledge: KnowledgeBase
    k: int = 4
    mode: Mode = "hybrid"
    expand: Callable[[str], str] | None = None  # e.g. query expansion from the rules lexicon

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        if self.expand is not None:
            query = self.expand(query)
        return [
            Document(
                id=hit.chunk.id,
                page_content=hit.chunk.text,
                metadata={
                    "source": hit.chunk.source,
                    "section": hit.chunk.section,
                    "section_number": hit.chunk.number,
                    "score": hit.score,
                },
            )
            for hit in self.knowledge.search(query, self.k, self.mode)
        ]
