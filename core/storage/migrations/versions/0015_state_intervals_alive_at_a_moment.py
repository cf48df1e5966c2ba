"""state intervals alive at a moment: (state, valid_to, valid_from)

The wall reads its figures as of a past moment T (core.wall.figures): the orders open at T
are those whose interval in an open state started by T and had not ended by T. With
``ix_state_intervals_state_time`` (state, valid_from, valid_to) that is every interval of
the state that ever started before T (every order passes through ``registered``: a million
index entries at 1,000,000 orders). Leading with valid_to after the state, it is two short
ranges per state: the intervals still open (valid_to IS NULL) and those that ended after T.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 16:30:00
"""

from alembic import op


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("state_intervals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_state_intervals_state_to", ["state", "valid_to", "valid_from"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("state_intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_state_intervals_state_to")
