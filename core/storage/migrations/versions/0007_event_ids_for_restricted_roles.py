"""event ids for restricted roles

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 19:40:00

Row-level security hides another town's events from a town user's role, so to that role
the event ids would have holes, and the stream (core.stream) cannot tell a hidden event
from a lost one. ``cc_event_ids_after`` returns every id after a given one, with whether
the caller may see it; the stream reads the visible rows themselves through RLS as usual
and steps over the hidden ids. Ids and times reveal nothing about the hidden orders.
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION cc_event_ids_after(p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, visible boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT e.id, e.order_id IS NULL OR cc_can_see_order(e.order_id)
      FROM events e
     WHERE e.id > p_after
     ORDER BY e.id
     LIMIT p_limit
$$
"""
SIGNATURE = 'cc_event_ids_after(bigint, integer)'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        schema = op.get_bind().execute(sa.text('SELECT quote_ident(current_schema())')).scalar()
        op.execute(FUNCTION.format(schema=schema))
        # EXECUTE goes to the group role (core.storage.dbroles), not to everyone.
        op.execute(f'REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP FUNCTION IF EXISTS {SIGNATURE}')
