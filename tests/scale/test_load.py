"""The load benchmark, small and bounded, as a test: two replicas on PostgreSQL take a steady
rate and a burst of events (some redelivered), commands and budget requests, and every one is
answered exactly once (the full run: ``benchmarks/load_bench.py``)."""

from __future__ import annotations

import sys

import pytest

from tests.support.databases import postgres_unavailable
from tests.support.fixtures import ROOT

pytestmark = [pytest.mark.replicas, pytest.mark.postgres]


def test_steady_and_burst_load_loses_nothing_and_answers_once() -> None:
    reason = postgres_unavailable()
    if reason:
        pytest.skip(reason)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from load_bench import run

    report = run(replicas=2, rate=15, seconds=6, burst_size=120, duplicates=0.2, quiet=True)
    assert report.mentions >= 100 and report.forms >= 15 and report.commands >= 30
    assert (report.lost, report.doubled, report.refused) == (0, 0, 0), report.missing
    acks = sorted(s.reply.seconds for s in report.sent)
    assert acks[int(len(acks) * 0.99)] < 3.0  # Slack's deadline, even in the burst
