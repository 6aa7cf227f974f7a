"""The one way user and model text goes into Slack: :func:`slack_escape`.

Slack reads ``<…>`` in message text, blocks and fallback ``text`` as markup: ``<!channel>``
pings a whole channel, ``<@U123>`` a person, ``<https://evil.example|Approve>`` shows a link
under words of the writer's choosing. Anything a person typed (a question, an objective, a
cost center) or a model wrote goes through this function before any Slack surface, so it
shows as the characters typed and never acts. The app adds its own markup afterwards.

Invisible characters that could disguise text go too: bidi overrides and isolates turn
``exe.txt`` into something that reads differently from what it is, and zero-width characters
hide inside words. The zero-width (non-)joiner is kept between two non-ASCII characters, where
scripts (Persian, Indic) and emoji sequences need it, and dropped elsewhere.
"""

from __future__ import annotations

import re

#: Left-to-right / right-to-left embeddings and overrides (U+202A–U+202E), isolates
#: (U+2066–U+2069), zero-width space, word joiner and byte-order mark.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")
#: Zero-width non-joiner and joiner not between two non-ASCII characters.
_LOOSE_JOINER = re.compile("(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])")


def slack_escape(text: str) -> str:
    """``text`` as Slack shows it literally: ``& < >`` escaped, disguising characters gone."""
    text = _INVISIBLE.sub("", text)
    while True:  # a joiner may stand next to another one that is dropped in the same pass
        cleaned = _LOOSE_JOINER.sub("", text)
        if cleaned == text:
            break
        text = cleaned
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
