"""Engines for the two backends, and the transaction helpers every writer uses.

SQLite is the embedded default (one workstation, demos, drills); PostgreSQL is the
central database. Both run the same SQL: nothing here is understood by only one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

ENV_URL = "CC_DATABASE_URL"
PG_POOL_SIZE, PG_MAX_OVERFLOW = 3, 2  # at most 5 pooled connections per engine
APP_NAME = "CommandCenter"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_sqlite_url() -> str:
    return f"sqlite:///{default_data_dir() / 'command-center.sqlite3'}"


def resolve_url(cli_url: str | None = None) -> str:
    """``--db`` wins over ``CC_DATABASE_URL``, which wins over the per-user SQLite file."""
    for candidate in (cli_url, os.environ.get(ENV_URL)):
        if candidate and candidate.strip():
            return normalise_url(candidate.strip())
    return default_sqlite_url()


def normalise_url(url: str) -> str:
    """Accept a bare file path or ``postgresql://`` and name the driver we ship."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine_or_conn: Engine | Connection) -> bool:
    return engine_or_conn.dialect.name == "sqlite"


def create_db_engine(url: str, *, sqlite_cache_mb: int = 64, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine, sqlite_cache_mb)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    kwargs.setdefault("pool_pre_ping", True)
    # A workstation's two lanes need a few connections, never SQLAlchemy's default 5+10:
    # the server's max_connections is shared by every workstation (README, "Database
    # roles and row-level security").
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", PG_POOL_SIZE)
        kwargs.setdefault("max_overflow", PG_MAX_OVERFLOW)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine, cache_mb: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=15000")
        cur.execute("PRAGMA foreign_keys=ON")
        # SQLite's default page cache is 2 MiB; a county's file soon outgrows it.
        cur.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A writer takes the write lock up front. A deferred transaction that reads and
        # then writes fails at once with "database is locked" when another writer
        # committed in between; IMMEDIATE waits its turn under busy_timeout instead.
        immediate = conn.get_execution_options().get("cc_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """One writing transaction: committed on success, rolled back on any error."""
    with engine.connect() as conn:
        conn.execution_options(cc_write=True)
        with conn.begin():
            yield conn


@contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A read transaction, so a multi-query read sees one consistent snapshot."""
    with engine.connect() as conn, conn.begin():
        yield conn
