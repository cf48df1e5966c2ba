"""database roles, row-level security and phone-number privacy

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 10:00:00

Both backends: ``users.db_role``, the masked list columns (``orders.phone_masked``,
``orders.caller_shown``, ``order_callers.phone_masked``), ``events.private_payload`` and
the ``phone_reads`` log; existing rows are backfilled and existing events' caller names
and numbers move out of ``payload``.

PostgreSQL only: the jurisdiction functions, the row-level security policies and the
caller-reveal functions. Roles are cluster-wide and are not made here: ``python main.py
roles grant|create`` makes the group role and grants (core.storage.dbroles). The table
owner (who runs migrations) and superusers bypass row-level security.
"""

from alembic import op
import sqlalchemy as sa
import core.storage.types
from core.storage.types import Json
from core.workflow.model import mask_phone, shown_caller, split_private


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# Tables whose rows reveal an order: one policy each, on the order's visibility.
ORDER_CHILD_TABLES = ('hops', 'time_limits', 'order_callers', 'state_intervals', 'attachments', 'order_locks')
RLS_TABLES = ('orders', *ORDER_CHILD_TABLES, 'events', 'attachment_blobs', 'phone_reads')

FUNCTIONS = """
CREATE OR REPLACE FUNCTION cc_user_unit_path() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT un.path FROM users u JOIN units un ON un.id = u.unit_id
     WHERE u.db_role = session_user AND u.active
$$;

CREATE OR REPLACE FUNCTION cc_user_sees_all() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT coalesce((
        SELECT un.parent_id IS NULL FROM users u JOIN units un ON un.id = u.unit_id
         WHERE u.db_role = session_user AND u.active), false)
$$;

CREATE OR REPLACE FUNCTION cc_unit_visible(p_unit integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT cc_user_sees_all() OR EXISTS (
        SELECT 1 FROM units un
         WHERE un.id = p_unit AND starts_with(un.path, cc_user_unit_path()))
$$;

CREATE OR REPLACE FUNCTION cc_can_see_order(p_order bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    me text;
    root boolean;
BEGIN
    SELECT un.path, un.parent_id IS NULL INTO me, root
      FROM users u JOIN units un ON un.id = u.unit_id
     WHERE u.db_role = session_user AND u.active;
    IF me IS NULL THEN
        RETURN false;
    END IF;
    IF root THEN
        RETURN true;
    END IF;
    RETURN EXISTS (
            SELECT 1 FROM orders o JOIN units un ON un.id = o.location_unit_id
             WHERE o.id = p_order AND starts_with(un.path, me))
        OR EXISTS (
            SELECT 1 FROM hops h JOIN units un ON un.id IN (h.sender_unit_id, h.receiver_unit_id)
             WHERE h.order_id = p_order AND starts_with(un.path, me));
END
$$;

-- Who may read an order's caller: see core.privacy.may_read_caller, which mirrors it.
CREATE OR REPLACE FUNCTION cc_may_read_caller(p_order bigint, p_field text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    me record;
    o record;
BEGIN
    SELECT u.id, u.unit_id, un.path INTO me
      FROM users u JOIN units un ON un.id = u.unit_id
     WHERE u.db_role = session_user AND u.active;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    SELECT x.confidential, c.path AS centre_path INTO o
      FROM orders x JOIN units c ON c.id = x.centre_unit_id
     WHERE x.id = p_order;
    IF NOT FOUND OR NOT cc_can_see_order(p_order) THEN
        RETURN false;
    END IF;
    IF o.confidential THEN
        -- informants: named roles at the order's centre or a centre above it
        RETURN starts_with(o.centre_path, me.path) AND EXISTS (
            SELECT 1 FROM user_roles r
             WHERE r.user_id = me.id AND r.role IN ('supervisor', 'leader', 'admin'));
    END IF;
    IF p_field = 'name' THEN
        RETURN true;  -- a list shows the name of a caller who is not an informant
    END IF;
    IF starts_with(o.centre_path, me.path) AND EXISTS (
            SELECT 1 FROM user_roles r
             WHERE r.user_id = me.id AND r.role IN ('duty_officer', 'dispatcher', 'supervisor')) THEN
        RETURN true;
    END IF;
    -- handling units call back: their unit holds or held an assignment on it
    RETURN EXISTS (SELECT 1 FROM hops h WHERE h.order_id = p_order AND h.receiver_unit_id = me.unit_id)
       AND EXISTS (
            SELECT 1 FROM user_roles r
             WHERE r.user_id = me.id
               AND r.role IN ('handler', 'duty_officer', 'dispatcher', 'supervisor'));
END
$$;

CREATE OR REPLACE FUNCTION cc_reveal(p_order bigint, p_reason text, p_caller bigint, p_field text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    found_value text;
    column_name text;
BEGIN
    IF coalesce(btrim(p_reason), '') = '' THEN
        RAISE EXCEPTION 'reading a caller''s % needs a reason', p_field USING ERRCODE = '22023';
    END IF;
    IF NOT cc_may_read_caller(p_order, p_field) THEN
        RAISE EXCEPTION '% may not read the caller''s % on order %', session_user, p_field, p_order
            USING ERRCODE = '42501';
    END IF;
    IF p_caller IS NULL THEN
        column_name := CASE p_field WHEN 'phone' THEN 'orders.phone' ELSE 'orders.caller_name' END;
        SELECT CASE p_field WHEN 'phone' THEN x.phone ELSE x.caller_name END INTO found_value
          FROM orders x WHERE x.id = p_order;
    ELSE
        column_name := 'order_callers.' || p_field;
        SELECT CASE p_field WHEN 'phone' THEN c.phone ELSE c.name END INTO found_value
          FROM order_callers c WHERE c.id = p_caller AND c.order_id = p_order;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'order % has no caller %', p_order, p_caller USING ERRCODE = '02000';
        END IF;
    END IF;
    INSERT INTO phone_reads (at, user_id, db_role, order_id, caller_id, field, reason)
    VALUES (clock_timestamp() AT TIME ZONE 'UTC',
            (SELECT u.id FROM users u WHERE u.db_role = session_user),
            session_user, p_order, p_caller, column_name, btrim(p_reason));
    RETURN found_value;
END
$$;

CREATE OR REPLACE FUNCTION cc_reveal_phone(p_order bigint, p_reason text, p_caller bigint DEFAULT NULL)
RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT cc_reveal(p_order, p_reason, p_caller, 'phone')
$$;

CREATE OR REPLACE FUNCTION cc_reveal_caller_name(p_order bigint, p_reason text, p_caller bigint DEFAULT NULL)
RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT cc_reveal(p_order, p_reason, p_caller, 'name')
$$;

-- A user role may not read users.password_hash: it gets its own hash, nobody else's.
CREATE OR REPLACE FUNCTION cc_login_hash() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
    SELECT u.password_hash FROM users u WHERE u.db_role = session_user AND u.active
$$;
"""

FUNCTION_SIGNATURES = (
    'cc_login_hash()',
    'cc_reveal_caller_name(bigint, text, bigint)',
    'cc_reveal_phone(bigint, text, bigint)',
    'cc_reveal(bigint, text, bigint, text)',
    'cc_may_read_caller(bigint, text)',
    'cc_can_see_order(bigint)',
    'cc_unit_visible(integer)',
    'cc_user_sees_all()',
    'cc_user_unit_path()',
)

POLICIES = [
    "CREATE POLICY cc_see ON orders FOR SELECT USING (cc_can_see_order(id))",
    "CREATE POLICY cc_add ON orders FOR INSERT WITH CHECK (cc_unit_visible(location_unit_id))",
    "CREATE POLICY cc_change ON orders FOR UPDATE USING (cc_can_see_order(id))"
    " WITH CHECK (cc_can_see_order(id) OR cc_unit_visible(location_unit_id))",
    # A hop handed to a unit the sender may see: the order becomes visible through it.
    "CREATE POLICY cc_add ON hops FOR INSERT WITH CHECK"
    " (cc_can_see_order(order_id) OR cc_unit_visible(sender_unit_id))",
    "CREATE POLICY cc_see ON events FOR SELECT"
    " USING (order_id IS NULL OR cc_can_see_order(order_id))",
    "CREATE POLICY cc_add ON events FOR INSERT"
    " WITH CHECK (order_id IS NULL OR cc_can_see_order(order_id))",
    # Blobs are shared by content: readable through an attachment row one may see.
    "CREATE POLICY cc_see ON attachment_blobs FOR SELECT USING (EXISTS ("
    "SELECT 1 FROM attachments a WHERE a.sha256 = attachment_blobs.sha256))",
    "CREATE POLICY cc_add ON attachment_blobs FOR INSERT WITH CHECK (true)",
    # phone_reads: no policy, so nobody but the owner (and cc_reveal) reads or writes it.
]
for _table in ORDER_CHILD_TABLES:
    if _table == 'hops':
        POLICIES += [
            "CREATE POLICY cc_see ON hops FOR SELECT USING (cc_can_see_order(order_id))",
            "CREATE POLICY cc_change ON hops FOR UPDATE USING (cc_can_see_order(order_id))",
        ]
    else:
        POLICIES.append(
            f"CREATE POLICY cc_all ON {_table} FOR ALL USING (cc_can_see_order(order_id))"
            " WITH CHECK (cc_can_see_order(order_id))"
        )

PRIVATE_KINDS = ('registered', 'field_edited', 'caller_added', 'merged')


def _backfill() -> None:
    bind = op.get_bind()
    o = sa.table(
        'orders',
        sa.column('id', sa.BigInteger),
        sa.column('caller_name', sa.String),
        sa.column('phone', sa.String),
        sa.column('confidential', sa.Boolean),
        sa.column('phone_masked', sa.String),
        sa.column('caller_shown', sa.String),
    )
    rows = [
        {'_id': r.id, **shown_caller(r.caller_name, r.phone, bool(r.confidential))}
        for r in bind.execute(sa.select(o.c.id, o.c.caller_name, o.c.phone, o.c.confidential))
    ]
    if rows:
        bind.execute(
            o.update().where(o.c.id == sa.bindparam('_id')).values(
                phone_masked=sa.bindparam('phone_masked'), caller_shown=sa.bindparam('caller_shown')
            ),
            rows,
        )
    c = sa.table(
        'order_callers',
        sa.column('id', sa.BigInteger),
        sa.column('phone', sa.String),
        sa.column('phone_masked', sa.String),
    )
    rows = [
        {'_id': r.id, 'masked': mask_phone(r.phone)}
        for r in bind.execute(sa.select(c.c.id, c.c.phone).where(c.c.phone.is_not(None)))
    ]
    if rows:
        bind.execute(
            c.update().where(c.c.id == sa.bindparam('_id')).values(phone_masked=sa.bindparam('masked')),
            rows,
        )
    e = sa.table(
        'events',
        sa.column('id', sa.BigInteger),
        sa.column('kind', sa.String),
        sa.column('payload', Json),
        sa.column('private_payload', Json),
    )
    last = 0
    while True:
        batch = bind.execute(
            sa.select(e.c.id, e.c.payload)
            .where(e.c.kind.in_(PRIVATE_KINDS), e.c.id > last)
            .order_by(e.c.id)
            .limit(5000)
        ).all()
        if not batch:
            break
        last = batch[-1].id
        updates = []
        for r in batch:
            public, private = split_private(r.payload)
            if private:
                updates.append({'_id': r.id, 'pub': public, 'priv': private})
        if updates:
            bind.execute(
                e.update().where(e.c.id == sa.bindparam('_id')).values(
                    payload=sa.bindparam('pub', type_=Json), private_payload=sa.bindparam('priv', type_=Json)
                ),
                updates,
            )


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('db_role', sa.String(length=63), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_db_role'), ['db_role'])
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_masked', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('caller_shown', sa.String(length=64), nullable=True))
    with op.batch_alter_table('order_callers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_masked', sa.String(length=40), nullable=True))
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_payload', Json, nullable=True))
    op.create_table(
        'phone_reads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', core.storage.types.UTCDateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('db_role', sa.String(length=63), nullable=True),
        sa.Column('order_id', sa.BigInteger(), nullable=False),
        sa.Column('caller_id', sa.BigInteger(), nullable=True),
        sa.Column('field', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_phone_reads_order_id_orders')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phone_reads_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_reads')),
    )
    with op.batch_alter_table('phone_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_reads_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_reads_order'), ['order_id'], unique=False)
    _backfill()
    if op.get_bind().dialect.name == 'postgresql':
        schema = op.get_bind().execute(sa.text('SELECT quote_ident(current_schema())')).scalar()
        op.execute(FUNCTIONS.format(schema=schema))
        for signature in FUNCTION_SIGNATURES:
            # EXECUTE goes to the group role (core.storage.dbroles), not to everyone.
            op.execute(f'REVOKE ALL ON FUNCTION {signature} FROM PUBLIC')
        for table in RLS_TABLES:
            op.execute(f'ALTER TABLE {table} ENABLE ROW LEVEL SECURITY')
        for policy in POLICIES:
            op.execute(policy)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in RLS_TABLES:
            for name in ('cc_see', 'cc_add', 'cc_change', 'cc_all'):
                op.execute(f'DROP POLICY IF EXISTS {name} ON {table}')
            op.execute(f'ALTER TABLE {table} DISABLE ROW LEVEL SECURITY')
        for signature in FUNCTION_SIGNATURES:
            op.execute(f'DROP FUNCTION IF EXISTS {signature}')
    with op.batch_alter_table('phone_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_reads_order'))
        batch_op.drop_index(batch_op.f('ix_phone_reads_at'))
    op.drop_table('phone_reads')
    # Caller data goes back into the payloads before the column goes.
    bind = op.get_bind()
    e = sa.table('events', sa.column('id', sa.BigInteger), sa.column('payload', Json), sa.column('private_payload', Json))
    from core.workflow.model import merge_private

    rows = [
        {'_id': r.id, 'pub': merge_private(r.payload, r.private_payload)}
        for r in bind.execute(sa.select(e.c.id, e.c.payload, e.c.private_payload).where(e.c.private_payload.is_not(None)))
    ]
    if rows:
        bind.execute(e.update().where(e.c.id == sa.bindparam('_id')).values(payload=sa.bindparam('pub', type_=Json)), rows)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('private_payload')
    with op.batch_alter_table('order_callers', schema=None) as batch_op:
        batch_op.drop_column('phone_masked')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('caller_shown')
        batch_op.drop_column('phone_masked')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_db_role'), type_='unique')
        batch_op.drop_column('db_role')
