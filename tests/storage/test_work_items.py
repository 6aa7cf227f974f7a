"""Durable Slack work: one key per delivery, one owner at a time, leases that lapse when a
replica dies, and finished items forgotten after a while. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bot.storage import Store
from bot.storage.work import WorkItems

BODY = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}


def test_a_delivery_is_stored_once_whatever_the_retries(store: Store) -> None:
    work = WorkItems(store.engine)
    assert work.accept("event:Ev1", "event", BODY, "r1")
    assert not work.accept("event:Ev1", "event", BODY, "r2")
    stored = work.get("event:Ev1")
    assert stored is not None and stored.request_id == "r1" and stored.body == BODY
    assert (stored.status, stored.attempts) == ("pending", 0)


def test_of_many_replicas_claiming_at_once_exactly_one_wins(store: Store) -> None:
    replicas = [WorkItems(store.engine) for _ in range(4)]
    replicas[0].accept("event:EvRace", "event", BODY, None)
    with ThreadPoolExecutor(8) as pool:
        won = list(pool.map(lambda i: replicas[i % 4].claim("event:EvRace"), range(16)))
    assert won.count(True) == 1


def test_only_the_owner_finishes_and_a_finished_item_is_not_taken_again(store: Store) -> None:
    mine, other = WorkItems(store.engine), WorkItems(store.engine)
    mine.accept("action:T1", "block_actions", BODY, None)
    assert mine.claim("action:T1")
    assert not other.finish("action:T1")
    assert mine.finish("action:T1")
    assert not other.claim("action:T1")
    assert work_status(mine, "action:T1") == "done"
    assert mine.backlog() == 0


def test_a_lapsed_lease_lets_another_replica_take_over(store: Store) -> None:
    dead, alive = WorkItems(store.engine, lease=0.2), WorkItems(store.engine)
    dead.accept("event:EvCrash", "event", BODY, None)
    assert dead.claim("event:EvCrash") and dead.begin("event:EvCrash")
    assert not alive.claim("event:EvCrash")  # the lease still holds
    assert alive.due(older_than=60) == []
    time.sleep(0.4)
    assert [w.key for w in alive.due(older_than=60)] == ["event:EvCrash"]
    assert alive.claim("event:EvCrash")
    assert not dead.finish("event:EvCrash")  # it came back too late: the item is not its own
    claimed = alive.get("event:EvCrash")
    assert claimed is not None and claimed.attempts == 1  # a claim alone is no attempt
    assert alive.begin("event:EvCrash") and not dead.begin("event:EvCrash")
    stored = alive.get("event:EvCrash")
    assert stored is not None and stored.attempts == 2


def test_renewing_keeps_a_slow_item_from_being_taken_over(store: Store) -> None:
    slow, other = WorkItems(store.engine, lease=0.5), WorkItems(store.engine)
    slow.accept("event:EvSlow", "event", BODY, None)
    slow.claim("event:EvSlow")
    for _ in range(3):
        time.sleep(0.3)
        assert slow.renew() == 1
        assert not other.claim("event:EvSlow")


def test_pending_items_become_due_after_the_grace_period(store: Store) -> None:
    work = WorkItems(store.engine)
    work.accept("event:EvNew", "event", BODY, None)
    assert work.due(older_than=30) == []
    assert [w.key for w in work.due(older_than=0)] == ["event:EvNew"]
    assert work.backlog() == 1


def test_released_items_are_due_again(store: Store) -> None:
    work = WorkItems(store.engine)
    work.accept("event:EvDbDown", "event", BODY, None)
    work.claim("event:EvDbDown")
    assert work.release("event:EvDbDown")
    assert work_status(work, "event:EvDbDown") == "pending"
    assert work.claim("event:EvDbDown")


def test_finished_items_are_purged_after_the_retention(store: Store) -> None:
    work = WorkItems(store.engine)
    for key in ("event:A", "event:B"):
        work.accept(key, "event", BODY, None)
    work.claim("event:A")
    work.finish("event:A", error="RuntimeError")
    assert work_status(work, "event:A") == "failed"
    assert work.purge(timedelta(days=1)) == 0
    assert work.purge(timedelta(seconds=-1)) == 1  # the failed one; B is still open
    assert work.get("event:A") is None and work.get("event:B") is not None


def work_status(work: WorkItems, key: str) -> str:
    stored = work.get(key)
    assert stored is not None
    return stored.status
