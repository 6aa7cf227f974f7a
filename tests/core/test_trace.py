"""The rule trace (issue 11): every rule evaluated for each line, its three-valued result and
the facts it read, as the engine saw them while deciding."""

from __future__ import annotations

from decimal import Decimal

from bot.core import Request, decide
from bot.core.engine import evaluate
from bot.core.policy import Policy

SERVER = "We're buying a $40,000 GPU server for production inference, 5 year life"


def test_a_decided_line_lists_each_rule_up_to_the_one_that_decided_it(policy: Policy) -> None:
    decision = decide(Request(text=SERVER), policy)
    (line,) = decision.trace
    assert line.decided_by == "OWNED-HARDWARE" == decision.line_items[0].rule_id
    assert line.treatment == "capex"
    ids = [r.id for r in policy.rules]
    assert [e.rule for e in line.rules] == ids[: ids.index("OWNED-HARDWARE") + 1]
    *before, last = line.rules
    assert last.result == "true"
    assert last.section == "5.1"
    assert last.facts == {
        "asset_category": "tangible",
        "ownership": "owned",
        "unit_amount_base": "40000.00",
        "useful_life_months": 60,
    }
    assert all(e.result == "false" for e in before)  # nothing unknown stood in its way


def test_unknown_rules_name_the_facts_nobody_gave(policy: Policy) -> None:
    decision = decide(Request(text="We need GPUs for the new cluster, $40,000"), policy)
    assert decision.verdict == "needs_review"
    (line,) = decision.trace
    unknown = [e for e in line.rules if e.result == "unknown"]
    assert unknown, line
    assert any("ownership" in e.unknown for e in unknown)
    for entry in unknown:
        assert all(entry.facts[name] is None for name in entry.unknown)


def test_each_traced_result_follows_from_the_facts_it_records(policy: Policy) -> None:
    """Replaying a rule on the facts the trace shows gives the result the trace shows."""
    texts = [
        SERVER,
        "SaaS implementation fee for our new ERP, $80,000 configuration by the vendor's partner",
        "10 office chairs at $800 each",
        "3-year support contract for the storage array, $18,000 paid upfront",
    ]
    rules = {r.id: r for r in policy.rules}
    for text in texts:
        decision = decide(Request(text=text), policy)
        assert decision.trace, text
        for line in decision.trace:
            for entry in line.rules:
                values = {k: _value(v) for k, v in entry.facts.items()}
                result, _ = evaluate(rules[entry.rule].when, values, policy)
                shown = {"true": True, "false": False, "unknown": None}[entry.result]
                assert result is shown, (text, entry)


def _value(value: object) -> object:
    """Amounts are shown as exact decimals, which the comparisons read back."""
    if isinstance(value, str) and value.replace(".", "", 1).isdigit():
        return Decimal(value)
    return value
