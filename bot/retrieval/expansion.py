"""Query expansion from the rules lexicon, so a question in any language finds English policy text.

Finance's lexicon (``rules/lexicon.yaml``) already maps words in several languages to facts:
"reparatie" is a repair, "nuvem" is cloud usage, "servidores GPU" are GPU servers. The facts
read from a query add their English names (the asset type's label from ``policy.yaml``, the
phase, environment and ownership) to the query for both semantic and keyword search.

Employees also ask in words a capitalization policy does not use for its headings: "the
minimum spend before something goes on the register" is the capitalization threshold, "write
the line down" an impairment, "who signs off" the approval, "credit for our old lathe" a
trade-in. :data:`POLICY_TERMS` adds the term policies use for such a phrasing (the standard
vocabulary of capitalization policies, not any one organisation's headings). A query neither
recognises is searched as written.
"""

from __future__ import annotations

import re

from bot.core import Facts, Policy, Request, read_request

EXPANDED_FACTS = ("phase", "environment", "ownership")
#: what :func:`expand_query` appends: its words in brackets at the end
_APPENDED = re.compile(r"\s*\([^()]*\)\s*$")
#: (how an employee says it, the term a capitalization policy uses).
POLICY_TERMS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), term)
    for pattern, term in (
        (
            r"\b(minimum|min|lowest|smallest)\b.{0,25}\b(spend|cost|amount|value|price|limit)\b"
            r"|\bhow much (before|does)\b.{0,30}\b(capitali[sz]|asset|register)",
            "capitalization threshold",
        ),
        (
            r"\b(write|writ|wrote|written)[- ](it |them |the \w+ )?(down|off)\b",
            "impairment write-off",
        ),
        (r"\bsign(s|ed)?[- ]off\b|\bsigns? for\b|\bok(ay)?s?\b|\bgreen[- ]light", "approval"),
        (
            r"\b(get rid of|scrap(ped|ping)?|sell(ing)?|sold|dump(ed)?|throw(n)? (away|out)"
            r"|junk(ed)?|retir(e|ed|ing))\b",
            "disposal",
        ),
        (
            r"\btrad(e|ed|ing)[- ]in\b|\bpart[- ]exchange|\bcredit for (our|the|an?) old\b",
            "trade-in",
        ),
        (r"\bhow (long|many years)\b|\bdepreciation period\b|\bover how many\b", "useful life"),
        (r"\b(fix|fixing|fixed(?! assets?\b)|broken|broke|mend(ed)?|patch(ed)?)\b", "repair"),
        (r"\bgift(ed)?\b|\bdonat(e|ed|ion)\b|\bfor free\b|\bfree of charge\b", "donated"),
    )
)


def expand_query(text: str, policy: Policy, facts: Facts | None = None) -> str:
    """``text`` followed by the English names of the facts read from it, in parentheses."""
    if facts is None:
        facts = read_request(Request(text=text), policy)
    words: list[str] = []
    for item in facts.items:
        asset = item.facts.get("asset_type")
        if asset is not None and asset.value in policy.settings.asset_types:
            words.append(policy.settings.asset_types[asset.value].label)
        words.extend(str(item.facts[n].value) for n in EXPANDED_FACTS if n in item.facts)
    words.extend(str(facts.shared[n].value) for n in EXPANDED_FACTS if n in facts.shared)
    words.extend(term for pattern, term in POLICY_TERMS if pattern.search(text))
    if not words:
        return text
    return f"{text} ({'; '.join(dict.fromkeys(words))})"


def as_asked(query: str) -> str:
    """``query`` without the words :func:`expand_query` appended: what the asker wrote."""
    return _APPENDED.sub("", query)
