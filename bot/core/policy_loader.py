"""Load ``rules/`` into a :class:`~bot.core.policy.Policy`, with errors that name file, line, field.

Finance edits these files by hand, so a mistake must point at the exact place:
``rules/rules.yaml:42:7: rules[3].when.fact: unknown fact 'phse'``.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from bot.core.facts import Phase, validate_fact_value
from bot.core.parsing import word_pattern
from bot.core.policy import (
    DERIVED_FACTS,
    NOT_A_COST,
    AllOf,
    AnyOf,
    AssetCategory,
    Checklist,
    Condition,
    FactTest,
    Lexicon,
    NotOf,
    Policy,
    RulesFile,
    Settings,
    SpendClass,
)
from bot.errors import CapexbotError

FILES: dict[str, type[BaseModel]] = {
    "policy.yaml": Settings,
    "rules.yaml": RulesFile,
    "checklist.yaml": Checklist,
    "lexicon.yaml": Lexicon,
}
#: libyaml's safe loader where installed (the example phrases are 17,000 lines: the pure-Python
#: loader takes seconds on them), the pure-Python one otherwise; both keep line marks.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Optional folder of one file per asset type: its definition and example phrases.
CLASSES_DIR = "classes"


class _Source:
    """A rules file's YAML text, composed into line-marked nodes only when a problem must be
    located in it: composing costs as much as loading, and a valid policy needs no marks."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def node(self) -> yaml.Node | None:
        return yaml.compose(self.text, Loader=_LOADER)


def _node(source: _Source | None) -> yaml.Node | None:
    return source.node if source is not None else None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a rules file."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class PolicyError(CapexbotError):
    """The rules directory is not valid; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_policy(directory: Path | str) -> Policy:
    """Read, validate and cross-check every file of the rules directory."""
    directory = Path(directory)
    problems: list[Problem] = []
    parsed: dict[str, BaseModel] = {}
    nodes: dict[str, _Source] = {}
    digest = hashlib.sha256()
    for name, model in FILES.items():
        path = directory / name
        shown = _shown(path)
        if not path.is_file():
            problems.append(Problem(shown, None, None, "", "file is missing"))
            continue
        text = path.read_text(encoding="utf-8")
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        loaded = _validated(text, shown, model, problems)
        if loaded is not None:
            nodes[name], parsed[name] = loaded
    classes = _load_classes(directory / CLASSES_DIR, digest, problems)
    if problems:
        raise PolicyError(problems)
    files = _Files.of(parsed)
    problems.extend(_cross_check(files, nodes, directory))
    for name in sorted(classes.keys() - files.settings.asset_types.keys() - {NOT_A_COST}):
        shown = _shown(directory / CLASSES_DIR / f"{name}.yaml")
        problems.append(Problem(shown, 1, 1, "", f"{name!r} is not an asset type in policy.yaml"))
    if problems:
        raise PolicyError(problems)
    return Policy(
        settings=files.settings,
        rules=files.rules.rules,
        checklist=files.checklist,
        lexicon=files.lexicon,
        classes=classes,
        version=digest.hexdigest()[:16],
        directory=str(directory),
    )


def _load_classes(folder: Path, digest: Any, problems: list[Problem]) -> dict[str, SpendClass]:
    """``classes/<asset type>.yaml``: definitions and example phrases (optional folder)."""
    classes: dict[str, SpendClass] = {}
    if not folder.is_dir():
        return classes
    for path in sorted(folder.glob("*.yaml")):
        shown = _shown(path)
        text = path.read_text(encoding="utf-8")
        digest.update(f"{CLASSES_DIR}/{path.name}".encode() + b"\0" + text.encode() + b"\0")
        loaded = _validated(text, shown, SpendClass, problems)
        if loaded is not None:
            spend_class = loaded[1]
            assert isinstance(spend_class, SpendClass)
            classes[path.stem] = spend_class
    return classes


def _validated(
    text: str, shown: str, model: type[BaseModel], problems: list[Problem]
) -> tuple[_Source, BaseModel] | None:
    """One YAML file parsed and validated; its problems (with line and column) appended."""
    source = _Source(text)
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problems.append(Problem(shown, line, column, "", f"not valid YAML: {exc.problem}"))
        return None
    try:
        return source, model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        problems.extend(_problems_from(exc, shown, source.node))
        return None


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _problems_from(exc: ValidationError, file: str, node: yaml.Node | None) -> Iterator[Problem]:
    for error in exc.errors():
        loc = _without_union_tags(list(error["loc"]))
        line, column = _locate(node, loc)
        yield Problem(file, line, column, _field_path(loc), error["msg"])


def _without_union_tags(loc: list[Any]) -> list[Any]:
    """Drop the condition-union tags pydantic puts in ``loc``; they are not YAML keys.

    A condition's tag is ``fact``, ``all``, ``any`` or ``not`` and stands before the
    condition's own keys (``..., "all", "all", 0`` or ``..., "fact", "equals"``). A real
    ``fact`` key is always a leaf, so a ``fact`` with something after it is a tag.
    """
    kept: list[Any] = []
    for index, part in enumerate(loc):
        after = loc[index + 1] if index + 1 < len(loc) else None
        before = loc[index - 1] if index > 0 else None
        if part in ("all", "any", "not") and after == part:
            continue
        if part == "fact" and (after is not None or before != "fact"):
            continue
        kept.append(part)
    return kept


def _field_path(loc: Iterable[Any]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _locate(node: yaml.Node | None, loc: list[Any]) -> tuple[int | None, int | None]:
    """Line and column (1-based) of the deepest node of ``loc`` that exists in the YAML."""
    if node is None:
        return None, None
    best = node
    for part in loc:
        child = None
        if isinstance(best, yaml.MappingNode):
            child = next((v for k, v in best.value if k.value == str(part).rstrip("_")), None)
            if child is None and part == "in_":
                child = next((v for k, v in best.value if k.value == "in"), None)
        elif isinstance(best, yaml.SequenceNode) and isinstance(part, int):
            child = best.value[part] if part < len(best.value) else None
        if child is None:
            break
        best = child
    return best.start_mark.line + 1, best.start_mark.column + 1


@dataclass(frozen=True)
class _Files:
    """The four validated files, typed."""

    settings: Settings
    rules: RulesFile
    checklist: Checklist
    lexicon: Lexicon

    @classmethod
    def of(cls, parsed: dict[str, BaseModel]) -> _Files:
        settings, rules = parsed["policy.yaml"], parsed["rules.yaml"]
        checklist, lexicon = parsed["checklist.yaml"], parsed["lexicon.yaml"]
        assert isinstance(settings, Settings) and isinstance(rules, RulesFile)
        assert isinstance(checklist, Checklist) and isinstance(lexicon, Lexicon)
        return cls(settings, rules, checklist, lexicon)


def _cross_check(
    files: _Files, nodes: dict[str, _Source], directory: Path
) -> Iterator[Problem]:
    """Checks across files: every asset type and fact value named anywhere must exist."""
    settings, rules, checklist, lexicon = (
        files.settings,
        files.rules,
        files.checklist,
        files.lexicon,
    )
    asset_types = set(settings.asset_types)
    categories = set(get_args(AssetCategory))

    def problem(file: str, loc: list[Any], message: str) -> Problem:
        line, column = _locate(_node(nodes.get(file)), loc)
        return Problem(_shown(directory / file), line, column, _field_path(loc), message)

    for index, rule in enumerate(rules.rules):
        for loc, test in _fact_tests(rule.when, ["rules", index, "when"]):
            for message in _check_test_values(test, asset_types, categories):
                yield problem("rules.yaml", loc, message)
    for index, bucket in enumerate(settings.budget_buckets):
        for loc, test in _fact_tests(bucket.when, ["budget_buckets", index, "when"]):
            for message in _check_test_values(test, asset_types, categories):
                yield problem("policy.yaml", loc, message)
    for name, asset in settings.asset_types.items():
        for value, target in asset.by_ownership.items():
            loc = ["asset_types", name, "by_ownership", value]
            if target not in asset_types:
                yield problem("policy.yaml", loc, f"unknown asset type {target!r}")
            try:
                validate_fact_value("ownership", value)
            except ValidationError:
                yield problem("policy.yaml", loc, f"{value!r} is not an ownership value")
        for index, absorbed in enumerate(asset.absorbs):
            if absorbed not in asset_types:
                loc = ["asset_types", name, "absorbs", index]
                yield problem("policy.yaml", loc, f"unknown asset type {absorbed!r}")
    for index, question in enumerate(checklist.questions):
        if question.fact == "asset_type":
            for o_index, option in enumerate(question.options):
                if option.value not in asset_types:
                    loc = ["questions", index, "options", o_index, "value"]
                    yield problem("checklist.yaml", loc, f"unknown asset type {option.value!r}")
    for fact, entries in lexicon.facts.items():
        for e_index, entry in enumerate(entries):
            loc = ["facts", fact, e_index, "value"]
            try:
                validate_fact_value(fact, entry.value)
            except (KeyError, ValidationError) as exc:
                yield problem("lexicon.yaml", loc, str(exc).splitlines()[0])
                continue
            if fact == "asset_type" and entry.value not in asset_types:
                yield problem("lexicon.yaml", loc, f"unknown asset type {entry.value!r}")
    yield from _check_lexicon(
        lexicon, nodes.get("lexicon.yaml"), _shown(directory / "lexicon.yaml")
    )
    yield from (problem("policy.yaml", loc, message) for loc, message in _check_roles(settings))
    for fact, default in settings.defaults.items():
        if fact == "asset_type":
            yield problem("policy.yaml", ["defaults", fact], "asset_type cannot have a default")
        for index, name in enumerate(default.asset_types):
            if name not in asset_types:
                loc = ["defaults", fact, "asset_types", index]
                yield problem("policy.yaml", loc, f"unknown asset type {name!r}")


def _check_roles(settings: Settings) -> Iterator[tuple[list[Any], str]]:
    """Every approver role a route names is held by someone, and every role held is one a
    route names (a misspelt role would otherwise leave a step nobody can approve)."""
    named = {role for route in settings.approval_routes for role in route.approvers}
    for index, route in enumerate(settings.approval_routes):
        for step, role in enumerate(route.approvers):
            if not settings.approvers_by_role.get(role):
                loc = ["approval_routes", index, "approvers", step]
                yield loc, f"nobody holds {role!r}: list its Slack user ids in approvers_by_role"
    for role in settings.approvers_by_role:
        if role not in named:
            yield ["approvers_by_role", role], f"{role!r} is not a role any approval route names"


def _check_lexicon(lexicon: Lexicon, source: _Source | None, file: str) -> Iterator[Problem]:
    """Every pattern must compile, and the phase lists must name phases (checked on load so
    a typo fails ``capexbot check``, not every question)."""
    lists: list[tuple[list[Any], list[str]]] = [
        (["facts", fact, e, "patterns", p], [pattern])
        for fact, entries in lexicon.facts.items()
        for e, entry in enumerate(entries)
        for p, pattern in enumerate(entry.patterns)
    ]
    for key in (
        "instruction_patterns",
        "negation_patterns",
        "policy_question_patterns",
        "purchase_patterns",
        "no_breakdown_patterns",
        "undecided_patterns",
        "correction_patterns",
    ):
        lists += [([key, i], [pattern]) for i, pattern in enumerate(getattr(lexicon, key))]
    for loc, (pattern,) in lists:
        try:
            word_pattern(pattern)
        except re.error as exc:
            line, column = _locate(_node(source), loc)
            yield Problem(file, line, column, _field_path(loc), f"not a valid pattern: {exc}")
    phases = {phase.value for phase in Phase}
    named = [(["phase_precedence", i], v) for i, v in enumerate(lexicon.phase_precedence)]
    named += [
        (["phase_conflicts", i, j], v)
        for i, pair in enumerate(lexicon.phase_conflicts)
        for j, v in enumerate(pair)
    ]
    for loc, value in named:
        if value not in phases:
            line, column = _locate(_node(source), loc)
            yield Problem(file, line, column, _field_path(loc), f"{value!r} is not a phase")


def _fact_tests(condition: Condition, loc: list[Any]) -> Iterator[tuple[list[Any], FactTest]]:
    if isinstance(condition, FactTest):
        yield loc, condition
    elif isinstance(condition, AllOf):
        for i, sub in enumerate(condition.all):
            yield from _fact_tests(sub, [*loc, "all", i])
    elif isinstance(condition, AnyOf):
        for i, sub in enumerate(condition.any):
            yield from _fact_tests(sub, [*loc, "any", i])
    elif isinstance(condition, NotOf):
        yield from _fact_tests(condition.not_, [*loc, "not"])


def _check_test_values(test: FactTest, asset_types: set[str], categories: set[str]) -> list[str]:
    values: list[Any] = []
    if test.equals is not None:
        values = [test.equals]
    elif test.in_ is not None:
        values = list(test.in_)
    elif test.not_in is not None:
        values = list(test.not_in)
    problems = []
    for value in values:
        if test.fact == "asset_type" and value not in asset_types:
            problems.append(f"unknown asset type {value!r}")
        elif test.fact == "asset_category" and value not in categories:
            problems.append(f"unknown asset category {value!r}")
        elif test.fact not in DERIVED_FACTS:
            try:
                validate_fact_value(test.fact, value)
            except (KeyError, ValidationError):
                problems.append(f"{value!r} is not a valid value of {test.fact}")
    return problems
