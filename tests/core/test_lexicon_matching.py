"""The lexicon's shortcuts find exactly what trying every pattern on every character finds."""

from __future__ import annotations

import unicodedata
from re import _constants as sre_constants
from re import _parser as sre_parse

import pytest

from bot.core import Policy
from bot.core.parsing import _anchor, _compiled, fold, word_pattern
from bot.core.scripts import CJK_RUN


def _fold_by_character(text: str) -> str:
    """fold() as it was written first: one Unicode decomposition per character, Japanese,
    Chinese and Korean script kept as written."""

    def plain(char: str) -> str:
        if CJK_RUN.match(char):
            return char
        decomposed = unicodedata.normalize("NFKD", char)
        return ("".join(c for c in decomposed if not unicodedata.combining(c)) or char)[0]

    return "".join(plain(c).lower()[0] for c in text).replace("’", "'")


def test_fold_agrees_with_the_decomposition_of_each_character() -> None:
    text = "Réparation İSTANBUL ſerver Kırıkkale ÆØÅ ß ﬁ ’s Straße 3台で120万円 €8.500 ＫＭ"
    assert fold(text) == _fold_by_character(text)
    assert len(fold(text)) == len(text)
    assert fold("プロジェクター 한국어") == "プロジェクター 한국어"  # voicing marks, syllables kept


@pytest.mark.parametrize(
    ("pattern", "anchor"),
    [
        ("reparatur", "reparatur"),
        ("servers?", "server"),  # the quantified "s" is not required
        ("office (?:space|rent)", "office "),
        ("poc\\b", "poc"),
        ("a|bc", ""),  # "bc" matches anywhere
        ("ab[|]cd", "ab"),  # a "|" inside a class is a character
        ("(?:rent|lease) of", ""),
        ("x", ""),  # too short to be worth a look
        ("リース", ""),  # no word start, no ASCII anchor
    ],
)
def test_anchor_is_the_plain_literal_start(pattern: str, anchor: str) -> None:
    assert _anchor(word_pattern(pattern)) == anchor


def test_every_anchor_is_a_literal_every_match_starts_with(policy: Policy) -> None:
    """Checked against Python's own parse of each shipped pattern: after the word-start
    lookbehind come literal characters, unquantified, spelling the anchor."""
    entries = [entry for entries in _compiled(policy).facts.values() for entry in entries]
    anchored = 0
    for *_, pattern, anchor in entries:
        if not anchor:
            continue
        anchored += 1
        ops = list(sre_parse.parse(pattern.pattern, pattern.flags))
        assert ops[0][0] is sre_constants.ASSERT_NOT, pattern.pattern
        literal = "".join(
            chr(av) for op, av in ops[1 : 1 + len(anchor)] if op is sre_constants.LITERAL
        )
        assert literal == anchor, pattern.pattern
    assert anchored > len(entries) // 2  # the shortcut covers most of the lexicon


def test_a_dotless_i_still_matches_an_anchored_pattern() -> None:
    """ "ı" is kept by folding and matches "i" when case is ignored: the anchor check reads it
    as "i", so the pattern is tried as it always was."""
    from bot.core.parsing import _DOTLESS_I

    pattern = word_pattern("kirikkale")
    assert _anchor(pattern) == "kirikkale"
    text = fold("Kırıkkale office")
    assert pattern.search(text)
    assert _anchor(pattern) in text.replace(_DOTLESS_I, "i")
