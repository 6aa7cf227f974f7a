"""Hostile and odd Slack payloads over real HTTP: text in every script with control characters
and huge sizes, fields of the wrong type or missing, bodies that are not JSON. The app never
answers 500 and no background work crashes: each request gets an answer, or a 4xx saying why.

Hypothesis runs derandomized (the same inputs on every run, so CI is repeatable); the counts
below are the inputs tried per run.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from fake_slack import BOT_USER, TEAM, FakeSlack
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_harness import APPROVER, FINANCE
from slack_requests import SlackSender

from bot.ops.metrics import ERRORS, REQUESTS
from bot.slack.failures import SORRY
from tests.hostile.raw_http import send, signed_headers
from tests.support.fixtures import Bot

EXAMPLES = 120
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ANSWER_WAIT = 60.0

# Every script Unicode has, control characters and all: ``st.text()`` draws from the whole
# code space except surrogates, which UTF-8 cannot carry.
TEXT = st.text(max_size=300)
#: Up to Slack's own limit for a message, 40,000 characters.
HUGE = st.builds(
    lambda unit, times: unit * times, st.text(min_size=1, max_size=40), st.integers(250, 1000)
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


class Counter:
    def __init__(self) -> None:
        self.sent = 0

    def next(self) -> int:
        self.sent += 1
        return self.sent


def errors(where: str) -> float:
    return ERRORS.labels(where)._value.get()  # type: ignore[attr-defined, no-any-return]


def server_errors() -> float:
    return sum(
        sample.value
        for metric in REQUESTS.collect()
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels["status"].startswith("5")
    )


@pytest.fixture
def bot(start_bot, tmp_path) -> Bot:  # type: ignore[no-untyped-def]
    return start_bot(f"sqlite:///{tmp_path / 'state.db'}", slack_team_id=TEAM)


@pytest.fixture
def no_crash() -> Callable[[], None]:
    """Call at the end: no 5xx went out and no background work failed meanwhile."""
    listener, requests = errors("listener"), server_errors()

    def check() -> None:
        assert errors("listener") == listener, "a listener crashed on an input"
        assert server_errors() == requests, "a request got a 5xx"

    return check


def mention(text: str, n: int, channel: str = "C0HOSTILE") -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": "UHOSTILE",
        "channel": channel,
        "ts": f"1700009000.{n:06d}",
        "text": f"<@{BOT_USER}> {text}",
    }


def wait_for_answers(slack: FakeSlack, channel: str, count: int) -> list[str]:
    deadline = time.monotonic() + ANSWER_WAIT
    while time.monotonic() < deadline:
        posts = [c for c in slack.of("chat.postMessage") if c.params.get("channel") == channel]
        if len(posts) >= count:
            return [str(c.params.get("text")) for c in posts]
        time.sleep(0.1)
    raise AssertionError(f"{len(posts)} answers in {channel}, expected {count}")


def test_any_text_in_a_mention_gets_one_clear_answer(
    start_bot, database_url: str, slack: FakeSlack, no_crash: Callable[[], None]
) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL too, which refuses the NUL character that ``st.text()`` draws."""
    bot = start_bot(database_url, slack_team_id=TEAM)
    sent = Counter()

    @SETTINGS
    @given(text=TEXT | HUGE)
    def run(text: str) -> None:
        n = sent.next()
        reply = bot.sender.event(mention(text, n), event_id=f"EvHostileText{n}")
        assert reply.status == 200, reply.body

    run()
    answers = wait_for_answers(slack, "C0HOSTILE", sent.sent)
    assert len(answers) == sent.sent and SORRY not in answers
    no_crash()


BASES: dict[str, dict[str, Any]] = {
    "mention": {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": "EvBase",
        "event": mention("is a $40k GPU server for production CapEx?", 1, "C0ODD"),
    },
    "dm": {
        "team_id": TEAM,
        "type": "event_callback",
        "event_id": "EvBase",
        "event": {
            "type": "message",
            "channel": "D0ODD",
            "channel_type": "im",
            "user": "UODD",
            "text": "we need $30,000 for a new project",
            "ts": "1700009100.000001",
        },
    },
    "click": {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": APPROVER, "team_id": TEAM},
        "trigger_id": "trigger.base",
        "container": {"type": "message", "message_ts": "1.1", "channel_id": FINANCE},
        "channel": {"id": FINANCE},
        "message": {"type": "message", "ts": "1.1", "text": ""},
        "actions": [{"type": "button", "action_id": "approve_request", "value": "1"}],
    },
    "answer": {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "UODD", "team_id": TEAM},
        "trigger_id": "trigger.base",
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "D0ODD"},
        "actions": [
            {
                "type": "button",
                "action_id": "checklist_answer_0",
                "value": '{"c":"dm:T0TEST:UODD","q":"asset_type","i":0}',
            }
        ],
    },
    "submission": {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": "UODD", "team_id": TEAM},
        "trigger_id": "trigger.base",
        "view": {
            "id": "V0ODD",
            "type": "modal",
            "callback_id": "capex_intake",
            "private_metadata": "C0ODD",
            "state": {
                "values": {
                    "objective": {"value": {"type": "plain_text_input", "value": "GPU server"}},
                    "amount": {"value": {"type": "number_input", "value": "40000"}},
                    "useful_life": {"value": {"type": "number_input", "value": "5"}},
                    "phase": {"value": {"selected_option": {"value": "production"}}},
                }
            },
        },
    },
}


def key_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found: list[tuple[Any, ...]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        found.append((*prefix, key))
        found.extend(key_paths(value, (*prefix, key)))
    return found


@st.composite
def odd_payload(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(BASES)))
    body = copy.deepcopy(BASES[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = key_paths(body)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = body
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]  # a missing field
        else:
            parent[path[-1]] = draw(JSON_VALUES)  # a field of another type, or another value
    return name, body


def post_payload(sender: SlackSender, name: str, body: dict[str, Any], n: int) -> int:
    if body.get("type") == "event_callback" or name in ("mention", "dm"):
        if isinstance(body.get("event_id"), str):
            body["event_id"] = f"{body['event_id']}-{n}"
        return sender.post(json.dumps(body), "application/json").status
    if isinstance(body.get("trigger_id"), str):
        body["trigger_id"] = f"{body['trigger_id']}-{n}"
    form = urlencode({"payload": json.dumps(body)})
    return sender.post(form, "application/x-www-form-urlencoded").status


def test_fields_of_the_wrong_type_or_missing_get_an_answer_or_a_4xx(
    bot: Bot, no_crash: Callable[[], None]
) -> None:
    sent = Counter()
    statuses: list[int] = []

    @settings(SETTINGS, max_examples=EXAMPLES * 3)
    @given(odd=odd_payload())
    def run(odd: tuple[str, dict[str, Any]]) -> None:
        status = post_payload(bot.sender, *odd, sent.next())
        assert status in (200, 400, 403, 404), status
        statuses.append(status)

    run()
    time.sleep(1.5)  # the background work of the accepted ones
    assert statuses.count(200) and statuses.count(400)  # both kinds were tried
    no_crash()


def test_bodies_that_are_not_slack_payloads_are_refused_with_400(
    bot: Bot, no_crash: Callable[[], None]
) -> None:
    @SETTINGS
    @given(
        raw=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode),
        content_type=st.sampled_from(["application/json", "application/x-www-form-urlencoded"]),
    )
    def run(raw: bytes, content_type: str) -> None:
        text = raw.decode("utf-8", errors="replace")
        reply = bot.sender.post(text, content_type)
        assert reply.status in (200, 400, 403, 404), (reply.status, text[:80])
        if reply.status == 400:
            assert "Malformed Slack request" in reply.body

    run()
    assert bot.sender.post("{not json", "application/json").status == 400
    assert bot.sender.post("payload=%5B1%5D", "application/x-www-form-urlencoded").status == 400
    assert bot.sender.post("payload=%7Bxx", "application/x-www-form-urlencoded").status == 400
    no_crash()


def test_slash_commands_with_odd_or_missing_fields(
    bot: Bot, slack: FakeSlack, no_crash: Callable[[], None]
) -> None:
    fields = ["team_id", "channel_id", "user_id", "command", "text", "trigger_id", "response_url"]

    @SETTINGS
    @given(
        values=st.fixed_dictionaries({}, optional={f: st.text(max_size=60) for f in fields}),
        text=TEXT,
    )
    def run(values: dict[str, str], text: str) -> None:
        form = {"team_id": TEAM, "command": "/capex", **values, "text": text}
        reply = bot.sender.post(urlencode(form), "application/x-www-form-urlencoded")
        assert reply.status in (200, 400, 403, 404), reply.status

    run()
    no_crash()


def test_odd_form_values_come_back_as_field_errors(bot: Bot, no_crash: Callable[[], None]) -> None:
    blocks = [
        "objective",
        "phase",
        "environment",
        "asset_type",
        "useful_life",
        "amount",
        "currency",
        "cost_center",
        "forecast_expected",
    ]

    @SETTINGS
    @given(
        values=st.dictionaries(
            st.sampled_from(blocks), st.dictionaries(st.just("value"), JSON_VALUES)
        )
    )
    def run(values: dict[str, Any]) -> None:
        reply = bot.sender.submit({"type": "modal", "callback_id": "capex_intake"}, values)
        assert reply.status == 200, reply.status
        assert reply.json()["response_action"] == "errors"  # shown next to the fields

    run()
    no_crash()


def test_a_body_beyond_any_slack_payload_is_refused_with_413(bot: Bot) -> None:
    """Refused from its Content-Length: the answer comes before the body is sent (a client
    that insists on sending it then finds the connection closed)."""
    body = json.dumps(mention("x" * 1_200_000, 1)).encode()
    port = int(bot.base_url.rsplit(":", 1)[1])
    reply = send(port, body, signed_headers(body), send_body=False)
    assert reply.status == 413 and "too large" in reply.body
