"""Ingestion into a real persistent Chroma with the real embedding model, on small documents."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval.chroma import MiniLMEmbeddingFunction, open_collection
from bot.retrieval.ingest import ingest
from bot.retrieval.knowledge import KnowledgeIndexMissing, open_knowledge

DOCS = {
    "alpha.md": "# Alpha\n\n## 1. Servers\n\nServers are capitalized.\n\n"
    "## 2. Repairs\n\nRepairs are expensed.\n",
    "beta.md": "# Beta\n\n## 1. Cloud\n\nCloud usage is expensed as consumed.\n",
    "gamma.txt": "3 Leases\nLeases go to finance.\n",
}


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _sources_in_chroma(data_dir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for metadata in open_collection(data_dir).get(include=["metadatas"])["metadatas"] or []:
        source = str(metadata["source"])
        counts[source] = counts.get(source, 0) + 1
    return counts


def test_reingest_embeds_only_changed_documents_and_drops_deleted_ones(tmp_path: Path) -> None:
    knowledge, data = _write(tmp_path / "knowledge", DOCS), tmp_path / "data"

    first = ingest(knowledge, data)
    assert sorted(first.added) == ["alpha.md", "beta.md", "gamma.txt"]
    assert first.embedded == first.chunks == 4
    assert _sources_in_chroma(data) == {"alpha.md": 2, "beta.md": 1, "gamma.txt": 1}

    again = ingest(knowledge, data)
    assert again.embedded == 0 and sorted(again.unchanged) == ["alpha.md", "beta.md", "gamma.txt"]
    assert again.version == first.version

    (knowledge / "beta.md").write_text(
        "# Beta\n\n## 1. Cloud\n\nCloud usage is OpEx.\n\n## 2. SaaS\n\nSaaS is OpEx.\n",
        encoding="utf-8",
    )
    (knowledge / "gamma.txt").unlink()
    changed = ingest(knowledge, data)
    assert changed.updated == ["beta.md"] and changed.removed == ["gamma.txt"]
    assert changed.unchanged == ["alpha.md"]
    assert changed.embedded == 2  # beta's two chunks; alpha was not embedded again
    assert changed.version != first.version
    assert _sources_in_chroma(data) == {"alpha.md": 2, "beta.md": 2}
    stored = open_collection(data).get(where={"source": "beta.md"}, include=["documents"])
    assert sorted(stored["documents"] or []) == ["Cloud usage is OpEx.", "SaaS is OpEx."]


def test_unreadable_and_empty_files_are_reported_and_skipped(tmp_path: Path) -> None:
    knowledge = _write(tmp_path / "knowledge", {"alpha.md": DOCS["alpha.md"], "empty.md": "  \n"})
    (knowledge / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    report = ingest(knowledge, tmp_path / "data")
    assert report.added == ["alpha.md"]
    assert set(report.skipped) == {"broken.pdf", "empty.md"}
    assert "cannot be parsed" in report.skipped["broken.pdf"]
    assert "empty" in report.skipped["empty.md"]
    # the skipped files are remembered, so the index counts as current
    assert open_knowledge(knowledge, tmp_path / "data", build=False).chunks


def test_open_builds_a_missing_index_and_refuses_a_stale_one_when_told(tmp_path: Path) -> None:
    knowledge, data = _write(tmp_path / "knowledge", DOCS), tmp_path / "data"
    with pytest.raises(KnowledgeIndexMissing, match="capexbot ingest"):
        open_knowledge(knowledge, data, build=False)
    notices: list[str] = []
    built = open_knowledge(knowledge, data, notify=notices.append)
    assert len(built.chunks) == 4 and notices and "Indexing" in notices[0]

    (knowledge / "alpha.md").write_text("# Alpha\n\n## 1. Servers\n\nChanged.\n", encoding="utf-8")
    with pytest.raises(KnowledgeIndexMissing):
        open_knowledge(knowledge, data, build=False)
    refreshed = open_knowledge(knowledge, data)
    assert refreshed.version != built.version
    assert "Changed." in [c.text for c in refreshed.chunks]


def test_chroma_uses_the_packaged_model_for_text_queries(tmp_path: Path) -> None:
    knowledge, data = _write(tmp_path / "knowledge", DOCS), tmp_path / "data"
    ingest(knowledge, data)
    collection = open_collection(data)
    # query_texts goes through the collection's embedding function: ours, offline.
    result = collection.query(query_texts=["is renting a server a lease?"], n_results=1)
    assert result["metadatas"] and result["metadatas"][0][0]["source"] == "gamma.txt"

    vectors = np.array(MiniLMEmbeddingFunction()(["GPU server", "a repair"]))
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_an_empty_knowledge_folder_gives_an_empty_searchable_index(tmp_path: Path) -> None:
    (tmp_path / "knowledge").mkdir()
    report = ingest(tmp_path / "knowledge", tmp_path / "data")
    assert report.chunks == 0 and report.skipped == {}
    knowledge = open_knowledge(tmp_path / "knowledge", tmp_path / "data", build=False)
    assert knowledge.search("capitalization threshold") == []


def test_concurrent_first_uses_build_the_index_once(tmp_path: Path) -> None:
    knowledge, data = _write(tmp_path / "knowledge", DOCS), tmp_path / "data"
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda _: ingest(knowledge, data), range(2)))
    assert sorted(r.embedded for r in reports) == [0, 4]
    assert _sources_in_chroma(data) == {"alpha.md": 2, "beta.md": 1, "gamma.txt": 1}


@pytest.mark.parametrize("name", ["headings", "sentences"])
def test_titles_and_sentences_are_embedded_and_a_lost_vector_file_is_reported(
    tmp_path: Path, name: str
) -> None:
    import json

    from bot.retrieval.search import KnowledgeIndexUnusable
    from bot.retrieval.store import Paths

    knowledge, data = _write(tmp_path / "knowledge", DOCS), tmp_path / "data"
    ingest(knowledge, data)
    text_file, vector_file = Paths(data).vectors(name)
    texts = json.loads(text_file.read_text(encoding="utf-8"))
    vectors = np.load(vector_file)
    assert vectors.shape == (len(texts), 384) and len(set(texts)) == len(texts)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    if name == "headings":
        assert "1. Cloud" not in texts and "Cloud" in texts  # the title without its number
    else:
        assert texts == [
            "Servers are capitalized.",
            "Repairs are expensed.",
            "Cloud usage is expensed as consumed.",
            "Leases go to finance.",
        ]

    vector_file.unlink()
    with pytest.raises(KnowledgeIndexUnusable, match="ingest --rebuild"):
        open_knowledge(knowledge, data, build=False)
