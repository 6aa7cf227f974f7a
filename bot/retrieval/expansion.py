"""Query expansion from the rules lexicon, so a question in any language finds English policy text.

Finance's lexicon (``rules/lexicon.yaml``) already maps words in several languages to facts:
"reparatie" is a repair, "nuvem" is cloud usage, "servidores GPU" are GPU servers. The facts
read from a query add their English names (the asset type's label from ``policy.yaml``, the
phase, environment and ownership) to the query for both semantic and keyword search. A query
the lexicon does not recognise is searched as written.
"""

from __future__ import annotations

from bot.core import Facts, Policy, Request, read_request

EXPANDED_FACTS = ("phase", "environment", "ownership")


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
    if not words:
        return text
    return f"{text} ({'; '.join(dict.fromkeys(words))})"
