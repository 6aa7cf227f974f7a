"""Loading every supported format and chunking by heading (no model, no index)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.retrieval.chunking import MAX_CHARS, chunk_document, headings, references
from bot.retrieval.documents import DocumentError, load_text, policy_files
from bot.retrieval.keyword import Coverage
from bot.retrieval.sentences import sentences
from tests.retrieval.conftest import KNOWLEDGE_DIR
from tests.retrieval.files import write_docx, write_pdf

MARKDOWN = """\
# Example Policy

Preamble text.

## 2. Definitions

### 2.1 Control

Control means the power to direct use.

```
## not a heading inside code
```

## 9. Leases

Leases go to finance.
"""


def test_markdown_chunks_keep_the_heading_path_and_section_number() -> None:
    chunks = chunk_document("policy.md", MARKDOWN, default_title="policy")
    by_number = {c.number: c for c in chunks}
    control = by_number["2.1"]
    assert control.path == ("Example Policy", "2. Definitions", "2.1 Control")
    assert control.section == "Example Policy › 2. Definitions › 2.1 Control"
    assert "not a heading" in control.text  # fenced code stays text
    assert by_number["9"].text == "Leases go to finance."
    assert by_number[""].path == ("Example Policy",)  # the preamble belongs to the title
    assert "2." not in by_number  # a heading with no text of its own is not a chunk


def test_chunk_ids_are_stable_and_distinct() -> None:
    first = chunk_document("policy.md", MARKDOWN, "policy")
    again = chunk_document("policy.md", MARKDOWN, "policy")
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    elsewhere = chunk_document("other.md", MARKDOWN, "policy")
    assert not {c.id for c in first} & {c.id for c in elsewhere}


def test_long_sections_are_cut_into_parts_that_keep_the_path() -> None:
    paragraph = "A sentence about capitalization thresholds and useful lives. " * 12
    text = "# P\n\n## 4. Depreciation\n\n" + "\n\n".join([paragraph] * 6)
    chunks = chunk_document("p.md", text, "p")
    assert len(chunks) > 1
    assert all(c.path == ("P", "4. Depreciation") and c.number == "4" for c in chunks)
    assert [c.part for c in chunks] == list(range(len(chunks)))
    assert all(len(c.text) <= MAX_CHARS for c in chunks)


def test_a_document_whose_top_sections_are_level_one_headings_keeps_them_in_every_path() -> None:
    text = "# 1 Introduction\n\nScope.\n\n# 2 Thresholds\n\n## 2.1 By category\n\nGBP 10,000.\n"
    chunks = chunk_document("policy.html", text, "policy")
    assert [c.path for c in chunks] == [
        ("policy", "1 Introduction"),
        ("policy", "2 Thresholds", "2.1 By category"),
    ]
    assert chunks[1].indexed_text.startswith("2 Thresholds › 2.1 By category\n")


def test_faq_answers_point_to_their_policy_section() -> None:
    assert references("Yes, it is CapEx. See policy §5.2 and §5.4.") == ("5.2", "5.4")
    assert references("Costs are expensed (policy section 3.5).") == ("3.5",)
    assert references("Refer to clause 4 of FIN-03.") == ("4",)
    assert references("It costs USD 5,000 over 3.5 years.") == ()
    # the way foreign FAQs cite: "(see 2.1)", and lists after one reference word
    assert references("Charged to Minor Equipment (see 2.1).") == ("2.1",)
    assert references("Only tires on a new unit count (see 4.4.2 and 4.4.1).") == ("4.4.2", "4.4.1")
    assert references("Sections 5.2, 5.3 and §6 apply.") == ("5.2", "5.3", "6")
    assert references("Please see 5 years of records; policy 2.1 and 40 pumps.") == ("2.1",)
    found = references("Expensed when mounted (4.4.2). Grouped [2.1, 2.2].")
    assert found == ("4.4.2", "2.1", "2.2")
    assert references("Kept for (3.5 years) or (3) months.") == ()


def test_the_shipped_policy_has_numbered_sections_and_faq_questions() -> None:
    files = policy_files(KNOWLEDGE_DIR)
    assert [f.name for f in files] == ["capitalization-policy.md", "faq.md"]
    policy = [h.title for h in headings(load_text(files[0]))]
    assert "5.1 Owned hardware, servers and GPUs" in policy
    faq = chunk_document("faq.md", load_text(files[1]), "faq")
    assert all(c.refers for c in faq)  # every FAQ answer ends with "See policy §..."


def test_docx_heading_styles_become_the_heading_path(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "handbook.docx",
        "Acme Handbook",
        [(1, "5. Equipment", "Equipment rules."), (2, "5.1 Owned hardware", "Servers we buy.")],
    )
    chunks = chunk_document("handbook.docx", load_text(path), "handbook")
    owned = next(c for c in chunks if c.number == "5.1")
    assert owned.path == ("Acme Handbook", "5. Equipment", "5.1 Owned hardware")
    assert owned.text == "Servers we buy."


def test_html_headings_lists_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "policy.html"
    path.write_text(
        "<html><head><title>x</title><style>p{}</style></head><body>"
        "<h1>Web Policy</h1><h2>3.1 Threshold</h2><p>Items of <b>USD 1,000</b> or more.</p>"
        "<ul><li>Laptops are expensed.</li></ul>"
        "<table><tr><th>Class</th><th>Life</th></tr><tr><td>Servers</td><td>5</td></tr></table>"
        "<script>ignored()</script></body></html>",
        encoding="utf-8",
    )
    [chunk] = chunk_document("policy.html", load_text(path), "policy")
    assert chunk.path == ("Web Policy", "3.1 Threshold")
    assert "Items of USD 1,000 or more." in chunk.text
    assert "Laptops are expensed." in chunk.text and "| Servers | 5 |" in chunk.text
    assert "ignored" not in chunk.text


def test_pdf_and_text_get_headings_from_numbered_lines(tmp_path: Path) -> None:
    lines = ["Treasury Policy", "4 Leases", "Leases go to the treasury desk.", "4.1 Colocation"]
    pdf = write_pdf(tmp_path / "treasury.pdf", [*lines, "Colocation is reviewed monthly."])
    chunks = chunk_document("treasury.pdf", load_text(pdf), "treasury")
    colocation = next(c for c in chunks if c.number == "4.1")
    assert colocation.path == ("treasury", "4 Leases", "4.1 Colocation")
    assert colocation.text == "Colocation is reviewed monthly."

    text = tmp_path / "notes.txt"
    text.write_text("2 Scope\nAll spending.\n2.1 Exceptions\nNone.\n", encoding="utf-8")
    numbers = [c.number for c in chunk_document("notes.txt", load_text(text), "notes")]
    assert numbers == ["2", "2.1"]


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("broken.pdf", b"%PDF-1.4 this is not really a pdf", "cannot be parsed"),
        ("broken.docx", b"not a zip file", "cannot be parsed"),
        ("latin1.txt", "Réparation".encode("latin-1"), "not UTF-8"),
    ],
)
def test_unreadable_files_raise_a_document_error(
    tmp_path: Path, name: str, content: bytes, why: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=why):
        load_text(path)


def test_only_supported_visible_files_are_policy_files(tmp_path: Path) -> None:
    for name in ("a.md", "b.PDF", "c.png", ".hidden.md", "sub/d.htm", ".git/e.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in policy_files(tmp_path)]
    assert found == ["a.md", "b.PDF", "sub/d.htm"]


def test_sentences_are_cut_at_their_ends_and_table_rows_stand_alone() -> None:
    text = (
        "Items of USD 5,000 or more are assets. Cheaper items are expensed; no pooling at all."
        "\n\n| Asset class | Useful life |\n| --- | --- |\n| Forklift trucks | 8 years |\nYes."
    )
    assert sentences(text) == [
        "Items of USD 5,000 or more are assets.",
        "Cheaper items are expensed;",
        "no pooling at all.",
        "| Asset class | Useful life |",
        "| Forklift trucks | 8 years |",
    ]  # "| --- | --- |" and "Yes." are too short to say anything


def test_coverage_weighs_the_rare_words_of_the_question() -> None:
    a, b = ("p.md", ("P", "5.1 Trade-ins")), ("p.md", ("P", "5.2 Sales"))
    coverage = Coverage(
        [
            (a, "Trade-ins", "A trade-in allowance reduces the cost of the new asset."),
            (b, "Sales", "The gain on a sale of an old asset goes to other income."),
            (b, "Sales", "Every asset sale needs a disposal form for the asset."),
        ]
    )
    first, second = coverage.shares("trade-in allowance on an old asset", [a, b])
    assert first > second > 0  # "allowance" is rare, "asset" is everywhere
    assert coverage.shares("the of", [a, b]) == [0.0, 0.0]  # stopwords only
