"""What the app keeps on disk: no legacy verification token in the database or the spool, and
the SQLite file and spool entries readable by the bot's user only."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

from fake_slack import BOT_USER, TEAM, FakeSlack
from sqlalchemy import text

from bot.slack.durable import Ledger
from bot.storage import Store
from bot.storage.db import Schema

TOKEN = "verification-token-do-not-keep"


def delivery(event_id: str) -> dict[str, object]:
    return {
        "token": TOKEN,
        "team_id": TEAM,
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": {
            "type": "app_mention",
            "user": "USECRET",
            "channel": "C0SECRET",
            "ts": "1700003000.000001",
            "text": f"<@{BOT_USER}> is a $2,500 laptop CapEx?",
        },
    }


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_stored_delivery_has_no_token_and_the_database_file_is_private(
    start_bot, tmp_path: Path, slack: FakeSlack
) -> None:  # type: ignore[no-untyped-def]
    database = tmp_path / "state.db"
    bot = start_bot(f"sqlite:///{database}")
    reply = bot.sender.post(json.dumps(delivery("EvTokenAtRest")), "application/json")
    assert reply.status == 200
    slack.wait_for("chat.postMessage")
    with bot.store.engine.connect() as conn:
        bodies = [str(row[0]) for row in conn.execute(text("SELECT body FROM work_items"))]
    assert bodies and not [b for b in bodies if TOKEN in b or '"token"' in b]
    assert mode(database) == 0o600
    assert all(mode(p) == 0o600 for p in tmp_path.glob("state.db-*"))  # WAL and shared memory


def test_a_spooled_delivery_has_no_token_and_is_private(tmp_path: Path) -> None:
    """Spooled as when the database was down at start (its schema not migrated yet)."""
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        ledger = Ledger(store, tmp_path / "spool", schema=Schema(store.engine))
        ledger.accept(delivery("EvTokenSpooled"))
    finally:
        store.close()
    [entry] = (tmp_path / "spool").glob("*.json")
    assert TOKEN not in entry.read_text() and "EvTokenSpooled" in entry.read_text()
    assert mode(entry) == 0o600 and mode(tmp_path / "spool") == 0o700
