"""row security for feed items and alerts

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 15:00:00

Migration 0013 granted every user role SELECT and UPDATE on ``feed_items`` and ``alerts``;
the screens kept to the user's territory, but a town user's own PostgreSQL role could read
the whole county's items and alerts with plain SQL. Both now have the policy the screens
follow (``core.feeds.items``, ``core.warning.alerts``): a row of a unit is visible within
that unit's territory, a row without a unit to the county's own users only. Inserts are the
service's, as the owner, which row security does not restrict.
"""

from alembic import op


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

VISIBLE = (
    "CASE WHEN unit_id IS NULL THEN cc_user_sees_all() ELSE cc_unit_visible(unit_id) END"
)
TABLES = ('feed_items', 'alerts')


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        op.execute(f'CREATE POLICY cc_see ON {table} FOR SELECT USING ({VISIBLE})')
        op.execute(
            f'CREATE POLICY cc_change ON {table} FOR UPDATE USING ({VISIBLE}) WITH CHECK ({VISIBLE})'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for table in TABLES:
        op.execute(f'DROP POLICY cc_change ON {table}')
        op.execute(f'DROP POLICY cc_see ON {table}')
        op.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
