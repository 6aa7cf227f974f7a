"""The Markdown every loader writes: headings, numbered headings, FAQ questions and tables.

Loaders read structure from their format (font sizes, styles, tags) and express it with these
few helpers, so the chunker sees one kind of text whatever the source was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: A numbered heading: "5.1 Owned hardware", "9. Leases", "§3 Scope", "Section 4 Depreciation".
NUMBERED_HEADING = re.compile(
    r"^(?:§\s*|(?i:section|article)\s+)?(\d{1,3}(?:\.\d{1,3})*)\.?\s+([A-Z][^\n]{1,110})$"
)
#: A question asked as a heading in an FAQ: "Q: Is a laptop CapEx?", "3. Who approves?".
QUESTION_PREFIX = re.compile(r"^(?:q(?:uestion)?\s*\d*\s*[:.)]\s*|\d{1,3}[.)]\s+)", re.IGNORECASE)
MAX_HEADING_CHARS = 160


def heading(level: int, text: str) -> str:
    return f"{'#' * max(1, min(level, 6))} {' '.join(text.split())}"


def numbered_level(text: str) -> int | None:
    """The heading level a numbered title implies ("5" -> 2, "5.1" -> 3), or None.

    Level 1 is the document title. A line ending like a sentence is body text, not a title.
    """
    match = NUMBERED_HEADING.match(text.strip())
    if not match or text.rstrip().endswith((".", ",", ";", ":")):
        return None
    if len(text) > MAX_HEADING_CHARS:
        return None
    return min(match.group(1).count(".") + 2, 6)


def is_question(text: str) -> bool:
    """A short line that asks something: an FAQ entry's question."""
    stripped = text.strip()
    return 3 < len(stripped) <= MAX_HEADING_CHARS and stripped.endswith("?")


def question_title(text: str) -> str:
    """The question without a leading "Q:" or "Question 3." label."""
    return QUESTION_PREFIX.sub("", text.strip(), count=1).strip() or text.strip()


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as a Markdown table whose first row is the header; empty rows and columns dropped."""
    cleaned = [[" ".join(cell.split()).replace("|", "/") for cell in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return ""
    width = max(len(row) for row in cleaned)
    cleaned = [row + [""] * (width - len(row)) for row in cleaned]
    keep = [c for c in range(width) if any(row[c] for row in cleaned)]
    cleaned = [[row[c] for c in keep] for row in cleaned]
    if len(cleaned[0]) == 1:  # a one-column "table" is a boxed paragraph
        return "\n\n".join(row[0] for row in cleaned)
    lines = [_row(cleaned[0]), _row(["---"] * len(cleaned[0]))]
    lines += [_row(row) for row in cleaned[1:]]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
