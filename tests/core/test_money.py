"""Amounts, currencies, quantities and useful lives as people write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.money import find_amounts, find_quantities, find_useful_life


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$12k", "12000", "USD"),
        ("12,000 USD", "12000", "USD"),
        ("€8.500", "8500", "EUR"),
        ("8.500 €", "8500", "EUR"),
        ("1.2M", "1200000", "USD"),
        ("CHF 15'000", "15000", "CHF"),
        ("£3,2k", "3200", "GBP"),
        ("¥800,000", "800000", "JPY"),
        ("1,2 Mio. €", "1200000", "EUR"),
        ("R$ 200 mil", "200000", "BRL"),
        ("12 000,50 EUR", "12000.50", "EUR"),
        ("about 40k", "40000", "USD"),
        ("₹4,50,000", "450000", "INR"),
        ("₹5 lakh", "500000", "INR"),
    ],
)
def test_amount_formats(text: str, amount: str, currency: str) -> None:
    found = find_amounts(text, default_currency="USD")
    assert found, text
    assert found[0].money.amount == Decimal(amount)
    assert found[0].money.currency == currency


def test_bare_numbers_and_comparisons_are_not_costs() -> None:
    assert find_amounts("5 years, 40 monitors, model v2", default_currency="USD") == []
    found = find_amounts("it costs $900, way over $500", default_currency="USD")
    assert [f.money.amount for f in found] == [Decimal(900)]


def test_periods_and_unit_prices() -> None:
    monthly = find_amounts("~$7k/mo", default_currency="USD")[0]
    assert monthly.money.per == "month"
    yearly = find_amounts("6k per year", default_currency="USD")[0]
    assert yearly.money.per == "year"
    each = find_amounts("40 monitors at $300 each", default_currency="USD")[0]
    assert each.each and each.money.amount == Decimal(300)


@pytest.mark.parametrize(
    ("text", "low", "high", "explicit"),
    [
        ("5 year life", 60, 60, True),
        ("useful life 3-5 years", 36, 60, True),
        ("we'll use it for 36 months", 36, 36, True),
        ("Nutzungsdauer 5 Jahre", 60, 60, True),
        ("durée de vie de trois ans", 36, 36, True),
        ("a three-month pilot", 3, 3, False),
    ],
)
def test_useful_life(text: str, low: int, high: int, explicit: bool) -> None:
    life = find_useful_life(text)[0]
    assert (life.life.min_months, life.life.max_months, life.explicit) == (low, high, explicit)


def test_quantities() -> None:
    assert [q.quantity for q in find_quantities("40 monitors and 3x servers", skip=[])] == [40, 3]
    assert [q.quantity for q in find_quantities("an 8k 3d printer", skip=[])] == []


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        # a scale word ends where a word goes on: "más" is no million
        ("MXN 1,250,000 más placas", "1250000", "MXN"),
        ("ca. 30 T€", "30000", "EUR"),
        ("12 k€", "12000", "EUR"),
        # a stated discount lowers the price
        ("List price $5,400 but the distributor gave us 15% off", "4590.00", "USD"),
        ("precio de lista 5.300 USD pero nos aplican un 10 % de descuento", "4770.00", "USD"),
        ("4.000 € netto, Rabatt von 5 %", "3800.00", "EUR"),
        # a tax said to be non-recoverable is part of the cost; a recoverable one is not
        ("4.300 € + IVA 22% indetraibile", "5246.00", "EUR"),
        ("£10,000 + non-recoverable VAT of 20%", "12000.00", "GBP"),
        ("€38,000 net plus 19% VAT, which we reclaim", "38000", "EUR"),
        # an hourly rate times the hours it is for
        ("640 uur codering en testen geregistreerd à $ 110", "70400", "USD"),
    ],
)
def test_amounts_as_the_policy_counts_them(text: str, amount: str, currency: str) -> None:
    found = find_amounts(text, default_currency="USD")
    assert [(f.money.amount, f.money.currency) for f in found] == [(Decimal(amount), currency)]


def test_the_policy_threshold_named_in_a_message_is_not_a_cost() -> None:
    found = find_amounts("60 chairs @ $650 ea, way over the 5k threshold", default_currency="USD")
    assert [f.money.amount for f in found] == [Decimal(650)]


def test_a_model_name_is_not_a_count() -> None:
    assert [q.quantity for q in find_quantities("35 thinkpad x1 carbon", [])] == [35]
    assert [q.quantity for q in find_quantities("h100 x8, 5 yr life", [])] == [8]


@pytest.mark.parametrize(
    ("text", "per", "each"),
    [
        ("$1,395/chair", None, True),
        ("$99/user/month", "month", True),
        ("39 € pro User/Monat", "month", True),
        ("$7k/mo", "month", False),
    ],
)
def test_prices_per_thing_and_per_period(text: str, per: str | None, each: bool) -> None:
    found = find_amounts(text, default_currency="USD")[0]
    assert (found.money.per, found.each) == (per, each)
