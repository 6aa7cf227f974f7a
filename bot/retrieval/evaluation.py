"""Score retrieval on a labelled query set (JSONL of id, query, expected).

``expected`` lists section headings or heading-path fragments ("5.1 Owned hardware",
"Capitalization FAQ › Who approves"). A fragment matches a retrieved heading path when it
occurs in it at a word start, case-insensitively, so "1.2 Who" does not match "11.2 Who".
A case's recall@k is the share of its expected fragments found in the top k sections;
MRR uses the rank of the first section matching any fragment (0 if none in the top 10).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from bot.errors import CapexbotError
from bot.retrieval.search import KnowledgeBase, Mode

DEPTH = 10  # sections retrieved per query; MRR counts ranks up to here
CUTOFFS = (1, 3, 5)


class RetrievalCase(BaseModel):
    id: str
    query: str
    expected: list[str] = Field(min_length=1)


class CaseResult(BaseModel):
    id: str
    query: str
    expected: list[str]
    retrieved: list[str]  # ranked heading paths
    first_relevant_rank: int | None


class RetrievalSummary(BaseModel):
    mode: Mode
    cases: int
    recall_at_1: float
    recall_at_3: float
    recall_at_5: float
    mrr: float


class RetrievalReport(BaseModel):
    summary: RetrievalSummary
    cases: list[CaseResult]


class QueryFileError(CapexbotError, ValueError):
    pass


def load_cases(path: Path) -> list[RetrievalCase]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(RetrievalCase.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as exc:
            problem = str(exc).splitlines()[0] if isinstance(exc, ValidationError) else exc.msg
            raise QueryFileError(f"{path}:{number}: {problem}") from exc
    if not cases:
        raise QueryFileError(f"{path}: no queries")
    return cases


def matches(fragment: str, heading_path: str) -> bool:
    pattern = r"(?<![\w.])" + re.escape(fragment.strip())
    return re.search(pattern, heading_path, re.IGNORECASE) is not None


def evaluate(
    knowledge: KnowledgeBase,
    cases: list[RetrievalCase],
    mode: Mode = "hybrid",
    expand: Callable[[str], str] | None = None,
) -> RetrievalReport:
    """Search every case's query (through ``expand`` if given) and score the ranked sections."""
    results = []
    recalls = {k: 0.0 for k in CUTOFFS}
    reciprocal = 0.0
    for case in cases:
        query = expand(case.query) if expand else case.query
        retrieved = [hit.chunk.section for hit in knowledge.search(query, DEPTH, mode)]
        for k in CUTOFFS:
            found = sum(any(matches(e, p) for p in retrieved[:k]) for e in case.expected)
            recalls[k] += found / len(case.expected)
        rank = next(
            (i for i, p in enumerate(retrieved, 1) if any(matches(e, p) for e in case.expected)),
            None,
        )
        reciprocal += 1 / rank if rank else 0.0
        results.append(
            CaseResult(**case.model_dump(), retrieved=retrieved, first_relevant_rank=rank)
        )
    n = len(cases)
    summary = RetrievalSummary(
        mode=mode,
        cases=n,
        recall_at_1=recalls[1] / n,
        recall_at_3=recalls[3] / n,
        recall_at_5=recalls[5] / n,
        mrr=reciprocal / n,
    )
    return RetrievalReport(summary=summary, cases=results)
