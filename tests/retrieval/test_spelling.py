"""Typos put right against the policy's own words, and only typos."""

from __future__ import annotations

from bot.retrieval.encoder import whole_words
from bot.retrieval.search import KnowledgeBase
from bot.retrieval.spelling import Speller

POLICY = (
    "Annual verification of every asset. Components of a new building. Each account and the "
    "amount booked. Station equipment is counted separately. The programme office and portal."
)


def test_typos_become_the_policy_words_they_stand_for() -> None:
    speller = Speller([POLICY], whole_words())
    assert speller.correct("when is the anual asset verifcation done") == (
        "when is the annual asset verification done"
    )
    assert speller.correct("split it into componants") == "split it into components"
    assert speller.correct("each room statoin seperately") == "each room station separately"
    assert speller.correct("the national acount concession") == "the national account concession"


def test_real_words_and_inflections_are_left_alone() -> None:
    speller = Speller([POLICY], whole_words())
    for query in (
        "a portable x-ray",  # an English word, though one edit from nothing here
        "our programmer's salary",  # "programmer" is a word, not a slip for "programme"
        "verify the buildings",  # a stem of the policy's words
        "reparatie van een voeding",  # another language, nothing one edit away
        "VAT on £30m",
    ):
        assert speller.correct(query) == query


def test_a_misspelt_question_finds_its_section(shipped_knowledge: KnowledgeBase) -> None:
    hits = shipped_knowledge.search("usefull lifes of servres and laptps", 3, "keyword")
    assert "4.2" in [h.chunk.number for h in hits]
