"""Alembic environment. Run through ``python main.py db upgrade`` (core.storage.migrate)."""

from alembic import context

from core.storage.schema import DATABASE_ONLY, metadata


def include_object(obj: object, name: str | None, kind: str, *_: object) -> bool:
    """Autogenerate leaves alone the tables the database keeps for itself."""
    owner = name if kind == "table" else getattr(getattr(obj, "table", None), "name", None)
    return owner not in DATABASE_ONLY


config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through core.storage.migrate, which passes a connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
