"""The development scenario set: the figure the README states, held as a floor."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation import load_scenarios, run_eval

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_dev_set_is_large_and_balanced() -> None:
    scenarios = load_scenarios(SCENARIOS / "dev.jsonl")
    assert len(scenarios) >= 120
    assert {s.expected for s in scenarios} == {"capex", "opex", "split", "needs_review"}
    assert {s.framework for s in scenarios} >= {"us_gaap", "ifrs"}


def test_dev_set_accuracy_and_no_confident_wrong_answer(policy) -> None:
    report = run_eval(load_scenarios(SCENARIOS / "dev.jsonl"), policy)
    misses = [
        f"{c.id}: expected {c.expected}, got {c.verdict}" for c in report.cases if not c.correct
    ]
    assert report.summary.accuracy >= 0.95, misses
    assert report.summary.confident_wrong == 0, misses
    assert report.summary.swapped == 0, misses
