"""When background work fails, the user hears about it instead of waiting for nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from slack_sdk import WebClient

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side and I could not answer. Please try again in a minute."
)


def apologises(func: Callable[..., None]) -> Callable[..., None]:
    """Wrap a lazy listener (it must take ``body`` and ``client``): on an exception, log it and
    tell the user where they asked. Bolt reads the wrapped function's arguments."""

    @wraps(func)
    def wrapper(**kwargs: Any) -> None:
        try:
            func(**kwargs)
        except Exception:
            log.exception("%s failed", func.__qualname__)
            try:
                tell(kwargs["client"], kwargs["body"])
            except Exception:
                log.exception("could not tell the user about the failure")

    return wrapper


def tell(client: WebClient, body: dict[str, Any]) -> None:
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") or {}
        if event.get("type") == "app_home_opened":
            return
        channel = event.get("channel") or (event.get("assistant_thread") or {}).get("channel_id")
        thread_ts = event.get("thread_ts") or (
            None if event.get("channel_type") == "im" else event.get("ts")
        )
        client.chat_postMessage(channel=str(channel), thread_ts=thread_ts, text=SORRY)
    elif kind == "block_actions":
        channel = (body.get("container") or {}).get("channel_id") or body["user"]["id"]
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=SORRY)
    elif kind == "view_submission":
        client.chat_postMessage(channel=body["user"]["id"], text=SORRY)
    elif body.get("command"):
        client.chat_postEphemeral(channel=body["channel_id"], user=body["user_id"], text=SORRY)
