"""Typos in questions ("anual asset verifcation") put right against the policy's own words.

Employees type fast; BM25 finds nothing for a misspelt word and the embedding model reads it
as unrelated word pieces. A query word is corrected only when it is unknown twice over: its
stem is no word of the policy, and it is no whole word of the embedding model's English
vocabulary (so "programmer" or "portable" are never "corrected" into the policy's
"programme" or "portal"). It is then replaced by the policy word one edit away (two letters
swapped, a letter dropped, changed or added, in that order of likelihood), the most frequent
if several are equally likely ("acount" is "account", not "amount"). Words of other
languages mostly stay as they are ("reparatie" is no edit from an English word; "serveur"
becomes "server").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from bot.retrieval.keyword import fold, stem

WORD = re.compile(r"[^\W\d_]+")
MIN_LETTERS = 5  # shorter words are one edit away from too many others
LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Speller:
    def __init__(self, texts: Iterable[str], known: frozenset[str]) -> None:
        """``texts``: the policy's text; ``known``: whole words of the model's vocabulary."""
        self._counts = Counter(w for text in texts for w in WORD.findall(fold(text)))
        self._stems = frozenset(stem(w) for w in self._counts)
        self._known = known

    def correct(self, query: str) -> str:
        """``query`` with every misspelt word replaced by the policy word it stands for."""
        return WORD.sub(lambda match: self._word(match.group()), query)

    def _word(self, word: str) -> str:
        folded = fold(word)
        if (
            len(folded) < MIN_LETTERS
            or folded in self._counts
            or stem(folded) in self._stems
            or folded in self._known
        ):
            return word
        for edits in _one_edit(folded):
            found = [w for w in edits if w in self._counts]
            if found:
                return max(found, key=lambda w: (self._counts[w], w))
        return word


def _one_edit(word: str) -> list[set[str]]:
    """The words one edit from ``word``, most likely typing slip first: two letters swapped,
    a letter dropped (so one added back), a letter changed, a letter doubled or stray."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return [
        {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1},
        {a + c + b for a, b in splits for c in LETTERS},
        {a + c + b[1:] for a, b in splits if b for c in LETTERS},
        {a + b[1:] for a, b in splits if b},
    ]
