"""caller history for user roles

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 04:20:00

A user's own database role may not read ``orders.phone_digits`` or
``order_callers.phone_digits`` (migration 0006), not even in a WHERE clause, so the intake
form's caller history ("this number called before") failed for it. ``cc_orders_of_phone``
returns the ids and registration times of the orders from a number, voided ones left out;
the history then reads the orders themselves through row-level security as usual, so a
user sees only those in their jurisdiction and a count of the others. The number is the
one being typed by the caller's own call; no stored number is revealed.
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

FUNCTION = """
CREATE OR REPLACE FUNCTION cc_orders_of_phone(p_digits text)
RETURNS TABLE (id bigint, registered_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT o.id, o.registered_at
      FROM orders o
     WHERE o.state <> 'voided'
       AND (o.phone_digits = p_digits
            OR o.id IN (SELECT c.order_id FROM order_callers c WHERE c.phone_digits = p_digits))
$$
"""
SIGNATURE = 'cc_orders_of_phone(text)'
# A database whose roles exist already: its group role gets EXECUTE now (``roles grant``
# does the same, core.storage.dbroles.FUNCTIONS).
GRANT_EXISTING = """
DO $$
DECLARE g text;
BEGIN
    SELECT rtrim(value->>'prefix', '_') INTO g FROM settings
     WHERE key = 'db_role_prefix' AND value->>'database' = current_database();
    IF g IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
        EXECUTE format('GRANT EXECUTE ON FUNCTION cc_orders_of_phone(text) TO %I', g);
    END IF;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        schema = op.get_bind().execute(sa.text('SELECT quote_ident(current_schema())')).scalar()
        op.execute(FUNCTION.format(schema=schema))
        # EXECUTE goes to the group role (core.storage.dbroles), not to everyone.
        op.execute(f'REVOKE ALL ON FUNCTION {SIGNATURE} FROM PUBLIC')
        op.execute(GRANT_EXISTING)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP FUNCTION IF EXISTS {SIGNATURE}')
