"""published periods

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 05:15:00

A published period's assessment figures are stored once and never recomputed
(core.analytics.published): orders registered or acted on later with times inside the
period no longer move a published month's figures.
"""

from alembic import op
import sqlalchemy as sa
import core.storage.types
from sqlalchemy.dialects import postgresql


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# A database whose roles exist already: its group role may read the figures now
# (``roles grant`` does the same, core.storage.dbroles.READ_ONLY).
GRANT_EXISTING = """
DO $$
DECLARE g text;
BEGIN
    SELECT rtrim(value->>'prefix', '_') INTO g FROM settings
     WHERE key = 'db_role_prefix' AND value->>'database' = current_database();
    IF g IS NOT NULL AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = g) THEN
        EXECUTE format('GRANT SELECT ON TABLE published_periods TO %I', g);
    END IF;
END $$
"""


def upgrade() -> None:
    op.create_table(
        'published_periods',
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('published_at', core.storage.types.UTCDateTime(), nullable=False),
        sa.Column('published_by', sa.String(length=64), nullable=False),
        sa.Column('rules_hash', sa.String(length=64), nullable=False),
        sa.Column(
            'figures',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint('period', name=op.f('pk_published_periods')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('REVOKE ALL ON TABLE published_periods FROM PUBLIC')
        op.execute(GRANT_EXISTING)


def downgrade() -> None:
    op.drop_table('published_periods')
