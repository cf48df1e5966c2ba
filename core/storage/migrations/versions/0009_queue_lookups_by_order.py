"""queue lookups by order: hops by (order, role, state), limits by (order, ended, due)

The dispatch panels ask, for each open order, for its earliest open deadline and whether
a return or an answer from below waits on its holder. Without statistics SQLite took the
unit-wide indexes for those correlated lookups (every answered hop a town ever sent, every
open limit of the county); these indexes lead with the order and match every column.
They replace the single-column order indexes, which they cover.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 03:30:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hops", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hops_order_role_state", ["order_id", "role", "state"], unique=False
        )
        batch_op.drop_index("ix_hops_order")
    with op.batch_alter_table("time_limits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_time_limits_order_open", ["order_id", "ended_at", "due_at"], unique=False
        )
        batch_op.drop_index("ix_time_limits_order")


def downgrade() -> None:
    with op.batch_alter_table("time_limits", schema=None) as batch_op:
        batch_op.create_index("ix_time_limits_order", ["order_id"], unique=False)
        batch_op.drop_index("ix_time_limits_order_open")
    with op.batch_alter_table("hops", schema=None) as batch_op:
        batch_op.create_index("ix_hops_order", ["order_id"], unique=False)
        batch_op.drop_index("ix_hops_order_role_state")
