"""User words in Slack answers cannot ping channels or plant links."""

from __future__ import annotations

import json

from bot.core import Request, decide
from bot.slack.blocks import decision_blocks, question_blocks


def test_mentions_and_links_in_a_request_are_escaped(policy) -> None:
    text = "wire $3k for <!channel> <https://evil.example|invoice>; GPU server $40k"
    decision = decide(Request(text=text), policy)
    rendered = json.dumps(decision_blocks(decision, 1))
    assert "<!channel>" not in rendered
    assert "<https://evil.example" not in rendered
    assert "&lt;!channel&gt;" in rendered
    if decision.next_question is not None:
        question = json.dumps(question_blocks(decision.next_question, "k"))
        assert "<!channel>" not in question
