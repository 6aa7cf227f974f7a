"""Approval steps: each approver role's step of a route is a request event that names its
step and role; one event per step of a request (a unique index), so two holders of one role
clicking at once record one step.

Events recorded before (submitted, info_requested and the single final approval) keep no step.

Revision ID: 0003_homes
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_homes"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy on SQLite), so the append-only triggers stay.
    op.add_column("request_events", sa.Column("step", sa.Integer(), nullable=True))
    op.add_column("request_events", sa.Column("role", sa.String(length=100), nullable=True))
    op.create_index(
        "ux_request_events_request_step", "request_events", ["request_id", "step"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_request_events_request_step", table_name="request_events")
    op.execute("ALTER TABLE request_events DROP COLUMN role")
    op.execute("ALTER TABLE request_events DROP COLUMN step")
