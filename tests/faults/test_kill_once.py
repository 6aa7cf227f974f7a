"""Replicas killed (SIGKILL) at random moments while they take mentions and budget requests:
nothing acknowledged is lost and nothing is posted twice, on SQLite and PostgreSQL.

A small run for CI; ``benchmarks/kill_bench.py`` runs 1,000 mentions and 50 budget requests
the same way (the README's fault table has its figures).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_slack import FakeSlack

from tests.support.kill_run import kill_run


@pytest.mark.replicas
def test_replicas_killed_at_random_lose_nothing_and_post_nothing_twice(
    database_url: str, slack: FakeSlack, tmp_path: Path
) -> None:
    report = kill_run(
        slack, database_url, tmp_path, mentions=120, requests=12, kills=3, kill_every=(1.5, 4.0)
    )
    print("\n".join(report.lines()))
    assert report.kills == 3
    assert report.aimed >= 1, "no kill fell while a post was unanswered"
    assert report.ok, report.lines()
    assert report.apologies == 0, report.lines()
    assert report.replayed > 0, "no kill cut work short: the run proves nothing"
