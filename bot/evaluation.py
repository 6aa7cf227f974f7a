"""Score the engine on a labelled scenario set (JSONL of id, text, framework, expected).

A line may also carry ``facts`` (a form's fields) and ``answers`` (checklist answers, each
``{"fact", "value", "item"}``): a correction exported by ``capexbot review export`` is decided
again from everything its requester gave, not from the text alone.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from bot.core import Framework, Policy
from bot.core.decision import Verdict
from bot.core.given import Answer, Given, checked_facts, decide_given
from bot.errors import CapexbotError

VERDICTS: tuple[Verdict, ...] = ("capex", "opex", "split", "needs_review")


class Scenario(BaseModel):
    id: str
    text: str
    framework: Framework | None = None
    expected: Verdict
    reason: str | None = None
    #: optional labels to break the score down by, e.g. "general" / "policy" and "de"
    kind: str | None = None
    language: str | None = None
    facts: dict[str, Any] = Field(default_factory=dict)
    answers: list[Answer] = Field(default_factory=list)

    @field_validator("facts")
    @classmethod
    def _known_facts(cls, facts: dict[str, Any]) -> dict[str, Any]:
        return checked_facts(facts)

    def given(self) -> Given:
        return Given(
            text=self.text, framework=self.framework, facts=self.facts, answers=self.answers
        )


class CaseResult(BaseModel):
    id: str
    text: str
    expected: Verdict
    verdict: Verdict
    correct: bool
    confident_wrong: bool  # a confident verdict (not needs_review) that is wrong
    swapped: bool  # capex and opex swapped, the worst kind of wrong
    kind: str | None = None
    language: str | None = None


class GroupScore(BaseModel):
    cases: int
    correct: int
    confident_wrong: int


class Summary(BaseModel):
    cases: int
    correct: int
    accuracy: float
    confident_wrong: int
    swapped: int
    confusion: dict[str, dict[str, int]] = Field(description="expected -> verdict -> count")
    by_kind: dict[str, GroupScore] = Field(default_factory=dict)
    by_language: dict[str, GroupScore] = Field(default_factory=dict)


class EvalReport(BaseModel):
    summary: Summary
    cases: list[CaseResult]


class ScenarioFileError(CapexbotError, ValueError):
    pass


def load_scenarios(path: Path) -> list[Scenario]:
    scenarios = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            scenarios.append(Scenario.model_validate(json.loads(line)))
        except json.JSONDecodeError as exc:
            raise ScenarioFileError(f"{path}:{number}: not JSON: {exc.msg}") from exc
        except ValidationError as exc:
            raise ScenarioFileError(f"{path}:{number}: {_problems(exc)}") from exc
    return scenarios


def _problems(error: ValidationError) -> str:
    """``expected: Input should be 'capex', ...; text: Field required``: each field once."""
    said = []
    for item in error.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "line"
        said.append(f"{field}: {item['msg']}")
    return "; ".join(dict.fromkeys(said))


def run_eval(scenarios: list[Scenario], policy: Policy) -> EvalReport:
    results = []
    confusion: dict[str, Counter[str]] = {v: Counter() for v in VERDICTS}
    for scenario in scenarios:
        decision = decide_given(scenario.given(), policy)
        verdict = decision.verdict
        confusion[scenario.expected][verdict] += 1
        correct = verdict == scenario.expected
        results.append(
            CaseResult(
                id=scenario.id,
                text=scenario.text,
                expected=scenario.expected,
                verdict=verdict,
                correct=correct,
                confident_wrong=not correct and verdict != "needs_review",
                swapped={verdict, scenario.expected} == {"capex", "opex"},
                kind=scenario.kind,
                language=scenario.language,
            )
        )
    correct_count = sum(r.correct for r in results)
    return EvalReport(
        summary=Summary(
            cases=len(results),
            correct=correct_count,
            accuracy=round(correct_count / len(results), 4) if results else 0.0,
            confident_wrong=sum(r.confident_wrong for r in results),
            swapped=sum(r.swapped for r in results),
            confusion={k: {v: c[v] for v in VERDICTS} for k, c in confusion.items()},
            by_kind=_groups(results, lambda r: r.kind),
            by_language=_groups(results, lambda r: r.language),
        ),
        cases=results,
    )


def _groups(
    results: list[CaseResult], key: Callable[[CaseResult], str | None]
) -> dict[str, GroupScore]:
    groups: dict[str, list[CaseResult]] = {}
    for result in results:
        label = key(result)
        if label is not None:
            groups.setdefault(label, []).append(result)
    return {
        label: GroupScore(
            cases=len(members),
            correct=sum(r.correct for r in members),
            confident_wrong=sum(r.confident_wrong for r in members),
        )
        for label, members in sorted(groups.items())
    }
