"""A small document model, so one memo renders the same as Markdown and as PDF."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Quote:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = field(default_factory=frozenset)  # right-aligned columns


Block = Heading | Paragraph | Quote | Bullets | Table


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def to_markdown(blocks: list[Block]) -> str:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Quote):
            out.append("\n".join(f"> {line}".rstrip() for line in block.text.splitlines()))
        elif isinstance(block, Bullets):
            out.append("\n".join(f"- {item}" for item in block.items))
        else:
            align = [
                "---:" if index in block.numeric else "---" for index in range(len(block.headers))
            ]
            rows = [block.headers, *block.rows]
            lines = [f"| {' | '.join(_cell(c) for c in row)} |" for row in rows]
            lines.insert(1, f"| {' | '.join(align)} |")
            out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"
