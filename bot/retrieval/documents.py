"""Policy documents as Markdown-like text, whatever format finance keeps them in.

Every loader returns Markdown (``#`` headings, ``|`` tables), so one chunker handles all
formats: PDF headings come from fonts (:mod:`pdf_loader`), DOCX from styles and bold numbered
or question paragraphs (:mod:`docx_loader`), HTML from ``<h1>``–``<h6>`` and FAQ markup
(:mod:`html_loader`); plain text gets headings from numbered lines such as ``5.1 Owned
hardware``. The parsers for PDF, DOCX and HTML are imported only when such a file is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from bot.errors import CapexbotError
from bot.retrieval.markup import heading, numbered_level

SUFFIXES = (".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm")



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

    from bot.retrieval.pdf_loader import pdf_to_markdown

    if PdfReader(path).is_encrypted:
        raise DocumentError("the PDF is encrypted")
    return pdf_to_markdown(path)


def _docx(path: Path) -> str:
    from bot.retrieval.docx_loader import docx_to_markdown

    return docx_to_markdown(path)


def _html(path: Path) -> str:
    from bot.retrieval.html_loader import html_to_markdown

    return html_to_markdown(path)


def _numbered_headings(text: str) -> str:
    """Mark numbered heading lines as Markdown headings: "5.1 Title" becomes "### 5.1 Title"."""
    return "\n".join(_mark_headings(text.splitlines()))


def _mark_headings(lines: list[str]) -> Iterator[str]:
    for line in lines:
        level = numbered_level(line.strip())
        yield heading(level, line.strip()) if level is not None else line


LOADERS: dict[str, Callable[[Path], str]] = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _plain_text,
    ".pdf": _pdf,
    ".docx": _docx,
    ".html": _html,
    ".htm": _html,
}
