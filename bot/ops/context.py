"""The Slack request being served, carried from the HTTP edge into the background work.

A context variable holds it; :class:`ContextExecutor` copies the submitter's context into each
task, so the listener work Bolt runs after the ack (and the Web API calls and audit records it
makes) sees the same request id as the acknowledgement did.
"""

from __future__ import annotations

import contextvars
import secrets
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class Scope:
    """One request: its id, what kind of Slack request it is, and, when the recovery sweep
    replays a stored delivery, the work item the sweep already holds for it."""

    request_id: str
    kind: str = "other"
    replaying: str | None = None
    #: its work opens a modal, so it goes to the quick lane (:mod:`bot.slack.lanes`)
    quick: bool = False


_current: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "capexbot_request", default=None
)


def new_request_id() -> str:
    return secrets.token_hex(8)


def current() -> Scope | None:
    return _current.get()


def request_id() -> str | None:
    scope = _current.get()
    return scope.request_id if scope else None


@contextmanager
def serving(
    request_id: str | None = None, *, kind: str = "other", replaying: str | None = None
) -> Iterator[Scope]:
    """Make a request current for the duration of the block (and for work submitted in it)."""
    scope = Scope(request_id or new_request_id(), kind, replaying)
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


class ContextExecutor(ThreadPoolExecutor):
    """A thread pool whose tasks run in a copy of the context they were submitted from."""

    def submit(  # type: ignore[override]
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Future[T]:
        context = contextvars.copy_context()

        def task() -> T:
            return context.run(fn, *args, **kwargs)

        return super().submit(task)
