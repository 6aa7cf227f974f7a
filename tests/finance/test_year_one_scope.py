"""Year-one figures are drawn only where the start of depreciation is known."""

from __future__ import annotations

from bot.core import Request, decide
from bot.finance.impact import schedulable


def test_software_build_gets_no_schedule_before_go_live(policy) -> None:
    software = decide(
        Request(text="approved at gate 2: $120k build labor for the internal app"), policy
    )
    assert software.verdict == "capex"
    assert not any(schedulable(line) for line in software.line_items)
    server = decide(Request(text="buying a GPU server for $40k"), policy)
    assert any(schedulable(line) for line in server.line_items)
