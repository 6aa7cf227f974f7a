"""PDF to Markdown with pdfplumber: headings from fonts, tables from ruling lines.

A PDF has no heading markup, only text drawn in fonts. Words are grouped into lines by their
baseline; the body font is the size most characters are set in. A short line set larger than
the body, or entirely in bold, is a heading: numbered ones ("4.2 Useful lives") take their
level from the number, the others from their size (the larger, the higher). A heading that
wraps onto a second line is joined, and a number drawn apart from its title ("4.2" in a
margin column) stays with it because both sit on one baseline.

Tables found by their ruling lines become Markdown tables (first row the header) at their place
on the page, and their words are not read a second time as lines. A line whose words stand in
columns (a table drawn without rules) is never a heading, so its header row stays with its
rows. Lines repeated at the top or
bottom of most pages (running headers, "Page 3 of 14") are dropped. Without any styled
heading (a PDF set in one font), numbered lines are the headings, as in plain text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from bot.retrieval.chunking import SECTION_NUMBER
from bot.retrieval.markup import heading, is_question, numbered_level, question_title, table

BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d+(?:\s*(?:of|/)\s*\d+)?$", re.IGNORECASE)
MARGIN = 0.1  # share of the page height at top and bottom where running lines live
MAX_HEADING_CHARS = 160
COLUMN_GAP = 3.0  # a gap between two words of a line wider than this many font sizes


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    text: str
    size: float
    bold: bool
    edge: bool  # in the top or bottom margin of its page
    columns: bool = False  # words set far apart: a row of a table drawn without rules
    table: str = ""  # a whole Markdown table standing in for its rows


def pdf_to_markdown(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        lines = [line for number, page in enumerate(pdf.pages) for line in _page(page, number)]
        pages = len(pdf.pages)
    lines = _without_running_lines(lines, pages)
    return "\n".join(_markdown(lines))


def _page(page: Any, number: int) -> list[Line]:
    found = page.find_tables()
    boxes = [t.bbox for t in found]
    words = page.extract_words(extra_attrs=["fontname", "size"], use_text_flow=False)
    words = [w for w in words if not any(_inside(w, box) for box in boxes)]
    lines = _lines(words, number, float(page.height))
    for grid in found:
        rows = [[cell or "" for cell in row] for row in grid.extract()]
        text = table(rows)
        if text:
            top, bottom = grid.bbox[1], grid.bbox[3]
            lines.append(Line(number, top, bottom, "", 0.0, False, False, table=text))
    return sorted(lines, key=lambda line: line.top)


def _inside(word: dict[str, Any], box: tuple[float, float, float, float]) -> bool:
    x = (word["x0"] + word["x1"]) / 2
    y = (word["top"] + word["bottom"]) / 2
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def _lines(words: list[dict[str, Any]], page: int, height: float) -> list[Line]:
    """Words on (nearly) the same baseline, left to right, as one line each."""
    rows: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["bottom"]), w["x0"])):
        if rows and abs(rows[-1][0]["bottom"] - word["bottom"]) <= 2.0:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        text = " ".join(w["text"] for w in row)
        sizes = Counter[float]()
        for w in row:
            sizes[round(float(w["size"]), 1)] += len(w["text"])
        top, bottom = min(w["top"] for w in row), max(w["bottom"] for w in row)
        edge = bottom < height * MARGIN or top > height * (1 - MARGIN)
        bold = all(BOLD.search(str(w["fontname"])) for w in row)
        size = sizes.most_common(1)[0][0]
        # a section number may stand apart from its title ("4.2" in a margin column)
        spaced = row[1:] if SECTION_NUMBER.match(row[0]["text"]) else row
        gaps = (b["x0"] - a["x1"] for a, b in pairwise(spaced))
        columns = max(gaps, default=0.0) > COLUMN_GAP * size
        lines.append(Line(page, top, bottom, text, size, bold, edge, columns))
    return lines


def _without_running_lines(lines: list[Line], pages: int) -> list[Line]:
    """Drop page numbers, margin lines that repeat on at least half the pages, and margin
    lines in a font smaller than the body's (a one-page document's running header)."""

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", line.text.lower())

    repeated = Counter(key(line) for line in lines if line.edge and not line.table)
    threshold = max(2, pages // 2)
    body = _body_size(lines)
    return [
        line
        for line in lines
        if line.table
        or not (
            PAGE_NUMBER.match(line.text.strip())
            or (line.edge and line.size < body - 0.5)
            or (line.edge and pages > 1 and repeated[key(line)] >= threshold)
        )
    ]


def _markdown(lines: list[Line]) -> list[str]:
    body = _body_size(lines)
    styled = [line for line in lines if _styled(line, body)]
    sizes = sorted({line.size for line in styled}, reverse=True)
    out: list[str] = []
    pending: tuple[int, str] | None = None  # a heading that may continue on the next line
    previous: Line | None = None  # the last body line, for paragraph breaks
    for line in lines:
        level = None if line.table else _heading_level(line, body, sizes, bool(styled))
        if level is not None:
            text = question_title(line.text) if is_question(line.text) else line.text
            if pending and pending[0] == level and _wraps(pending[1], line.text):
                pending = (level, f"{pending[1]} {text}")
            else:
                if pending:
                    out += ["", heading(*pending), ""]
                pending = (level, text)
            previous = None
            continue
        if pending:
            out += ["", heading(*pending), ""]
            pending = None
        if line.table:
            out += ["", line.table, ""]
        else:
            if previous is not None and _gap(previous, line) > 0.8 * (line.bottom - line.top):
                out.append("")  # a paragraph break
            out.append(line.text)
        previous = None if line.table else line
    if pending:
        out += ["", heading(*pending)]
    return out


def _wraps(first: str, second: str) -> bool:
    """The second heading line continues the first: not numbered, and the first not a question."""
    return numbered_level(second) is None and not is_question(first)


def _body_size(lines: list[Line]) -> float:
    sizes = Counter[float]()
    for line in lines:
        if not line.table:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _styled(line: Line, body: float) -> bool:
    """Set apart from the body text: larger, or all bold; short enough for a title, and not
    set in columns (the header row of a table without rules)."""
    if line.table or line.columns or len(line.text) > MAX_HEADING_CHARS:
        return False
    if not re.search(r"[A-Za-z]", line.text):
        return False
    if line.text.rstrip().endswith((",", ";")):
        return False
    return line.size > body + 0.5 or line.bold


def _heading_level(line: Line, body: float, sizes: list[float], use_styles: bool) -> int | None:
    number = numbered_level(line.text)
    if not use_styles:
        return number
    if not _styled(line, body):
        return None
    if number is not None:
        return number
    at_body_size = line.size <= body + 0.5
    if at_body_size and line.text.rstrip().endswith((".", ":")) and not is_question(line.text):
        return None  # a bold sentence is emphasis, not a title
    return min(sizes.index(line.size) + 1, 6)


def _gap(previous: Line, line: Line) -> float:
    if previous.page != line.page:
        return 0.0
    return line.top - previous.bottom
