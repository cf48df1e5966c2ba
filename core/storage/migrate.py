"""Schema revisions: upgrade, inspect, and refuse a database whose revision is not ours."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from core.errors import SchemaMismatch

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def code_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def database_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, target: str = "head") -> None:
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), target)


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database of another schema revision, in either direction."""
    db_rev = database_revision(engine)
    ours = code_revision()
    if db_rev == ours:
        return
    if db_rev is None:
        raise SchemaMismatch("schema_missing", database=None, client=ours)
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    code = "schema_older" if db_rev in known else "schema_newer"
    raise SchemaMismatch(code, database=db_rev, client=ours)
