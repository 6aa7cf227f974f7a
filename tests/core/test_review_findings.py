"""Cases a code review found answered wrongly, each now held by a test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.core import Fact, PolicyError, Request, Source, decide, load_policy
from bot.core.facts import Money, validate_fact_value
from tests.conftest import RULES_DIR


def ask(policy, text: str):
    return decide(Request(text=text), policy)


def test_equipment_billed_monthly_is_not_capitalized(policy) -> None:
    decision = ask(policy, "H100 GPU server for production inference, $15k a month")
    assert decision.verdict == "needs_review"
    assert decision.rules_fired[0].id == "EQUIPMENT-BILLED-PERIODICALLY"


def test_on_demand_capacity_the_vendor_runs_is_opex(policy) -> None:
    decision = ask(policy, "on-demand H100 GPU servers, pay per use, about 30k")
    assert decision.verdict == "opex"
    assert decision.rules_fired[0].id == "RENTED-CAPACITY"


def test_mil_with_a_plain_dollar_is_not_guessed(policy) -> None:
    decision = ask(policy, "we're buying a $1.5 mil GPU cluster for production")
    assert decision.verdict == "needs_review"
    assert decision.next_question is not None and decision.next_question.fact == "unit_amount"


def test_a_life_range_across_a_year_is_asked(policy) -> None:
    decision = ask(policy, "buying a custom sensor rig for $20k, used for 12-24 months")
    assert decision.verdict == "needs_review"
    assert decision.next_question is not None and decision.next_question.fact == "useful_life"


def test_installation_follows_an_expensed_asset(policy) -> None:
    decision = ask(policy, "3 monitors at $3,000 each plus $500 installation")
    installation = next(line for line in decision.line_items if line.asset_type == "installation")
    assert installation.treatment != "capex"


def test_a_form_amount_is_not_copied_onto_every_item(policy) -> None:
    request = Request(
        text="two GPU servers plus a three-year support contract",
        facts={"amount": Fact(value=Money(amount=96000, currency="USD"), source=Source.FORM)},
    )
    decision = decide(request, policy)
    assert decision.verdict == "needs_review"
    assert "amount" in decision.facts.conflicts
    assert all(line.amount is None for line in decision.line_items)


def test_currency_without_a_planning_rate_goes_to_finance(policy) -> None:
    decision = ask(policy, "buying a GPU server for NOK 500,000")
    assert decision.verdict == "needs_review"
    assert decision.rules_fired[0].id == "NO-PLANNING-RATE"


def test_a_shorter_stated_life_is_used_for_depreciation(policy) -> None:
    decision = ask(policy, "buying a GPU server for $36,000, 3 year life")
    line = decision.line_items[0]
    assert line.useful_life_months == 36
    assert str(line.depreciation_per_month) == "1000.00"


def test_multi_year_term_licence_and_software_for_sale_go_to_finance(policy) -> None:
    licence = ask(
        policy, "term licence for the simulation tool on our servers, $60k, used for 3 years"
    )
    assert licence.verdict == "needs_review"
    assert licence.rules_fired[0].id == "TERM-LICENCE"
    for_sale = ask(
        policy, "approved at gate 2: building a product we will sell to customers, $200k"
    )
    assert for_sale.verdict == "needs_review"
    assert for_sale.rules_fired[0].id == "SOFTWARE-FOR-SALE"


def test_capitalized_equipment_does_not_count_against_the_experiment_cap(policy) -> None:
    decision = ask(
        policy, "buying a $300k H100 server for the pilot, then it goes to the shared pool"
    )
    assert decision.verdict == "capex"
    assert decision.approval is not None
    assert not any("experiment cap" in note for note in decision.approval.notes)


def test_bucket_holds_for_the_whole_request(policy) -> None:
    decision = ask(
        policy, "buying 2 GPU servers for $180k plus a monitoring SaaS subscription $2k/mo"
    )
    assert decision.verdict == "split"
    assert decision.budget_bucket is not None and decision.budget_bucket.id == "platform_build"


def test_quantity_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        validate_fact_value("quantity", -2)


def test_a_broken_lexicon_pattern_fails_check_not_every_question(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    lexicon = target / "lexicon.yaml"
    text = lexicon.read_text(encoding="utf-8")
    lexicon.write_text(
        text.replace("        - gemeinkosten\n", "        - gemeinkosten(\n"), "utf-8"
    )
    with pytest.raises(PolicyError) as caught:
        load_policy(target)
    problem = caught.value.problems[0]
    assert problem.file.endswith("lexicon.yaml") and "not a valid pattern" in problem.message
    assert problem.line is not None


def test_pattern_escapes_keep_their_meaning(policy) -> None:
    from bot.core.parsing import word_pattern

    assert word_pattern(r"gpu\S+").search("gpuXL") is not None
    assert word_pattern(r"gpu\S+").search("gpu ") is None
    assert word_pattern("réparation").search("reparation") is not None


@pytest.mark.parametrize(
    "text",
    [
        "Vi skal kjøpe en ny laserkutter til verkstedet i Oslo, 58 000 kr eks. mva.",
        "new laser cutter for the Malmö workshop, kr 58 000",
    ],
)
def test_crowns_without_their_code_are_asked_not_guessed(policy, text: str) -> None:
    """'kr' is Swedish, Norwegian or Danish: the amount is named as unread, never converted."""
    decision = ask(policy, text)
    assert decision.verdict == "needs_review"
    assert any("crowns" in unread.why for unread in decision.facts.unread)


def test_quantities_are_counts_of_items_not_sizes_parts_models_or_years(policy) -> None:
    """Each of these once set a quantity and tested a fraction of the price per unit."""
    for text in (
        "Pune office: buying a 250 kVA diesel genset for backup power, ₹ 18 lakh installed",
        "buying a 2x rtx 4090 render box for $7,800, we'll use it 3 years",
        "vendor refurb of the 2021 storage array, new controllers, extends its life 3 yrs, $19k",
    ):
        decision = ask(policy, text)
        assert decision.verdict == "capex", (text, decision.verdict)
        assert all("quantity" not in item.facts for item in decision.facts.items), text


def test_a_qualifying_phrase_does_not_overrule_what_is_bought(policy) -> None:
    """'do escritório' says where the desk goes, 'des bureaux' where the cleaning is done."""
    desk = ask(
        policy,
        "oi! vamos comprar uma mesa de recepção sob medida p/ o escritório de SP, R$ 31.000, "
        "deve durar uns 7 anos",
    )
    assert [line.asset_type for line in desk.line_items] == ["furniture"]
    cleaning = ask(policy, "Nouveau contrat de nettoyage des bureaux, 2 100 €/mois")
    assert [line.asset_type for line in cleaning.line_items] == ["facility_services"]


def test_improvements_follow_the_premises_they_are_built_into(policy) -> None:
    """§5.5.3: leased premises -> leasehold improvement; owned -> building; unsaid -> asked."""
    leased = ask(policy, "fit-out of our leased floor: glass partitions and lighting, $96k")
    assert leased.verdict == "capex"
    assert leased.line_items[0].rule_id == "LEASEHOLD-IMPROVEMENTS"
    unsaid = ask(policy, "verbouwing kantoor Rotterdam: nieuwe wanden en verlichting, €78.000")
    assert unsaid.verdict == "needs_review"


def test_a_monthly_bill_without_a_term_counts_for_a_year(policy) -> None:
    """'$9,000 a month' is how often it is paid, not a one-month term: §10.1 counts a year."""
    decision = ask(policy, "AWS bill for inference, $9,000 a month")
    assert decision.line_items[0].term_months is None
    assert decision.approval is not None and decision.approval.amount_base == 108000
