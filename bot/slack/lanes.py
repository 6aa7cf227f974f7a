"""The work after the ack, in two lanes, so that opening a modal never waits behind answers.

Bolt runs every lazy listener on one executor. Answers are CPU-bound (a decision, citations)
and queue up under load; ``/capex`` only calls ``views.open``, whose trigger id Slack expires
3 s after the user's action. With one pool, 200 queued mentions delayed the modal past that.
Here the work of slash commands goes to a small pool of its own; everything else shares the
main one. (Threads share the interpreter lock, but a queued task waits for a free worker, a
running thread only for its turn: a few milliseconds.)
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


class Lanes(Executor):
    def __init__(self, workers: int, quick_workers: int = 2) -> None:
        self.main = ContextExecutor(max_workers=workers, thread_name_prefix="capexbot-work")
        self.quick = ContextExecutor(max_workers=quick_workers, thread_name_prefix="capexbot-quick")

    def submit(  # type: ignore[override]
        self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs
    ) -> Future[T]:
        scope = current()
        lane = self.quick if scope is not None and scope.kind in QUICK_KINDS else self.main
        return lane.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.quick.shutdown(wait, cancel_futures=cancel_futures)
        self.main.shutdown(wait, cancel_futures=cancel_futures)
