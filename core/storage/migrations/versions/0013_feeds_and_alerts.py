"""machine feeds and early-warning alerts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 13:45:00

``feed_items``: IoT and video alerts from the machine feeds (core.feeds), waiting as 待确认
until a duty officer confirms or dismisses them, or registered at once where the source
auto-registers. ``alerts``: early-warning alerts (core.warning), with their lifecycle
(raised, acknowledged by whom, closed). Both are county-wide: every user role may read them
and record a decision or an acknowledgement; the service process (the owner) inserts.
"""

from alembic import op
import sqlalchemy as sa
import core.storage.types
from sqlalchemy.dialects import postgresql


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# A database whose roles exist already (``roles grant`` does the same, core.storage.dbroles).
GRANT_EXISTING = """
DO $$
DECLARE g text;
BEGIN
    SELECT rtrim(value->>'prefix', '_') INTO g FROM settings
     WHERE key = 'db_role_prefix' AND value->>'database' = current_database();
    IF g IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
        EXECUTE format('GRANT SELECT, UPDATE ON TABLE feed_items TO %I', g);
        EXECUTE format('GRANT SELECT, UPDATE ON TABLE alerts TO %I', g);
    END IF;
END $$
"""

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'feed_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=40), nullable=False),
        sa.Column('source_id', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('received_at', core.storage.types.UTCDateTime(), nullable=False),
        sa.Column('occurred_at', core.storage.types.UTCDateTime(), nullable=False),
        sa.Column('category_code', sa.String(length=16), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('address', sa.Text(), nullable=True),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('payload', JSON, nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('decided_at', core.storage.types.UTCDateTime(), nullable=True),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('order_id', sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_feed_items_unit_id_units')),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_feed_items_decided_by_users')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_feed_items_order_id_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_items')),
        sa.UniqueConstraint('source', 'source_id', name='uq_feed_items_source'),
    )
    op.create_index('ix_feed_items_status_received', 'feed_items', ['status', 'received_at'])
    op.create_table(
        'alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=32), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('severity', sa.String(length=8), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('detail', JSON, nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('raised_at', core.storage.types.UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('acknowledged_at', core.storage.types.UTCDateTime(), nullable=True),
        sa.Column('acknowledged_by', sa.Integer(), nullable=True),
        sa.Column('closed_at', core.storage.types.UTCDateTime(), nullable=True),
        sa.Column('closed_by', sa.Integer(), nullable=True),
        sa.Column('close_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_alerts_unit_id_units')),
        sa.ForeignKeyConstraint(['acknowledged_by'], ['users.id'], name=op.f('fk_alerts_acknowledged_by_users')),
        sa.ForeignKeyConstraint(['closed_by'], ['users.id'], name=op.f('fk_alerts_closed_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
        sa.UniqueConstraint('rule', 'key', name='uq_alerts_rule_key'),
    )
    op.create_index('ix_alerts_status_raised', 'alerts', ['status', 'raised_at'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('REVOKE ALL ON TABLE feed_items FROM PUBLIC')
        op.execute('REVOKE ALL ON TABLE alerts FROM PUBLIC')
        op.execute(GRANT_EXISTING)


def downgrade() -> None:
    op.drop_index('ix_alerts_status_raised', table_name='alerts')
    op.drop_table('alerts')
    op.drop_index('ix_feed_items_status_received', table_name='feed_items')
    op.drop_table('feed_items')
