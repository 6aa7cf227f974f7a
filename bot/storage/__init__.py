"""State and audit trail: SQLAlchemy models, a small repository, Alembic migrations.

SQLite under ``CAPEXBOT_DATA_DIR`` by default; any SQLAlchemy URL (PostgreSQL for several
replicas) via ``CAPEXBOT_DATABASE_URL``. :meth:`Store.open` migrates the schema to head.
"""

from bot.storage.db import make_engine, migrate
from bot.storage.repository import ConflictError, ConversationState, Store

__all__ = [
    "ConflictError",
    "ConversationState",
    "Store",
    "make_engine",
    "migrate",
]
