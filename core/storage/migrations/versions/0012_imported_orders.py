"""imported orders remember their source

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 07:45:00

An order imported from another system's file (core.imports) keeps the system's name beside
its id there (external_ref); the pair is unique, so importing the same file twice registers
nothing twice. Orders typed at intake have no source (NULL), and never collide.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# A database whose roles exist already: user roles may read the new column (``roles grant``
# does the same: orders are readable column by column, core.storage.dbroles).
GRANT_EXISTING = """
DO $$
DECLARE g text;
BEGIN
    SELECT rtrim(value->>'prefix', '_') INTO g FROM settings
     WHERE key = 'db_role_prefix' AND value->>'database' = current_database();
    IF g IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
        EXECUTE format('GRANT SELECT (external_source) ON TABLE orders TO %I', g);
    END IF;
END $$
"""


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN on both backends: no copy of a large orders table.
    op.add_column('orders', sa.Column('external_source', sa.String(length=40), nullable=True))
    op.create_index(
        'uq_orders_external', 'orders', ['external_source', 'external_ref'], unique=True
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(GRANT_EXISTING)


def downgrade() -> None:
    with op.batch_alter_table('orders') as batch:
        batch.drop_index('uq_orders_external')
        batch.drop_column('external_source')
