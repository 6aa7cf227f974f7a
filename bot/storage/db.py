"""Engine set-up and migrations: SQLite under the data folder by default, any URL otherwise."""

from __future__ import annotations

import logging
import os
import threading
from contextlib import suppress
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock that serialises migrations of replicas starting at once.
_MIGRATION_LOCK = 0x43415045  # "CAPE"


def make_engine(url: str) -> Engine:
    """An engine tuned for the app's threads: SQLite gets WAL, a busy timeout and foreign keys."""
    if url.startswith("sqlite"):
        _private_file(make_url(url).database)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # A server that does not answer fails a connection in seconds (libpq's minimum is 2), so
    # an acknowledgement that stores work never waits past Slack's 3 s on a dead database.
    connect_args = {"connect_timeout": 2} if url.startswith("postgresql") else {}
    engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    event.listen(engine, "before_cursor_execute", _without_nul, retval=True)
    return engine


def _private_file(database: str | None) -> None:
    """Make the SQLite file readable by this user only (it holds users' requests and the audit
    trail); SQLite gives its -wal and -shm files the same permissions."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    with suppress(FileNotFoundError, PermissionError):
        if path.exists():
            path.chmod(0o600)
        else:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _without_nul(  # type: ignore[no-untyped-def]
    conn, cursor, statement, parameters, context, executemany
):
    """PostgreSQL refuses the NUL character in text, which a Slack message may carry: it is
    dropped from text parameters (JSON ones are escaped by the driver and stored as sent)."""
    if executemany:
        return statement, [_clean(p) for p in parameters]
    return statement, _clean(parameters)


def _clean(parameters: Any) -> Any:
    if not isinstance(parameters, dict):
        return parameters
    return {
        key: value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value
        for key, value in parameters.items()
    }


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if not _is_memory(dbapi_connection):
        # WAL lets readers run beside the writer; NORMAL sync is WAL's recommended pairing
        # (no corruption on power loss, at most the last commits lost), and saves an fsync
        # per commit on the acknowledgement path.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _is_memory(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    row = dbapi_connection.execute("PRAGMA database_list").fetchone()
    return not row or not row[2]


def alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe when several replicas start at the same time."""
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def unavailable(exc: BaseException) -> bool:
    """The database did not answer (as opposed to a bug or a refused statement)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


class Schema:
    """The schema of a database server, brought to head at start or, when the server does not
    answer then, as soon as it does: a replica starts (and spools what it acknowledges) while
    its database is down, instead of exiting."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.ready = False
        self._lock = threading.Lock()

    def migrate(self) -> None:
        """Migrate unless done already; raises while the database is unreachable."""
        if self.ready:
            return
        with self._lock:
            if not self.ready:
                migrate(self.engine)
                self.ready = True
                log.info("the database answers: schema migrated to head")
