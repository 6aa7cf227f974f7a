"""Split a document into chunks by heading, each keeping its heading path and section number.

A chunk is the text under one heading (up to the next heading of any level). A long section
is cut at paragraph boundaries into parts of about :data:`MAX_CHARS` characters, because the
embedding model reads at most 256 tokens; every part keeps the section's heading path, and a
table cut in two repeats its header row in each part, so a row is never read without it.

A chunk records the sections it names ("See policy §5.4.", "(policy section 5.1)", "refer to
clause 4.3"), the way FAQ answers name their authority, so search can bring that text along.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

PATH_SEPARATOR = " › "
MAX_CHARS = 1000

HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
FENCE = re.compile(r"^(```|~~~)")
#: "5.1 Owned hardware", "9. Leases", "§ 3.2 Useful life", "Section 4 Depreciation".
SECTION_NUMBER = re.compile(
    r"^(?:§\s*|section\s+|article\s+)?(\d+(?:\.\d+)*)\.?(?=\s|$)", re.IGNORECASE
)
#: "§5.4", "section 4.3", "(see 2.1)", "see 4.4.2 and 4.4.1", "sections 5.2, 5.3 and §6", and
#: a dotted number alone in brackets, "(4.3)" or "[2.1, 2.2]": a bare "see", a bracket, and a
#: number further down a list need a dot or a "§" ("see 5 years" names nothing, "policy 2.1
#: and 40 pumps" only 2.1, "(3.5 years)" nothing).
LISTED = r"(\d+(?:\.\d+)*(?:\s*(?:,|and|or|&)\s*(?:§\s*\d+|\d+\.\d+)(?:\.\d+)*)*)"
REFERENCE = re.compile(
    r"(?:§\s*|\b(?:sections?|clauses?|paragraphs?|para\.?|policy)\s+|\bsee\s+(?=\d+\.\d))"
    + LISTED
    + r"|[(\[](?=\d+\.\d)"
    + LISTED
    + r"[)\]]",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d+(?:\.\d+)*")


SectionKey = tuple[str, tuple[str, ...]]  # (source, heading path): one section of one document


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    line: int  # 1-based line in the loaded text


@dataclass(frozen=True)
class Section:
    """The text under one heading, with the titles of the headings above it."""

    path: tuple[str, ...]  # document title first
    number: str  # "5.1", or "" when the heading has no number
    body: str


@dataclass(frozen=True)
class Chunk:
    id: str  # stable: the same document text gives the same ids
    source: str  # file path relative to the knowledge folder
    path: tuple[str, ...]
    number: str
    part: int  # index of this part within its section
    text: str
    refers: tuple[str, ...] = ()  # sections the text names: "See §5.4.", "(section 4.3)"

    @property
    def section(self) -> str:
        """The heading path as text: "Policy › 5. Property and equipment › 5.1 Owned hardware"."""
        return PATH_SEPARATOR.join(self.path)

    @property
    def indexed_text(self) -> str:
        """What the embedding model and BM25 see: the headings carry much of the meaning.

        The document title is left out: it is the same for every chunk of a document and only
        dilutes the embedding of a short passage.
        """
        headings = PATH_SEPARATOR.join(self.path[1:]) or self.path[0]
        return f"{headings}\n\n{self.text}"


def section_number(title: str) -> str:
    match = SECTION_NUMBER.match(title.strip())
    return match.group(1) if match else ""


def references(text: str) -> tuple[str, ...]:
    """Sections the text names: "See policy §5.2 and §5.4." -> 5.2, 5.4; "(clause 3)" -> 3."""
    named = (n for found in REFERENCE.findall(text) for n in NUMBER.findall("".join(found)))
    return tuple(dict.fromkeys(named))


def headings(text: str) -> list[Heading]:
    """The Markdown headings of ``text``, ignoring lines inside fenced code blocks."""
    found: list[Heading] = []
    fenced = False
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            title = _plain(match.group(2))
            if title:
                found.append(Heading(len(match.group(1)), title, number))
    return found


def sections(text: str, default_title: str) -> list[Section]:
    """The document's sections in order. Text before the first heading belongs to the title.

    The title is the one level-1 heading; a document with several ("1 Introduction", "2
    Thresholds" as ``<h1>``) has them as its top sections, under ``default_title``.
    """
    lines = text.splitlines()
    marks = headings(text)
    tops = [h.title for h in marks if h.level == 1]
    title = tops[0] if len(tops) == 1 else default_title
    result: list[Section] = []
    stack: list[Heading] = []
    starts = [*marks, Heading(0, "", len(lines) + 1)]
    preamble = "\n".join(lines[: starts[0].line - 1])
    if preamble.strip():
        result.append(Section((title,), "", _clean(preamble)))
    for heading, following in zip(marks, starts[1:], strict=True):
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
        path = tuple(h.title for h in stack)
        if stack[0].level != 1 or len(tops) > 1:
            path = (title, *path)
        body = _clean("\n".join(lines[heading.line : following.line - 1]))
        result.append(Section(path, section_number(heading.title), body))
    return result


def chunk_document(source: str, text: str, default_title: str) -> list[Chunk]:
    """Chunks of every non-empty section; ids depend on the source, the path and the part."""
    chunks: list[Chunk] = []
    seen: dict[tuple[str, ...], int] = {}
    found = sections(text, default_title)
    titles = {_entry(s.path[-1]) for s in found}
    for section in found:
        if not section.body or _lists_titles(section.body, titles):
            continue
        occurrence = seen.get(section.path, 0)
        seen[section.path] = occurrence + 1
        refers = references(section.body)
        for part, piece in enumerate(_pieces(section.body)):
            key = "\x1f".join((source, *section.path, str(occurrence), str(part)))
            chunk_id = hashlib.sha256(key.encode()).hexdigest()[:24]
            chunks.append(
                Chunk(chunk_id, source, section.path, section.number, part, piece, refers)
            )
    return chunks


def _lists_titles(body: str, titles: set[str]) -> bool:
    """A table of contents: every line of the body is the title of a heading of the document
    ("2.1 Capitalization Threshold ..... 4"). Its headings come again with the real text."""
    return all(_entry(line) in titles for line in body.splitlines() if line.strip())


def _entry(line: str) -> str:
    """A line as a contents entry: without leader dots, page number and case."""
    return re.sub(r"[\s.·…_]*\d*\s*$", "", line).strip().casefold()


def _pieces(body: str) -> list[str]:
    """Paragraph groups of at most about MAX_CHARS; an overlong paragraph is cut at sentences."""
    pieces: list[str] = []
    current = ""
    for paragraph in re.split(r"\n\s*\n", body):
        paragraph = paragraph.strip()
        blocks = _row_groups(paragraph) if _is_table(paragraph) else _sentence_groups(paragraph)
        for block in blocks:
            if current and len(current) + len(block) + 2 > MAX_CHARS:
                pieces.append(current)
                current = block
            else:
                current = f"{current}\n\n{block}" if current else block
    if current:
        pieces.append(current)
    return pieces


def _sentence_groups(paragraph: str) -> list[str]:
    """The paragraph itself, or (PDF text has no blank lines) its sentences in groups."""
    if len(paragraph) <= MAX_CHARS:
        return [paragraph] if paragraph else []
    groups: list[str] = []
    for sentence in re.split(r"(?<=[.!?;:])\s+", paragraph):
        if groups and len(groups[-1]) + len(sentence) + 1 <= MAX_CHARS:
            groups[-1] = f"{groups[-1]} {sentence}"
        else:
            groups.append(sentence)
    return groups


def _is_table(paragraph: str) -> bool:
    lines = paragraph.splitlines()
    return len(lines) > 2 and all(line.startswith("|") for line in lines)


def _row_groups(table: str) -> list[str]:
    """A table in parts of at most about MAX_CHARS, each starting with the header row."""
    lines = table.splitlines()
    header, rows = lines[:2], lines[2:]
    groups: list[list[str]] = [[]]
    size = sum(len(line) + 1 for line in header)
    for row in rows:
        if groups[-1] and size + sum(len(r) + 1 for r in groups[-1]) + len(row) > MAX_CHARS:
            groups.append([])
        groups[-1].append(row)
    return ["\n".join([*header, *group]) for group in groups]


def _plain(title: str) -> str:
    """A heading without Markdown emphasis or links."""
    title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
    return re.sub(r"[*_`]+", "", title).strip()


def _clean(body: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", body).strip()
