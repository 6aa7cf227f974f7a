"""HTML to Markdown with BeautifulSoup: ``<h1>``–``<h6>``, FAQ questions, tables.

The page is walked in document order. Headings keep everything inside them ("<span>4.2</span>
Useful lives" stays one title). An FAQ's questions become headings one level below the
heading above them, whether they are marked up as ``<summary>`` (accordions), ``<dt>``, or a
paragraph that is all bold and asks a question. Tables become Markdown tables whose header is
their ``<th>`` row (or first row). Scripts, styles, navigation, and page headers and footers
that hold no heading are dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.retrieval.markup import heading, is_question, numbered_level, question_title, table

if TYPE_CHECKING:
    from bs4 import Tag

DROPPED = ("script", "style", "noscript", "template", "nav", "svg", "form", "button")
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
QUESTIONS = ("summary", "dt")
TEXT_BLOCKS = ("p", "li", "dd", "pre", "blockquote", "figcaption", "caption", "address")


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 1  # the level of the last heading

    def heading(self, level: int, text: str) -> None:
        self.lines += [heading(level, text), ""]
        self.level = level

    def question(self, text: str) -> None:
        """A question: one level below the heading above it, which stays the current one."""
        self.lines += [heading(self.level + 1, question_title(text)), ""]

    def text(self, text: str) -> None:
        if text:
            self.lines += [text, ""]


def html_to_markdown(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    for tag in soup(DROPPED):
        tag.decompose()
    for tag in soup(["header", "footer", "aside"]):
        if tag.find(HEADINGS) is None:
            tag.decompose()
    writer = _Writer()
    _walk(soup.body or soup, writer)
    return "\n".join(writer.lines)


def _walk(element: Tag, writer: _Writer) -> None:
    from bs4 import NavigableString, Tag

    loose: list[str] = []  # text directly inside a container (a <div> with no <p>)
    for child in element.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not a comment or doctype
                loose.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        if child.name in ("b", "strong", "em", "i", "a", "span", "code", "small", "sup", "br"):
            loose.append(child.get_text(" ") if child.name != "br" else "\n")
            continue
        writer.text(" ".join("".join(loose).split()))
        loose = []
        _block(child, writer)
    writer.text(" ".join("".join(loose).split()))


def _block(tag: Tag, writer: _Writer) -> None:
    text = " ".join(tag.get_text(" ").split())
    if tag.name in HEADINGS:
        if text:
            writer.heading(int(tag.name[1]), question_title(text) if is_question(text) else text)
    elif tag.name in QUESTIONS:
        if text:
            writer.question(text)
    elif tag.name == "table":
        writer.text(_table(tag))
    elif tag.name in TEXT_BLOCKS or not tag.find(True):
        _paragraph(tag, text, writer)
    else:
        _walk(tag, writer)


def _paragraph(tag: Tag, text: str, writer: _Writer) -> None:
    """A paragraph; one that is all bold and asks a question, or is numbered, is a title."""
    bold = tag.find(["b", "strong"])
    if bold is not None and " ".join(bold.get_text(" ").split()) == text and text:
        number = numbered_level(text)
        if number is not None:
            writer.heading(number, text)
            return
        if is_question(text):
            writer.question(text)
            return
    if tag.name in ("ul", "ol") or tag.find(["li", "p"]):
        _walk(tag, writer)
    else:
        writer.text(f"- {text}" if tag.name == "li" and text else text)


def _table(tag: Tag) -> str:
    rows = []
    for row in tag.find_all("tr"):
        if row.find_parent("table") is not tag:
            continue  # a row of a nested table
        rows.append([c.get_text(" ") for c in row.find_all(["th", "td"], recursive=False)])
    return table(rows)  # the first row is the header, marked up with <th> or not
