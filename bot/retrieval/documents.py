"""Policy documents as Markdown-like text, whatever format finance keeps them in.

Every loader returns text whose headings are Markdown ``#`` lines, so one chunker handles all
formats: DOCX heading styles and HTML ``<h1>``–``<h6>`` map to levels directly; plain text and
PDF (which have no heading markup) get headings from numbered lines such as ``5.1 Owned
hardware``. The parsers for PDF, DOCX and HTML are imported only when such a file is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.errors import CapexbotError

SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")

#: A numbered heading in text without markup: "5.1 Owned hardware", "9. Leases", "§3 Scope".
NUMBERED_HEADING = re.compile(r"^(?:§\s*)?(\d{1,3}(?:\.\d{1,3})*)\.?\s+([A-Z][^\n]{1,90})$")


class DocumentError(CapexbotError):
    """A file that cannot be read as a policy document; the message says why."""


def policy_files(directory: Path) -> list[Path]:
    """The supported documents under ``directory``, sorted, hidden files and folders skipped."""
    if not directory.is_dir():
        return []
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file()
        and path.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def load_text(path: Path) -> str:
    """The document's text with Markdown headings; raises DocumentError if it cannot be read."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise DocumentError(f"unsupported file type {path.suffix!r}")
    try:
        return loader(path)
    except DocumentError:
        raise
    except UnicodeDecodeError as exc:
        raise DocumentError("not UTF-8 text") from exc
    except Exception as exc:  # each parser has its own errors for a corrupt file
        raise DocumentError(f"cannot be parsed ({type(exc).__name__}: {exc})") from exc


def _markdown(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


def _plain_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8-sig")
    if re.search(r"^#{1,6} \S", text, re.MULTILINE):
        return text  # Markdown saved as .txt
    return _numbered_headings(text)


def _pdf(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted:
        raise DocumentError("the PDF is encrypted")
    pages = [page.extract_text() or "" for page in reader.pages]
    return _numbered_headings("\n\n".join(pages))


def _docx(path: Path) -> str:
    from docx import Document
    from docx.table import Table

    lines: list[str] = []
    for block in Document(str(path)).iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                lines.append(" | ".join(cell.text.strip() for cell in row.cells))
            lines.append("")
            continue
        text = block.text.strip()
        if not text:
            continue
        level = _docx_heading_level(block.style.name if block.style is not None else "")
        lines.append(f"{'#' * level} {text}" if level else text)
        lines.append("")
    return "\n".join(lines)


def _docx_heading_level(style: str) -> int:
    """'Title' is the document title (level 1); 'Heading N' sits below it (level N + 1)."""
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return min(int(match.group(1)) + 1, 6) if match else 0


BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "tr", "pre", "blockquote", "dt", "dd")


def _html(path: Path) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    for tag in soup(["script", "style", "nav", "header", "footer", "template"]):
        tag.decompose()
    lines: list[str] = []
    for element in soup.find_all(BLOCKS):
        if element.find_parent(BLOCKS) is not None:
            continue  # its text is part of the enclosing block
        if element.name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in element.find_all(["td", "th"]))
        else:
            text = element.get_text(" ", strip=True)
        if not text:
            continue
        if element.name[0] == "h" and element.name[1:].isdigit():
            lines.append(f"{'#' * int(element.name[1])} {text}")
        else:
            lines.append(text)
        lines.append("")
    return "\n".join(lines)


def _numbered_headings(text: str) -> str:
    """Mark numbered heading lines as Markdown headings: "5.1 Title" becomes "### 5.1 Title"."""
    return "\n".join(_mark_headings(text.splitlines()))


def _mark_headings(lines: list[str]) -> Iterator[str]:
    for line in lines:
        match = NUMBERED_HEADING.match(line.strip())
        if match and not match.group(2).rstrip().endswith((".", ",", ";", ":")):
            depth = match.group(1).count(".") + 2  # "5" is level 2, "5.1" level 3
            yield f"{'#' * min(depth, 6)} {line.strip()}"
        else:
            yield line


LOADERS: dict[str, Callable[[Path], str]] = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _plain_text,
    ".pdf": _pdf,
    ".docx": _docx,
    ".html": _html,
    ".htm": _html,
}
