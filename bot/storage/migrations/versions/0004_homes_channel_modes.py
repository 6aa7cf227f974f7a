"""Channel modes: how the bot behaves in a channel (answer mentions only, every spend
question, or nothing), as finance admins set it with ``/capex channel``. Append-only: each
change is a row (who, when, what), the latest row of a channel is its mode.

Revision ID: 0004_homes
Revises: 0003_homes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_homes"
down_revision = "0003_homes"
branch_labels = None
depends_on = None

TABLE = "channel_modes"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_channel_modes_channel", TABLE, ["channel", "id"])
    if op.get_bind().dialect.name == "postgresql":  # capexbot_append_only() is 0001's
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION capexbot_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
                f"BEGIN SELECT RAISE(ABORT, 'table {TABLE} is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table(TABLE)  # its triggers go with it
