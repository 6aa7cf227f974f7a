"""When background work fails, the user hears about it instead of waiting for nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from slack_sdk import WebClient

from bot.ops.metrics import ERRORS
from bot.retrieval.knowledge import KnowledgeIndexMissing
from bot.retrieval.search import KnowledgeIndexUnusable

log = logging.getLogger(__name__)

SORRY = (
    "Sorry, something went wrong on my side and I could not answer. Please try again in a minute."
)
QUEUED = (
    "I cannot reach my records right now, so I have queued this and will answer here as soon "
    "as they are back. No need to ask again."
)
NO_INDEX = (
    "Sorry, I cannot read the policy documents right now, so I cannot give an answer that "
    "cites them. I have logged it for the administrators; please try again later."
)


def apologises(func: Callable[..., None]) -> Callable[..., None]:
    """Wrap a lazy listener (it must take ``body`` and ``client``): on an exception, log it and
    tell the user where they asked. Bolt reads the wrapped function's arguments."""

    @wraps(func)
    def wrapper(**kwargs: Any) -> None:
        try:
            func(**kwargs)
        except (KnowledgeIndexMissing, KnowledgeIndexUnusable) as exc:
            ERRORS.labels("knowledge_index").inc()
            log.error("%s: the policy index cannot be used: %s", func.__qualname__, exc)
            _tell_safely(kwargs, NO_INDEX)
        except Exception:
            ERRORS.labels("listener").inc()
            log.exception("%s failed", func.__qualname__)
            _tell_safely(kwargs, SORRY)

    return wrapper


def _tell_safely(kwargs: dict[str, Any], text: str) -> None:
    try:
        tell(kwargs["client"], kwargs["body"], text)
    except Exception:
        log.exception("could not tell the user about the failure")


def tell(client: WebClient, body: dict[str, Any], text: str = SORRY) -> None:
    """Say ``text`` to the user where they asked: in the thread, ephemerally, or in a DM."""
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") or {}
        if event.get("type") == "app_home_opened":
            return
        channel = event.get("channel") or (event.get("assistant_thread") or {}).get("channel_id")
        thread_ts = event.get("thread_ts") or (
            None if event.get("channel_type") == "im" else event.get("ts")
        )
        client.chat_postMessage(channel=str(channel), thread_ts=thread_ts, text=text)
    elif kind == "block_actions":
        channel = (body.get("container") or {}).get("channel_id") or body["user"]["id"]
        client.chat_postEphemeral(channel=channel, user=body["user"]["id"], text=text)
    elif kind == "view_submission":
        client.chat_postMessage(channel=body["user"]["id"], text=text)
    elif body.get("command"):
        client.chat_postEphemeral(channel=body["channel_id"], user=body["user_id"], text=text)
