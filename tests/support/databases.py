"""Throwaway databases for tests and benchmarks: a temporary SQLite file or PostgreSQL schema.

PostgreSQL is looked for at ``CAPEXBOT_TEST_POSTGRES_URL`` (default: the local server on
127.0.0.1:5432, database ``test``, trust auth); callers skip with :data:`reason` when none answers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from urllib.parse import quote

from sqlalchemy import create_engine, make_url, text

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_base_url() -> str:
    return os.environ.get("CAPEXBOT_TEST_POSTGRES_URL", DEFAULT_POSTGRES)


@cache
def postgres_unavailable() -> str | None:
    """None when the test server answers; otherwise why not, to show as the skip reason."""
    url = postgres_base_url()
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means: skip, and say why
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        shown = make_url(url).render_as_string(hide_password=True)
        return f"no PostgreSQL server answers at {shown}: {first_line}"
    return None


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A URL whose tables live in a fresh schema, dropped afterwards."""
    base = postgres_base_url()
    schema = f"capexbot_test_{secrets.token_hex(4)}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def head() -> str:
    """The one head revision of bot/storage/migrations, whichever it is (the tests do not
    name it); several heads, two branches' migrations left unchained, fail here."""
    from alembic.script import ScriptDirectory

    from bot.storage.db import alembic_config

    found = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(found) == 1, found
    return str(found[0])
