"""Durable Slack work and request ids: ``work_items`` replaces ``processed_events``; decisions
record the Slack request they answered (one decision per request).

Every event id already seen is carried over as a finished work item, so a Slack retry of an
event answered before the upgrade is still recognised after it.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_work_items_status_created", "work_items", ["status", "created_at"])
    op.execute(
        "INSERT INTO work_items (key, kind, body, status, attempts, created_at, updated_at) "
        "SELECT 'event:' || event_id, 'event', '{}', 'done', 1, received_at, received_at "
        "FROM processed_events"
    )
    op.drop_table("processed_events")
    # A plain ADD COLUMN (no batch copy on SQLite), so the audit table keeps its triggers.
    op.add_column("decisions", sa.Column("request_id", sa.String(length=32), nullable=True))
    op.create_index("ix_decisions_request_id", "decisions", ["request_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_decisions_request_id", table_name="decisions")
    # Plain SQL, not a batch copy of the table: SQLite (3.35+) drops the column in place and
    # the append-only triggers stay.
    op.execute("ALTER TABLE decisions DROP COLUMN request_id")
    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.execute(
        "INSERT INTO processed_events (event_id, received_at) "
        "SELECT substr(key, 7), created_at FROM work_items "
        "WHERE kind = 'event' AND key LIKE 'event:%' AND length(key) <= 134"
    )
    op.drop_index("ix_work_items_status_created", table_name="work_items")
    op.drop_table("work_items")
