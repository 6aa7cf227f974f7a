"""What a Slack request must look like before Bolt and the listeners read it.

Slack's payloads have a fixed shape, but the app must not trust that: a body that is not JSON,
a field of the wrong type or a missing one made Bolt (or a listener) fail with a 500, or worse,
after the ack. :func:`problem` names the first thing wrong, for a 400; what passes is safe for
the code that reads it. Unknown fields are ignored, as Slack adds fields over time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from slack_bolt.request.internals import parse_body

from bot.errors import CapexbotError

Body = dict[str, Any]
Check = Callable[[Any], bool]


class Malformed(CapexbotError, ValueError):
    """The body cannot be read as a Slack payload at all."""


def parse(raw: bytes, content_type: str | None) -> Body:
    """The body as Bolt will read it (with Bolt's own rules), if it is a JSON object."""
    try:
        body = parse_body(raw.decode("utf-8"), content_type)
    except UnicodeDecodeError as exc:
        raise Malformed("the body is not UTF-8 text") from exc
    except ValueError as exc:
        raise Malformed("the body is neither JSON nor form data Slack sends") from exc
    except RecursionError as exc:  # the JSON parser recurses once per level of nesting
        raise Malformed(f"the payload is nested more than {MAX_DEPTH} levels deep") from exc
    if not isinstance(body, dict):
        raise Malformed("the payload is not a JSON object")
    if _deeper_than(body, MAX_DEPTH):
        raise Malformed(f"the payload is nested more than {MAX_DEPTH} levels deep")
    return body


#: Slack's payloads nest a dozen levels or so (a modal's state, rich text in a message); code
#: that walks a payload recursively (Bolt, the JSON encoder) must never meet Python's limit.
MAX_DEPTH = 64


def _deeper_than(node: Any, limit: int) -> bool:
    level: list[Any] = [node]
    for _ in range(limit):
        level = [
            child
            for item in level
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def kind(body: Body) -> str:
    """The kind of request, one of :data:`bot.ops.metrics.KINDS`."""
    value = body.get("type")
    if value == "event_callback":
        return "event"
    if value in ("url_verification", "block_actions", "view_submission"):
        return str(value)
    if "command" in body:
        return "command"
    return "other"


def problem(body: Body) -> str | None:
    """What is wrong with ``body``, or None."""
    found = _fields(body, "", TOP)
    if found:
        return found
    value = body.get("type")
    if value == "event_callback":
        return _event_callback(body)
    if value == "block_actions":
        return _block_actions(body)
    if value == "interactive_message" and not body.get("actions"):
        return "actions is missing"
    if value == "view_submission":
        return _view_submission(body)
    if "command" in body:
        return _required(body, "", ("command", "user_id", "channel_id", "trigger_id"))
    return None


# --- field types ------------------------------------------------------------------------------


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _str_or_dict(value: Any) -> bool:
    return isinstance(value, str | dict)


def _dict_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


STR = (_is_str, "a string")
DICT = (_is_dict, "an object")
STR_OR_DICT = (_str_or_dict, "a string or an object")
DICTS = (_dict_list, "a list of objects")
Fields = dict[str, tuple[Check, str]]

#: Every field some part of Bolt or the listeners reads, wherever the payload has it.
TOP: Fields = {
    "type": STR,
    "token": STR,
    "team_id": STR,
    "enterprise_id": STR,
    "api_app_id": STR,
    "event_id": STR,
    "user_id": STR,
    "channel_id": STR,
    "trigger_id": STR,
    "command": STR,
    "text": STR,
    "response_url": STR,
    "thread_ts": STR,
    "team": STR_OR_DICT,
    "enterprise": STR_OR_DICT,
    "user": STR_OR_DICT,
    "channel": STR_OR_DICT,
    "event": DICT,
    "message": DICT,
    "previous_message": DICT,
    "container": DICT,
    "view": DICT,
    "item": DICT,
    "assistant_thread": DICT,
    "function_data": DICT,
    "function": DICT,
    "authorizations": DICTS,
    "actions": DICTS,
}
OWNER: Fields = {"id": STR, "team_id": STR, "enterprise_id": STR}
EVENT: Fields = {
    "type": STR,
    "subtype": STR,
    "user": STR_OR_DICT,
    "text": STR,
    "channel": STR_OR_DICT,
    "channel_type": STR,
    "ts": STR,
    "thread_ts": STR,
    "event_ts": STR,
    "bot_id": STR,
    "tab": STR,
    "team": STR,
    "user_team": STR,
    "assistant_thread": DICT,
    "message": DICT,
    "previous_message": DICT,
    "item": DICT,
}
MESSAGE: Fields = {
    "type": STR,
    "user": STR,
    "text": STR,
    "ts": STR,
    "thread_ts": STR,
    "bot_id": STR,
}
CONTAINER: Fields = {"type": STR, "message_ts": STR, "channel_id": STR, "thread_ts": STR}
VIEW: Fields = {
    "id": STR,
    "type": STR,
    "callback_id": STR,
    "private_metadata": STR,
    "hash": STR,
    "team_id": STR,
    "app_installed_team_id": STR,
    "external_id": STR,
    "state": DICT,
}
ACTION: Fields = {"type": STR, "action_id": STR, "block_id": STR, "value": STR, "action_ts": STR}
THREAD: Fields = {"channel_id": STR, "thread_ts": STR, "user_id": STR, "context": DICT}
#: The nested objects checked in turn, by the key they sit under.
NESTED: dict[str, Fields] = {
    "team": OWNER,
    "enterprise": OWNER,
    "user": OWNER,
    "channel": OWNER,
    "event": EVENT,
    "message": MESSAGE,
    "previous_message": MESSAGE,
    "container": CONTAINER,
    "view": VIEW,
    "item": {"channel": STR_OR_DICT, "ts": STR},
    "assistant_thread": THREAD,
    "authorizations": {"team_id": STR, "enterprise_id": STR, "user_id": STR},
    "actions": ACTION,
}


#: Objects Bolt reads as ``body.get(key, {})``: present but null would break it.
NOT_NULL = frozenset({"event", "view", "context", "function"})


def _fields(node: Body, where: str, fields: Fields) -> str | None:
    for key, (check, expected) in fields.items():
        value = node.get(key)
        if value is None:
            if key in node and key in NOT_NULL:
                return f"{where}{key} must be {expected}"
            continue
        if not check(value):
            return f"{where}{key} must be {expected}"
        nested = NESTED.get(key)
        children = value if isinstance(value, list) else [value]
        for index, child in enumerate(children):
            if nested is not None and isinstance(child, dict):
                label = f"{where}{key}[{index}]." if isinstance(value, list) else f"{where}{key}."
                found = _fields(child, label, nested)
                if found:
                    return found
    return None


def _required(node: Body, where: str, names: tuple[str, ...]) -> str | None:
    for name in names:
        if not isinstance(node.get(name), str) or not node[name]:
            return f"{where}{name} is missing"
    return None


# --- the kinds the app handles ----------------------------------------------------------------

_EVENT_NEEDS: dict[str, tuple[str, ...]] = {
    "app_mention": ("user", "channel", "ts"),
    "message": ("channel", "ts"),
    "app_home_opened": ("user",),
}


def _event_callback(body: Body) -> str | None:
    found = _required(body, "", ("event_id",))
    event = body.get("event")
    if found or not isinstance(event, dict):
        return found or "event is missing"
    found = _required(event, "event.", ("type",))
    if found:
        return found
    found = _required(event, "event.", _EVENT_NEEDS.get(event["type"], ()))
    if found:
        return found
    if event["type"] == "message" and not isinstance(event.get("user", ""), str):
        return "event.user must be a string"
    if event["type"].startswith("assistant_thread_"):
        thread = event.get("assistant_thread")
        if not isinstance(thread, dict):
            return "event.assistant_thread is missing"
        return _required(thread, "event.assistant_thread.", ("channel_id", "thread_ts"))
    return None


def _block_actions(body: Body) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or _required(user, "user.", ("id",)):
        return "user.id is missing"
    actions = body.get("actions")
    if not actions:
        return "actions is missing"
    for index, action in enumerate(actions):
        found = _required(action, f"actions[{index}].", ("action_id",))
        if found:
            return found
        for pattern, check in _VALUES:
            if pattern.match(action["action_id"]):
                value = action.get("value")
                if not isinstance(value, str) or not check(value):
                    return f"actions[{index}].value is not a value this button carries"
    return None


def _answer_value(value: str) -> bool:
    try:
        data = json.loads(value)
    except ValueError:
        return False
    return (
        isinstance(data, dict)
        and isinstance(data.get("c"), str)
        and isinstance(data.get("q"), str)
        and isinstance(data.get("i"), int)
        and not isinstance(data.get("i"), bool)
        and 0 <= data["i"] < 100
    )


_ID = re.compile(r"^[0-9]{1,9}$")
#: What each button's value must be, by action id (the values the app's own buttons carry).
_VALUES: list[tuple[re.Pattern[str], Check]] = [
    (re.compile(r"^checklist_answer_\d+$"), _answer_value),
    (re.compile(r"^(approve|reject|info)_request$"), lambda v: bool(_ID.match(v))),
    (
        re.compile(
            r"^(feedback_(helpful|wrong)|decision_memo|continue_in_dm|compare_frameworks|"
            r"review_answer)$"
        ),
        lambda v: bool(_ID.match(v)),
    ),
    (re.compile(r"^checklist_(restart|cancel)$"), lambda v: 0 < len(v) <= 200),
]


def _view_submission(body: Body) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or _required(user, "user.", ("id",)):
        return "user.id is missing"
    view = body.get("view")
    if not isinstance(view, dict):
        return "view is missing"
    found = _required(view, "view.", ("callback_id", "type"))
    if found:
        return found
    values = (view.get("state") or {}).get("values")
    if values is not None and not (
        isinstance(values, dict) and all(isinstance(v, dict) for v in values.values())
    ):
        return "view.state.values must map blocks to objects"
    return None
