"""Check that every policy section the rules cite is a heading in the knowledge documents.

Used by ``capexbot check``: it reads the documents' headings only (no index, no embedding),
so it runs in a fraction of a second and works before anything was ingested.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.retrieval.chunking import headings, section_number
from bot.retrieval.documents import DocumentError, load_text, policy_files

#: The rules files whose ``section`` fields name policy sections.
CITING_FILES = ("rules.yaml", "policy.yaml")


@dataclass(frozen=True)
class SectionReference:
    file: Path
    line: int
    column: int
    field: str  # e.g. "rules[3].section"
    section: str


@dataclass
class KnowledgeSections:
    numbers: set[str]
    documents: list[str]
    unreadable: dict[str, str]  # source -> why

    def has(self, number: str) -> bool:
        """A section exists if it is a heading, or if headings below it do ("8" for "8.1")."""
        return number in self.numbers or any(n.startswith(f"{number}.") for n in self.numbers)


def knowledge_sections(knowledge_dir: Path) -> KnowledgeSections:
    found = KnowledgeSections(set(), [], {})
    for path in policy_files(knowledge_dir):
        source = path.relative_to(knowledge_dir).as_posix()
        try:
            text = load_text(path)
        except DocumentError as exc:
            found.unreadable[source] = str(exc)
            continue
        found.documents.append(source)
        found.numbers.update(n for h in headings(text) if (n := section_number(h.title)))
    return found


def cited_sections(rules_dir: Path) -> list[SectionReference]:
    """Every ``section:`` value in the rules files, with where it is written."""
    references: list[SectionReference] = []
    for name in CITING_FILES:
        path = rules_dir / name
        if path.is_file():
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
            references.extend(
                SectionReference(path, node.start_mark.line + 1, node.start_mark.column + 1, f, v)
                for f, v, node in _section_fields(root, "")
            )
    return references


def missing_sections(rules_dir: Path, knowledge_dir: Path) -> list[str]:
    """Problems, one line each: sections cited in the rules that no document has."""
    sections = knowledge_sections(knowledge_dir)
    problems = [f"{knowledge_dir}/{s}: skipped, {why}" for s, why in sections.unreadable.items()]
    if not sections.documents:
        return [*problems, f"{knowledge_dir}: no readable policy documents"]
    for ref in cited_sections(rules_dir):
        if not sections.has(ref.section):
            problems.append(
                f"{_shown(ref.file)}:{ref.line}:{ref.column}: {ref.field}: cites §{ref.section}, "
                f"which is not a section heading in {knowledge_dir}"
            )
    return problems


def _section_fields(node: yaml.Node | None, where: str) -> Iterator[tuple[str, str, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            field = f"{where}.{key.value}" if where else str(key.value)
            if key.value == "section" and isinstance(value, yaml.ScalarNode):
                yield field, str(value.value), value
            else:
                yield from _section_fields(value, field)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _section_fields(item, f"{where}[{index}]")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
