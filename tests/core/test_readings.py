"""How a request is read where one word used to decide for the whole message.

Each case is worded afresh (not copied from a scenario set) and runs the real parser,
classifier and rules.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core import Request, decide
from bot.core.decision import Decision
from bot.core.money import find_amounts, find_quantities, find_useful_life


def ask(text: str, policy) -> Decision:
    return decide(Request(text=text), policy)


def rules_of(decision: Decision) -> set[str]:
    return {rule.id for rule in decision.rules_fired}


def test_gate_2_said_to_be_passed_holds_against_the_prototype_mentioned(policy) -> None:
    d = ask(
        "Invoice-matching tool: Gate 2 signed off in May after the prototype proved the "
        "accuracy. Since then 900 hrs coding/integration/testing @ $120, hours by activity",
        policy,
    )
    assert d.facts.shared["phase"].value == "build"
    assert [line.amount.amount for line in d.line_items if line.amount] == [Decimal(108000)]
    assert d.verdict == "capex"


def test_gate_2_not_yet_approved_is_no_build(policy) -> None:
    d = ask(
        "Gate 2 not approved yet, we are still prototyping the parser, $30k of dev time", policy
    )
    assert d.verdict != "capex"


@pytest.mark.parametrize(
    "text",
    [
        "we need 48 H100s for the Q4 fine-tuning runs, about $1.6M",
        "on a besoin de 24 H100 pour le prochain trimestre, budget 300 k€",
    ],
)
def test_a_gpu_chip_named_alone_asks_whether_it_is_bought_or_rented(policy, text: str) -> None:
    d = ask(text, policy)
    assert d.verdict == "needs_review"
    assert d.next_question is not None and d.next_question.fact == "ownership"


def test_gpus_in_a_cloud_are_rented(policy) -> None:
    d = ask("GPU hours on Lambda Cloud for the production model, $12,000 a month", policy)
    assert d.verdict == "opex"


def test_a_licence_for_one_year_is_expensed_and_a_licence_is_no_lease(policy) -> None:
    d = ask("one-year licence for a log analytics tool installed on our servers, $18,000", policy)
    assert d.verdict == "opex"
    assert "SHORT-USEFUL-LIFE" in rules_of(d)


def test_moving_equipment_already_in_use_is_expensed(policy) -> None:
    d = ask("relocating 4 racks of servers to the new data hall, movers and cabling $31k", policy)
    assert d.verdict == "opex"


def test_a_question_whether_it_is_a_repair_names_no_item(policy) -> None:
    d = ask(
        "Fitting a crane arm to our existing truck, $12,500 installed. Is that a repair?", policy
    )
    assert all(line.asset_type != "repair" for line in d.line_items)


def test_repainting_owned_offices_is_a_repair(policy) -> None:
    d = ask("repainting all the offices in our building (owned), $28,000", policy)
    assert d.verdict == "opex"


def test_title_kept_by_the_vendor_is_a_possible_lease(policy) -> None:
    d = ask(
        "Acme offers us a forklift for the warehouse over 48 monthly payments of $2,900, "
        "Acme keeps title until the last one",
        policy,
    )
    assert d.verdict == "needs_review"
    assert "LEASE-OUT-OF-SCOPE" in rules_of(d)


def test_hours_and_counts_are_not_read_inside_words_or_as_money() -> None:
    assert find_useful_life("payroll for May") == []
    text = "annotating ~300k images and a 4K camera, $52k in all"
    amounts = find_amounts(text, "USD")
    assert [a.money.amount for a in amounts] == [Decimal(52000)]
    assert find_quantities("pagabile in 24 rate mensili", []) == []


def test_canadian_dollars_after_the_number_and_unit_prices_per_unit() -> None:
    (cad,) = find_amounts("une imprimante à 7 200 $ CA", "USD")
    assert (cad.money.currency, cad.money.amount) == ("CAD", Decimal(7200))
    (each, _) = find_amounts("servidores a 8.000 USD c/u, total 24.000 USD", "USD")
    assert each.each


def test_a_mark_to_be_used_without_limit_is_not_answered(policy) -> None:
    d = ask(
        "buying the Zephyr brand from a rival for $400k; we'll renew it and use it forever", policy
    )
    assert d.verdict == "needs_review"


def test_software_written_to_convert_the_old_data_is_build(policy) -> None:
    d = ask(
        "after Gate 2 our engineers wrote a script that converts the old CRM's records, "
        "$26k of logged dev time",
        policy,
    )
    assert d.verdict == "capex"
