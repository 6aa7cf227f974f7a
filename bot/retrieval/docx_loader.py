"""DOCX to Markdown with python-docx: heading styles, numbered and bold titles, tables.

Headings come from the paragraph style: "Title" is the document title (level 1), "Heading N"
sits below it (level N + 1), and any other style with an outline level counts as that heading.
Many policies are typed without heading styles, so a short paragraph set entirely in bold is a
heading too when it is numbered ("4.2 Useful lives", level from the number) or asks a question
(an FAQ entry, one level below the heading above it). Tables become Markdown tables whose first
row is the header; a merged cell is written once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from bot.retrieval.markup import (
    MAX_HEADING_CHARS,
    heading,
    is_question,
    numbered_level,
    question_title,
    table,
)

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph


def docx_to_markdown(path: Path) -> str:
    from docx import Document
    from docx.table import Table

    lines: list[str] = []
    current = 1  # the level of the last heading, for questions below it
    for block in Document(str(path)).iter_inner_content():
        if isinstance(block, Table):
            lines += [_table(block), ""]
            continue
        text = " ".join(block.text.split())
        if not text:
            continue
        level = _level(block, text, current)
        if level is None:
            lines += [text, ""]
            continue
        if level > current and is_question(text):
            lines += [heading(level, question_title(text)), ""]
            continue  # questions are siblings under the heading above them
        lines += [heading(level, text), ""]
        current = level
    return "\n".join(lines)


def _level(paragraph: Paragraph, text: str, current: int) -> int | None:
    styled = _style_level(paragraph)
    if styled is not None:
        return styled
    if len(text) > MAX_HEADING_CHARS or not _all_bold(paragraph):
        return None
    number = numbered_level(text)
    if number is not None:
        return number
    return min(current + 1, 6) if is_question(text) else None


def _style_level(paragraph: Paragraph) -> int | None:
    """'Title' is level 1, 'Heading N' level N + 1; a style with an outline level likewise."""
    style = paragraph.style
    while style is not None:
        name = style.name or ""
        if name == "Title":
            return 1
        match = re.fullmatch(r"Heading (\d)", name)
        if match:
            return min(int(match.group(1)) + 1, 6)
        outline = style.element.find(".//{*}outlineLvl")
        if outline is not None:
            value = outline.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val"
            )
            if value is not None and value.isdigit() and int(value) < 9:
                return min(int(value) + 2, 6)
        style = style.base_style
    return None


def _all_bold(paragraph: Paragraph) -> bool:
    runs = [run for run in paragraph.runs if run.text.strip()]
    if not runs:
        return False
    style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
    return all(run.bold or (run.bold is None and style_bold) for run in runs)


def _table(grid: Table) -> str:
    rows = []
    for row in grid.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell repeats for each grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text)
        rows.append(cells)
    return table(rows)
