"""The record of a work item's Slack posts: only the process holding the item records an
intent; a replica that takes the item over sees every intent made before; finished items'
posts are forgotten with them. SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.storage import Store
from bot.storage.posts import NotHeld, WorkPosts
from bot.storage.work import WorkItems

BODY = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention"}}
KEY = "event:Ev1"


def holder(store: Store, lease: float = 15.0) -> tuple[WorkItems, WorkPosts]:
    work = WorkItems(store.engine, lease=lease)
    return work, WorkPosts(store.engine, owner=work.owner)


def test_an_intent_is_recorded_once_then_its_ts(store: Store) -> None:
    work, posts = holder(store)
    work.accept(KEY, "event", BODY, None)
    assert work.claim(KEY)
    assert posts.intend(KEY, 1, "chat.postMessage", "C1", "1.1") is None
    posts.posted(KEY, 1, "C1", "1700000000.000001")
    earlier = posts.intend(KEY, 1, "chat.postMessage", "C1", "1.1")
    assert earlier is not None and earlier.ts == "1700000000.000001"
    assert posts.intend(KEY, 2, "chat.postMessage", "U1", None) is None
    assert [(p.seq, p.ts) for p in posts.of(KEY)] == [(1, "1700000000.000001"), (2, None)]


def test_a_process_that_does_not_hold_the_item_records_nothing(store: Store) -> None:
    work, _ = holder(store)
    _, stranger = holder(store)
    work.accept(KEY, "event", BODY, None)
    with pytest.raises(NotHeld):  # pending: nobody holds it
        stranger.intend(KEY, 1, "chat.postMessage", "C1", None)
    assert work.claim(KEY)
    with pytest.raises(NotHeld):
        stranger.intend(KEY, 1, "chat.postMessage", "C1", None)
    assert stranger.of(KEY) == []


def test_after_a_take_over_the_old_holder_posts_no_more_and_the_new_one_sees_its_intent(
    store: Store,
) -> None:
    dying, old_posts = holder(store, lease=0.2)
    taking, new_posts = holder(store)
    dying.accept(KEY, "event", BODY, None)
    assert dying.claim(KEY)
    assert old_posts.intend(KEY, 1, "chat.postMessage", "C1", "1.1") is None
    time.sleep(0.3)  # the lease lapses: the replica died, or stalled
    with pytest.raises(NotHeld):  # a lapsed lease is not held, even before a take-over
        old_posts.intend(KEY, 2, "chat.postMessage", "C1", "1.1")
    assert taking.claim(KEY)
    earlier = new_posts.intend(KEY, 1, "chat.postMessage", "C1", "1.1")
    assert earlier is not None and earlier.ts is None and earlier.owner == dying.owner
    new_posts.intend_again(KEY, 1)
    assert new_posts.of(KEY)[0].owner == taking.owner
    with pytest.raises(NotHeld):
        old_posts.intend_again(KEY, 1)


def test_posts_are_forgotten_with_their_finished_item(store: Store) -> None:
    work, posts = holder(store)
    for key in (KEY, "event:Ev2"):
        work.accept(key, "event", BODY, None)
        assert work.claim(key)
        posts.intend(key, 1, "chat.postMessage", "C1", None)
    assert work.finish(KEY)
    time.sleep(0.05)
    assert work.purge(timedelta(seconds=0)) == 1
    assert posts.of(KEY) == [] and len(posts.of("event:Ev2")) == 1
