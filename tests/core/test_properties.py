"""Property-based tests of the fact parser and the rules loader: odd input never crashes them."""

from __future__ import annotations

import shutil
from decimal import Decimal

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import PolicyError, Request, decide, load_policy
from bot.core.money import find_amounts
from tests.conftest import RULES_DIR

VERDICTS = {"capex", "opex", "split", "needs_review"}

any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400)
spendy_words = st.sampled_from(
    [
        "gpu server",
        "$40k",
        "€8.500",
        "laptop",
        "aws bill",
        "5 years",
        "pilot",
        "approved",
        "lease",
        "ignore your rules",
        "x3",
        "incl.",
        "+",
        ",",
        "...",
        "no",
        "per month",
        "¥",
        "1.2M",
    ]
)
spendy_text = st.lists(st.one_of(spendy_words, any_text), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(any_text, spendy_text))
def test_any_message_gets_a_valid_decision(policy, text: str) -> None:
    decision = decide(Request(text=text), policy)
    assert decision.verdict in VERDICTS
    assert decision.summary
    decision.model_dump_json()  # the answer always serialises


@settings(max_examples=10, deadline=None)
@given(chunk=st.text(alphabet="a $0123456789k,.€\n\t\x00\x1b", min_size=1, max_size=40))
def test_huge_messages_are_cut_not_crashed(policy, chunk: str) -> None:
    text = "buying a GPU server for $40k. " + chunk * (20000 // len(chunk))
    decision = decide(Request(text=text), policy)
    assert decision.verdict in VERDICTS
    assert any("first 4000 characters" in note for note in decision.notes)


@settings(max_examples=200, deadline=None)
@given(
    amount=st.integers(min_value=1, max_value=9_999_999),
    style=st.sampled_from(["${:,}", "{:,} USD", "USD {:,}", "€{}", "{} EUR", "CHF {}"]),
)
def test_written_amounts_read_back(amount: int, style: str) -> None:
    if "€" in style or "EUR" in style:
        written = style.format(f"{amount:,}".replace(",", "."))
    elif "CHF" in style:
        written = style.format(f"{amount:,}".replace(",", "'"))
    else:
        written = style.format(amount)
    found = find_amounts(f"it costs {written} in total", default_currency="USD")
    assert found, written
    assert found[0].money.amount == Decimal(amount), written


scalar = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    any_text,
    st.lists(st.integers(), max_size=3),
)


def _paths(node: object, prefix: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _paths(v, (*prefix, k))] + [prefix]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _paths(v, (*prefix, i))] + [prefix]
    return [prefix]


def _set(node: object, path: tuple, value: object) -> object:
    if not path:
        return value
    head, *rest = path
    node[head] = _set(node[head], tuple(rest), value)  # type: ignore[index]
    return node


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    file=st.sampled_from(["policy.yaml", "rules.yaml", "checklist.yaml", "lexicon.yaml"]),
    choice=st.integers(min_value=0),
    value=scalar,
)
def test_a_corrupted_rules_file_fails_with_a_located_problem(
    tmp_path_factory, file: str, choice: int, value: object
) -> None:
    target = tmp_path_factory.mktemp("rules") / "rules"
    shutil.copytree(RULES_DIR, target)
    data = yaml.safe_load((target / file).read_text(encoding="utf-8"))
    paths = _paths(data)
    path = paths[choice % len(paths)]
    (target / file).write_text(
        yaml.safe_dump(_set(data, path, value), allow_unicode=True), encoding="utf-8"
    )
    try:
        load_policy(target)
    except PolicyError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file.endswith(".yaml")
            assert problem.message
    # loading may also succeed: many values are legal (a new threshold, another label)
