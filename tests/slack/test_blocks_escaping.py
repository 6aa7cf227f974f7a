"""User words in Slack answers cannot ping channels or plant links."""

from __future__ import annotations

import json

from bot.core import Answer, Request, decide
from bot.render.document import build_document
from bot.slack.blocks import decision_blocks, question_blocks
from bot.slack.escaping import slack_escape


def test_mentions_and_links_in_a_request_are_escaped(policy) -> None:
    text = "wire $3k for <!channel> <https://evil.example|invoice>; GPU server $40k"
    decision = decide(Request(text=text), policy)
    rendered = json.dumps(decision_blocks(build_document(Answer(decision=decision)), 1))
    assert "<!channel>" not in rendered
    assert "<https://evil.example" not in rendered
    assert "&lt;!channel&gt;" in rendered
    if decision.next_question is not None:
        question = json.dumps(question_blocks(decision.next_question, "k"))
        assert "<!channel>" not in question


def test_one_function_escapes_markup_and_drops_disguising_characters() -> None:
    assert slack_escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert slack_escape("&lt;") == "&amp;lt;"  # typed entities show as typed
    assert slack_escape("\u202eexe.txt \u2066a\u2069 \u202ab\u202c") == "exe.txt a b"
    assert slack_escape("Ap\u200bpro\u2060ve\ufeff") == "Approve"
    assert slack_escape("A\u200dp\u200c\u200dp") == "App"
    # Joiners inside scripts and emoji stay: Persian's ZWNJ, a family emoji's ZWJ.
    assert slack_escape("می\u200cخواهم") == "می\u200cخواهم"
    assert slack_escape("👩\u200d💻") == "👩\u200d💻"
