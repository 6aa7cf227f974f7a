"""The work after the ack, in two lanes, so that opening a modal never waits behind answers.

Bolt runs every lazy listener on one executor. Answers are CPU-bound (a decision, citations)
and queue up under load; ``/capex`` only calls ``views.open``, whose trigger id Slack expires
3 s after the user's action. With one pool, 200 queued mentions delayed the modal past that.
Here the work of slash commands, and of the buttons that open a modal, goes to a small pool of
its own; everything else shares the main one. (Threads share the interpreter lock, but a
queued task waits for a free worker, a running thread only for its turn: a few milliseconds.)
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import ParamSpec, TypeVar

from bot.ops.context import ContextExecutor, current

P = ParamSpec("P")
T = TypeVar("T")

#: The kinds of request (see :func:`bot.slack.payloads.kind`) whose work is quick and bound
#: to a trigger id that expires.
QUICK_KINDS = frozenset({"command"})


def opens_modal() -> None:
    """Send the current request's work to the quick lane: a button whose work opens a modal
    (*Wrong*, *Review*) is bound to its trigger id as ``/capex`` is. Call it in the ack."""
    scope = current()
    if scope is not None:
        scope.quick = True


class Lanes(Executor):
    def __init__(self, workers: int, quick_workers: int = 2) -> None:
        self.main = ContextExecutor(max_workers=workers, thread_name_prefix="capexbot-work")
        self.quick = ContextExecutor(max_workers=quick_workers, thread_name_prefix="capexbot-quick")

    def submit(  # type: ignore[override]
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Future[T]:
        scope = current()
        quick = scope is not None and (scope.kind in QUICK_KINDS or scope.quick)
        return (self.quick if quick else self.main).submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.quick.shutdown(wait, cancel_futures=cancel_futures)
        self.main.shutdown(wait, cancel_futures=cancel_futures)
