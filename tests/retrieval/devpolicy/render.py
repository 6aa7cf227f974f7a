"""Render a :class:`Document` the way office tools and intranets do, with no Markdown in sight.

- PDF (fpdf2): bold, larger headings; body text in a smaller regular font; tables with a bold
  header row and borders; a running header and page numbers on every page.
- DOCX (python-docx): Title and Heading 1/2 styles, tables with a header row; FAQ questions
  as bold paragraphs in the Normal style (no heading style at all).
- HTML: ``<h1>``–``<h3>`` with the number in its own ``<span>``, ``<table>`` with ``<th>``,
  FAQ entries as ``<details><summary>``, inside navigation and a footer the loader must drop.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from tests.retrieval.devpolicy.content import Document, Section, Table

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def write_pdf(document: Document, path: Path) -> Path:
    from fpdf import FPDF

    class Pdf(FPDF):
        def header(self) -> None:
            self.set_font("body", size=8)
            self.cell(0, 6, "Northwind Freight Ltd · internal", align="R")
            self.ln(10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("body", size=8)
            self.cell(0, 10, f"Page {self.page_no()}", align="C")

    pdf = Pdf()
    pdf.add_font("body", "", str(FONT))
    pdf.add_font("body", "B", str(BOLD))
    pdf.add_page()
    pdf.set_font("body", "B", 16)
    _lines(pdf, 8, document.title)
    pdf.ln(4)
    for section in document.sections:
        pdf.set_font("body", "B", 14 if section.level == 1 else 12)
        _lines(pdf, 7, section.heading)
        pdf.ln(1)
        pdf.set_font("body", "", 10)
        for paragraph in section.paragraphs:
            _lines(pdf, 5, paragraph)
            pdf.ln(2)
        if section.table is not None:
            _pdf_table(pdf, section.table)
    for entry in document.entries:
        pdf.set_font("body", "B", 11)
        _lines(pdf, 6, entry.question)
        pdf.set_font("body", "", 10)
        _lines(pdf, 5, entry.answer)
        pdf.ln(3)
    pdf.output(str(path))
    return path


def _lines(pdf: FPDF, height: float, text: str) -> None:
    from fpdf.enums import XPos, YPos

    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pdf_table(pdf: FPDF, table: Table) -> None:
    with pdf.table(first_row_as_headings=True) as grid:
        for row in (table.header, *table.rows):
            cells = grid.row()
            for value in row:
                cells.cell(value)
    pdf.ln(3)


def write_docx(document: Document, path: Path) -> Path:
    from docx import Document as Docx

    docx = Docx()
    docx.add_heading(document.title, level=0)
    for section in document.sections:
        docx.add_heading(section.heading, level=section.level)
        for paragraph in section.paragraphs:
            docx.add_paragraph(paragraph)
        if section.table is not None:
            grid = docx.add_table(rows=0, cols=len(section.table.header))
            for row in (section.table.header, *section.table.rows):
                for cell, value in zip(grid.add_row().cells, row, strict=True):
                    cell.text = value
    for entry in document.entries:
        docx.add_paragraph().add_run(entry.question).bold = True
        docx.add_paragraph(entry.answer)
    docx.save(str(path))
    return path


def write_html(document: Document, path: Path) -> Path:
    body = [f"<h1>{html.escape(document.title)}</h1>"]
    for section in document.sections:
        body.append(_html_section(section))
    for entry in document.entries:
        body.append(
            f"<details><summary>{html.escape(entry.question)}</summary>"
            f"<p>{html.escape(entry.answer)}</p></details>"
        )
    page = (
        "<!doctype html><html><head><title>Northwind intranet</title>"
        "<style>body{font-family:sans-serif}</style></head><body>"
        "<nav><a href='/'>Home</a> <a href='/finance'>Finance</a></nav>"
        f"<main>{''.join(body)}</main>"
        "<footer>© Northwind Freight Ltd. Internal use only.</footer></body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path


def _html_section(section: Section) -> str:
    tag = f"h{section.level + 1}"
    number = section.number if section.level > 1 else f"{section.number}."
    parts = [
        f"<{tag}><span class='num'>{number}</span> {html.escape(section.title)}</{tag}>",
        *(f"<p>{html.escape(p)}</p>" for p in section.paragraphs),
    ]
    if section.table is not None:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in section.table.header)
        rows = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>"
            for row in section.table.rows
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return "".join(parts)
