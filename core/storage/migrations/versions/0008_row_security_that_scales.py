"""row security that scales

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 20:00:00

0006's read policies called the plpgsql function ``cc_can_see_order`` once per row. On a
60,000-order county that made counting a county user's orders take 11.8 s, a town user's
first page 1.2 s, and reading 2,000 event ids 0.7–1.4 s (bench/bench_rls.py).

Now the database keeps ``order_reach`` (PostgreSQL only): one row per order and unit that
brings the order into someone's jurisdiction, i.e. its location unit and every sender and
receiver of its hops. Triggers maintain it (security definer: no client can write it), and
its own policy shows a role only the rows of units inside the role's unit. So "may this
role see order 42" is "is there a visible reach row for 42": one index lookup, no function
call per row. A user at the root unit passes the first test, ``(SELECT
cc_user_sees_all())``, which PostgreSQL computes once per query (an InitPlan).

Writes keep 0006's checks (one row at a time, ``cc_can_see_order``). 0007's
``cc_event_ids_after`` goes: the stream tells hidden ids from uncommitted ones by the
events counter instead (core/stream.py), which costs a town role 10 ms per 2,000 events
where the function cost 300 ms.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

WITH_ALL = ('time_limits', 'order_callers', 'state_intervals', 'attachments', 'order_locks')

SETUP = """
CREATE TABLE order_reach (
    order_id bigint NOT NULL REFERENCES orders (id),
    unit_id integer NOT NULL REFERENCES units (id),
    PRIMARY KEY (order_id, unit_id)
);
CREATE INDEX ix_order_reach_unit ON order_reach (unit_id, order_id);

-- One join, not a call of cc_user_unit_path() per unit (that cost 120 ms per query).
CREATE OR REPLACE FUNCTION cc_visible_units() RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT coalesce(array_agg(un.id), '{{}}')
      FROM users u
      JOIN units mine ON mine.id = u.unit_id
      JOIN units un ON starts_with(un.path, mine.path)
     WHERE u.db_role = session_user AND u.active
$$;

CREATE OR REPLACE FUNCTION cc_reach_orders_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    INSERT INTO order_reach (order_id, unit_id)
    SELECT id, location_unit_id FROM new_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- A moved order leaves its old location's reach unless a hop still brings it there.
CREATE OR REPLACE FUNCTION cc_reach_orders_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    DELETE FROM order_reach r
     USING old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.location_unit_id <> n.location_unit_id
       AND r.order_id = o.id AND r.unit_id = o.location_unit_id
       AND NOT EXISTS (
           SELECT 1 FROM hops h
            WHERE h.order_id = o.id
              AND o.location_unit_id IN (h.sender_unit_id, h.receiver_unit_id));
    INSERT INTO order_reach (order_id, unit_id)
    SELECT n.id, n.location_unit_id
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE o.location_unit_id <> n.location_unit_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION cc_reach_hops_added() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
    INSERT INTO order_reach (order_id, unit_id)
    SELECT order_id, sender_unit_id FROM new_rows
    UNION
    SELECT order_id, receiver_unit_id FROM new_rows
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER cc_reach_orders_added AFTER INSERT ON orders
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION cc_reach_orders_added();

CREATE TRIGGER cc_reach_orders_changed AFTER UPDATE ON orders
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION cc_reach_orders_changed();

CREATE TRIGGER cc_reach_hops_added AFTER INSERT ON hops
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION cc_reach_hops_added();

CREATE TRIGGER cc_reach_hops_changed AFTER UPDATE ON hops
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION cc_reach_hops_added();

INSERT INTO order_reach (order_id, unit_id)
SELECT id, location_unit_id FROM orders
UNION SELECT order_id, sender_unit_id FROM hops
UNION SELECT order_id, receiver_unit_id FROM hops
ON CONFLICT DO NOTHING;

ALTER TABLE order_reach ENABLE ROW LEVEL SECURITY;
CREATE POLICY cc_see ON order_reach FOR SELECT
    USING (unit_id = ANY ((SELECT cc_visible_units())::integer[]));

-- The event stream no longer needs a list of hidden ids (core.stream.read_after).
DROP FUNCTION cc_event_ids_after(bigint, integer);
"""
NEW_FUNCTIONS = (
    'cc_visible_units()',
    'cc_reach_orders_added()',
    'cc_reach_orders_changed()',
    'cc_reach_hops_added()',
)
SEES_ALL = "(SELECT cc_user_sees_all())"


def reached(table: str, column: str = 'order_id') -> str:
    """The read rule for a table whose rows belong to an order."""
    return (
        f"{SEES_ALL} OR EXISTS (SELECT 1 FROM order_reach r WHERE r.order_id = {table}.{column})"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    schema = op.get_bind().execute(sa.text('SELECT quote_ident(current_schema())')).scalar()
    op.execute(SETUP.format(schema=schema))
    for signature in NEW_FUNCTIONS:
        op.execute(f'REVOKE ALL ON FUNCTION {signature} FROM PUBLIC')
    op.execute('DROP POLICY cc_see ON orders')
    op.execute(f"CREATE POLICY cc_see ON orders FOR SELECT USING ({reached('orders', 'id')})")
    op.execute('DROP POLICY cc_see ON hops')
    op.execute(f"CREATE POLICY cc_see ON hops FOR SELECT USING ({reached('hops')})")
    op.execute('DROP POLICY cc_see ON events')
    op.execute(
        f"CREATE POLICY cc_see ON events FOR SELECT USING (order_id IS NULL OR {reached('events')})"
    )
    for table in WITH_ALL:
        op.execute(f'DROP POLICY cc_all ON {table}')
        op.execute(f'CREATE POLICY cc_see ON {table} FOR SELECT USING ({reached(table)})')
        op.execute(
            f'CREATE POLICY cc_add ON {table} FOR INSERT WITH CHECK (cc_can_see_order(order_id))'
        )
        op.execute(
            f'CREATE POLICY cc_change ON {table} FOR UPDATE USING (cc_can_see_order(order_id))'
            ' WITH CHECK (cc_can_see_order(order_id))'
        )
        op.execute(
            f'CREATE POLICY cc_remove ON {table} FOR DELETE USING (cc_can_see_order(order_id))'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP POLICY cc_see ON orders')
    op.execute('CREATE POLICY cc_see ON orders FOR SELECT USING (cc_can_see_order(id))')
    op.execute('DROP POLICY cc_see ON hops')
    op.execute('CREATE POLICY cc_see ON hops FOR SELECT USING (cc_can_see_order(order_id))')
    op.execute('DROP POLICY cc_see ON events')
    op.execute(
        'CREATE POLICY cc_see ON events FOR SELECT'
        ' USING (order_id IS NULL OR cc_can_see_order(order_id))'
    )
    for table in WITH_ALL:
        for name in ('cc_see', 'cc_add', 'cc_change', 'cc_remove'):
            op.execute(f'DROP POLICY {name} ON {table}')
        op.execute(
            f'CREATE POLICY cc_all ON {table} FOR ALL USING (cc_can_see_order(order_id))'
            ' WITH CHECK (cc_can_see_order(order_id))'
        )
    schema = op.get_bind().execute(sa.text('SELECT quote_ident(current_schema())')).scalar()
    op.execute(
        f"""
CREATE OR REPLACE FUNCTION cc_event_ids_after(p_after bigint, p_limit integer)
RETURNS TABLE (id bigint, visible boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT e.id, e.order_id IS NULL OR cc_can_see_order(e.order_id)
      FROM events e WHERE e.id > p_after ORDER BY e.id LIMIT p_limit
$$"""
    )
    op.execute('REVOKE ALL ON FUNCTION cc_event_ids_after(bigint, integer) FROM PUBLIC')
    op.execute('DROP TABLE order_reach')  # its triggers' table goes with it
    for trigger, table in (
        ('cc_reach_orders_added', 'orders'),
        ('cc_reach_orders_changed', 'orders'),
        ('cc_reach_hops_added', 'hops'),
        ('cc_reach_hops_changed', 'hops'),
    ):
        op.execute(f'DROP TRIGGER IF EXISTS {trigger} ON {table}')
    for signature in NEW_FUNCTIONS:
        op.execute(f'DROP FUNCTION IF EXISTS {signature}')
