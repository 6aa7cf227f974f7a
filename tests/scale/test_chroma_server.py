"""The knowledge base on a Chroma server (``CAPEXBOT_CHROMA_URL``): ingest and retrieval go
through a local ``chroma run`` process, nothing is written to the on-disk store, a rebuild
empties the server's collection first, and a server that stops answering gives a clear error."""

from __future__ import annotations

from pathlib import Path

import chromadb
import pytest

from bot.retrieval.chroma import COLLECTION
from bot.retrieval.ingest import ingest
from bot.retrieval.knowledge import open_knowledge
from bot.retrieval.search import KnowledgeIndexUnusable
from tests.support.chroma import chroma_server
from tests.support.fixtures import KNOWLEDGE

pytestmark = pytest.mark.chroma_server


def server_count(url: str) -> int:
    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port))
    return client.get_collection(COLLECTION).count()


def test_ingest_and_retrieval_run_through_the_server(
    chroma_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAPEXBOT_CHROMA_URL", chroma_url)
    report = ingest(KNOWLEDGE, tmp_path)
    assert report.embedded == report.chunks > 100
    assert not (tmp_path / "chroma").exists()  # the vectors are on the server
    assert server_count(chroma_url) == report.chunks
    knowledge = open_knowledge(KNOWLEDGE, tmp_path, build=False)
    [hit] = knowledge.search("What is our capitalization threshold?", 1, "semantic")
    assert "threshold" in hit.chunk.text.lower() and hit.score > 0.3
    hybrid = knowledge.search("cloud computing implementation costs", 3, "hybrid")
    assert any("implementation" in h.chunk.text.lower() for h in hybrid)
    again = ingest(KNOWLEDGE, tmp_path)
    assert again.embedded == 0 and again.unchanged  # what the server holds is trusted
    rebuilt = ingest(KNOWLEDGE, tmp_path, rebuild=True)
    assert rebuilt.embedded == rebuilt.chunks and server_count(chroma_url) == rebuilt.chunks


def test_a_server_that_stops_answering_gives_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chroma_url: str
) -> None:
    with chroma_server(tmp_path / "short-lived") as url:
        monkeypatch.setenv("CAPEXBOT_CHROMA_URL", url)
        ingest(KNOWLEDGE, tmp_path / "data")
        knowledge = open_knowledge(KNOWLEDGE, tmp_path / "data", build=False)
        assert knowledge.search("useful life of servers", 1, "semantic")
    with pytest.raises(KnowledgeIndexUnusable, match="Chroma failed"):
        knowledge.search("useful life of servers", 1, "semantic")
    assert knowledge.search("useful life of servers", 1, "keyword")  # keywords need no server
