"""Loaders keep the structure office tools put in PDF, DOCX and HTML (generated documents)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.retrieval.chunking import MAX_CHARS, Chunk, chunk_document, headings
from bot.retrieval.documents import load_text
from tests.retrieval.devpolicy import FAQ_FORM, write_dev_policy
from tests.retrieval.devpolicy.content import FAQ, POLICY

FORMS = ("pdf", "docx", "html")


def _chunks(path: Path) -> list[Chunk]:
    return chunk_document(path.name, load_text(path), default_title=path.stem)


@pytest.fixture(scope="module", params=FORMS)
def policy_chunks(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[Chunk]:
    folder = write_dev_policy(tmp_path_factory.mktemp(request.param), request.param)
    return _chunks(next(folder.glob(f"*policy.{request.param}")))


def test_numbered_headings_keep_their_number_and_level(policy_chunks: list[Chunk]) -> None:
    by_number = {c.number: c for c in policy_chunks}
    assert by_number["3.2"].path == (
        POLICY.title,
        "3. Measuring cost",
        "3.2 Part-exchange of old equipment",
    )
    assert by_number["3.2"].text.startswith("When a supplier accepts an old asset")
    expected = {s.number for s in POLICY.sections if s.paragraphs or s.table}
    assert expected <= set(by_number)


def test_table_rows_stay_with_their_header(policy_chunks: list[Chunk]) -> None:
    [lives] = [c for c in policy_chunks if c.number == "4.3"]
    lines = lives.text.splitlines()
    assert lines[0] == "| Asset class | Useful life | Notes |"
    assert "| Forklift trucks | 8 years | including batteries bought with the truck |" in lines
    approvals = next(c for c in policy_chunks if c.number == "7")
    assert approvals.text.splitlines()[0] == "| Total request | Approved by |"


def test_running_headers_navigation_and_footers_are_dropped(policy_chunks: list[Chunk]) -> None:
    text = "\n".join(c.text for c in policy_chunks)
    for noise in ("internal", "Page 1", "Home", "Internal use only"):
        assert noise not in text


@pytest.mark.parametrize("policy_form", FORMS)
def test_faq_questions_become_sibling_headings(tmp_path: Path, policy_form: str) -> None:
    folder = write_dev_policy(tmp_path, policy_form)
    chunks = _chunks(next(folder.glob(f"asset-faq.{FAQ_FORM[policy_form]}")))
    assert [c.path for c in chunks] == [(FAQ.title, e.question) for e in FAQ.entries]
    forklift = chunks[1]
    assert forklift.text.startswith("Forklift trucks are depreciated over eight years")
    assert forklift.refers == ("4.3",)


def test_pdf_headings_come_from_fonts_not_from_numbers_alone(tmp_path: Path) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF()
    pdf.add_page()
    lines = [
        ("B", 15, "Spending Rules of a Long Title That Wraps Onto a Second Line of the Page"),
        ("B", 12, "Vehicles"),
        ("", 10, "2 Vans are depreciated over five years and cars over four."),
        ("", 10, "10 Forklifts are kept for eight years."),
        ("B", 10, "Do trailers count as vehicles?"),
        ("", 10, "Yes, trailers are vehicles."),
    ]
    for style, size, text in lines:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(60 if size == 15 else 0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.output(str(tmp_path / "rules.pdf"))

    titles = [(h.level, h.title) for h in headings(load_text(tmp_path / "rules.pdf"))]
    assert titles == [
        (1, lines[0][2]),  # wrapped over several lines, joined
        (2, "Vehicles"),
        (3, "Do trailers count as vehicles?"),  # bold at body size, asking: a question
    ]  # "2 Vans are ..." is a numbered body line in the body font: not a heading


def test_docx_bold_numbered_paragraphs_and_merged_cells(tmp_path: Path) -> None:
    from docx import Document

    docx = Document()
    docx.add_paragraph().add_run("Fleet Policy").bold = True
    docx.add_paragraph().add_run("4.2 Useful lives").bold = True
    docx.add_paragraph("Lives are assigned at registration.")
    grid = docx.add_table(rows=3, cols=2)
    grid.cell(0, 0).merge(grid.cell(0, 1)).text = "Useful lives"
    for row, (name, life) in enumerate((("Vans", "5 years"), ("Racking", "15 years")), start=1):
        grid.cell(row, 0).text, grid.cell(row, 1).text = name, life
    docx.save(str(tmp_path / "fleet.docx"))

    [section] = [c for c in _chunks(tmp_path / "fleet.docx") if c.number]
    assert section.path[-1] == "4.2 Useful lives"
    assert "Useful lives | Useful lives" not in section.text  # the merged cell, once
    assert "| Vans | 5 years |" in section.text


def test_html_number_in_its_own_element_and_dl_questions(tmp_path: Path) -> None:
    page = (
        "<html><body><header><a href='/'>Intranet</a></header><article>"
        "<h1>Asset Handbook</h1><h2><span class='n'>3.1</span><span>Threshold</span></h2>"
        "<div>Items of GBP 3,000 or more are assets.</div>"
        "<h2>FAQ</h2><dl><dt>Is a laptop an asset?</dt><dd>No, see section 3.1.</dd>"
        "<dt>Is a van an asset?</dt><dd>Yes.</dd></dl></article></body></html>"
    )
    (tmp_path / "handbook.html").write_text(page, encoding="utf-8")
    chunks = _chunks(tmp_path / "handbook.html")
    assert [c.path[1:] for c in chunks] == [
        ("3.1 Threshold",),
        ("FAQ", "Is a laptop an asset?"),
        ("FAQ", "Is a van an asset?"),
    ]
    assert chunks[0].text == "Items of GBP 3,000 or more are assets."
    assert chunks[1].refers == ("3.1",)


def test_a_long_table_is_cut_with_its_header_in_every_part() -> None:
    rows = "\n".join(f"| Asset class {i} with a long name | {i % 9 + 2} years |" for i in range(60))
    text = f"# P\n\n## 4.3 Lives\n\n| Asset class | Useful life |\n| --- | --- |\n{rows}\n"
    chunks = chunk_document("p.md", text, "p")
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith("| Asset class | Useful life |\n| --- | --- |\n| Asset")
        assert len(chunk.text) <= MAX_CHARS
    assert sum(c.text.count("with a long name") for c in chunks) == 60


def test_pdf_contents_page_and_unruled_table_header_are_not_sections(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_y(40)  # below the top margin, where running headers are dropped

    def line(style: str, size: int, *cells: tuple[float, str]) -> None:
        pdf.set_font("helvetica", style, size)
        for x, text in cells:
            pdf.set_x(x)
            pdf.cell(0 if x == cells[-1][0] else 20, 6, text)
        pdf.ln(7)

    line("B", 16, (10, "Fleet Policy"))
    line("B", 13, (10, "Contents"))
    line("B", 10, (10, "2 Recognition"))
    line("", 10, (16, "2.1 Threshold ..... 2"))
    pdf.add_page()
    pdf.set_y(40)
    line("B", 13, (10, "2"), (40, "Recognition"))  # the number in a margin column
    line("B", 11, (10, "2.1 Threshold"))
    line("", 10, (10, "Each item is measured on its own."))
    line("B", 10, (10, "Category"), (90, "Threshold"))  # a table drawn without rules
    line("", 10, (10, "Trucks"), (90, "USD 2,500"))
    pdf.output(str(tmp_path / "fleet.pdf"))

    chunks = _chunks(tmp_path / "fleet.pdf")
    assert [c.path for c in chunks] == [("Fleet Policy", "2 Recognition", "2.1 Threshold")]
    assert [text for text in chunks[0].text.splitlines() if text] == [
        "Each item is measured on its own.",
        "Category Threshold",
        "Trucks USD 2,500",
    ]
