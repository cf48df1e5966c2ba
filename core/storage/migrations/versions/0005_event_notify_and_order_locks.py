"""event NOTIFY trigger and soft order locks

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 19:00:00

On PostgreSQL every statement that inserts events also issues, in the same transaction,
``NOTIFY cc_events, '<highest new id>'``. It is a hint only: listeners re-read events by
id range, so a lost or folded notification loses nothing. Being a trigger, it fires for
every writer, whatever client wrote the rows.
"""

from alembic import op
import sqlalchemy as sa
import core.storage.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

NOTIFY_FUNCTION = """
CREATE OR REPLACE FUNCTION cc_notify_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    newest bigint;
BEGIN
    SELECT max(id) INTO newest FROM new_events;
    IF newest IS NOT NULL THEN
        PERFORM pg_notify('cc_events', newest::text);
    END IF;
    RETURN NULL;
END
$$
"""

NOTIFY_TRIGGER = """
CREATE TRIGGER cc_events_notify
AFTER INSERT ON events
REFERENCING NEW TABLE AS new_events
FOR EACH STATEMENT EXECUTE FUNCTION cc_notify_events()
"""


def upgrade() -> None:
    op.create_table(
        'order_locks',
        sa.Column('order_id', sa.BigInteger(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('display_name', sa.String(length=64), nullable=False),
        sa.Column('workstation', sa.String(length=128), nullable=False),
        sa.Column('acquired_at', core.storage.types.UTCDateTime(), nullable=False),
        sa.Column('expires_at', core.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_locks_order_id_orders')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_order_locks_user_id_users')),
        sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_locks')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(NOTIFY_FUNCTION)
        op.execute(NOTIFY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS cc_events_notify ON events')
        op.execute('DROP FUNCTION IF EXISTS cc_notify_events()')
    op.drop_table('order_locks')
