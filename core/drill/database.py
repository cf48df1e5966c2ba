"""The drill database (演练库): its own database, made from the live organisation.

A drill must never write to live data, so it gets a database of its own that says it is
a drill (settings ``database_kind`` = ``"drill"``): the wall and every window show it,
assessment refuses it (``core.analytics.DrillDatabase``), and drill tools refuse anything
else (``require_drill``).

``create_drill_database`` builds it with the same migrations as any database, then copies
from the live database, in one read-only snapshot, what trainees need to work as
themselves: units (with polygons), users and their roles (own accounts and passwords),
categories, standard addresses, calendar overrides, policy versions and the settings
(except the database kind, the per-database role prefix and the live jobs' state: the
service heartbeat and the early-warning cursor). The workload is not copied: no orders,
callers, hops, time limits, state intervals, events, attachments, feed items, alerts,
phone reads, locks or published periods. A drill starts empty, and the scenario or replay
brings its own orders. The id counters start at zero, which suits an empty workload.

The live database is never written. On SQLite the file is opened through a read-only URI
(``mode=ro``) with ``query_only`` on. On PostgreSQL the live connections run with
``default_transaction_read_only`` and the copy runs in a ``REPEATABLE READ, READ ONLY``
transaction. So even a bug here cannot write to live data. A read-only SQLite reader
may leave an empty ``-wal`` and a ``-shm`` beside a live file that had none (it may not
delete them), but the file's bytes never change.

PostgreSQL rights: the drill is a database of its own on the server of ``drill_url``,
made with ``CREATE DATABASE … TEMPLATE template0`` over a maintenance connection (database
``postgres``, else ``template1``). So the drill URL's role needs **CREATEDB**. It becomes
the drill database's owner and runs the migrations there. Dropping the drill
(``DROP DATABASE … WITH (FORCE)``, PostgreSQL 13 or later) needs that owner or a
superuser. The live URL's role must read every column of the copied tables, so it should
be the owner or an administrator, not a user's own login role (such a role may not read
``users.password_hash``).

Per-user login roles (``core.storage.dbroles``) are cluster-wide, and a role belongs to
one database's group. So the copy keeps ``users.db_role`` empty, and a drill database
starts with no user roles. Trainees connect as the drill URL's role (the owner), and the
application's login checks their own username and password. Per-user roles and row-level
security in a drill take ``python main.py --db DRILL_URL roles create --all``, which
needs CREATEROLE. ``drop_drill_database`` drops such roles with the database.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from core.errors import CoreError
from core.storage import dbroles, ids, migrate
from core.storage.db import create_db_engine, normalise_url, write_tx
from core.storage.schema import (
    calendar_overrides,
    categories,
    policy_versions,
    settings,
    std_addresses,
    units,
    user_roles,
    users,
)

if TYPE_CHECKING:
    from core.store import Store

KIND_KEY = "database_kind"
# Copied in this order (parents before the rows that refer to them).
COPIED: tuple[Table, ...] = (
    units,
    categories,
    policy_versions,
    users,
    user_roles,
    std_addresses,
    calendar_overrides,
)
# Settings that describe the live database or its running jobs, never the organisation.
NOT_COPIED_SETTINGS = frozenset({KIND_KEY, dbroles.PREFIX_KEY, "service", "early_warning"})
# Integer keys from a PostgreSQL serial: the sequence must move past the copied ids.
SERIAL_TABLES: tuple[Table, ...] = (units, users, std_addresses)
MAINTENANCE_DATABASES = ("postgres", "template1")
PG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,62}")
BATCH = 1000
INSUFFICIENT_PRIVILEGE = "42501"


class DrillError(CoreError):
    """A refused drill-database operation. The code says why, and params say where."""

    code = "drill_error"


class NotADrillDatabase(DrillError):
    """Drill tools run only against a database that says it is a drill."""

    code = "not_a_drill_database"


@dataclass(frozen=True)
class DrillInfo:
    """A drill database just made: what it is called, where it is and what was copied."""

    name: str
    url: str  # without the password
    source: str  # the live database, without the password
    created_at: datetime
    copied: Mapping[str, int] = field(default_factory=dict)  # rows per table


@dataclass(frozen=True)
class DroppedDrill:
    name: str
    url: str
    roles: tuple[str, ...]  # per-user and group roles dropped with it (PostgreSQL)


# --- asking a database what it is -----------------------------------------------------


def _kind(conn: Connection) -> object:
    if not inspect(conn).has_table(settings.name):
        return None
    return conn.execute(select(settings.c.value).where(settings.c.key == KIND_KEY)).scalar()


def is_drill(target: Store | Engine | Connection) -> bool:
    """Whether the database says it is a drill database (settings ``database_kind``)."""
    if isinstance(target, Connection):
        return _kind(target) == "drill"
    engine: Engine = target if isinstance(target, Engine) else target.engine
    with engine.connect() as conn:
        return _kind(conn) == "drill"


def is_drill_url(url: str) -> bool:
    """Whether ``url`` names an existing drill database, looked at read-only: nothing is
    created for a wrong path (``main.py --drill`` checks before it opens anything)."""
    try:
        engine = read_only_engine(url)
    except DrillError:
        return False
    try:
        return is_drill(engine)
    except SQLAlchemyError:  # no such database, no schema yet, unreachable
        return False
    finally:
        engine.dispose()


def require_drill(target: Store | Engine | Connection) -> None:
    """Refuse (NotADrillDatabase) a database that is not a drill's: a live one above all."""
    if not is_drill(target):
        raise NotADrillDatabase(url=_public(target.engine.url))


# --- URLs and read-only engines --------------------------------------------------------


def _public(url: URL | str) -> str:
    parsed = make_url(url) if isinstance(url, str) else url
    return parsed.set(password=None).render_as_string(hide_password=False)


def _parse(url: str) -> URL:
    parsed = make_url(normalise_url(url))
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:" or parsed.query:
            raise DrillError("drill_url_unsupported", url=_public(parsed))
    elif backend != "postgresql" or not parsed.database:
        raise DrillError("drill_url_unsupported", url=_public(parsed))
    return parsed


def _sqlite_files(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm", "-journal"))


def _same_database(a: URL, b: URL) -> bool:
    if a.get_backend_name() != b.get_backend_name():
        return False
    if a.get_backend_name() == "sqlite":
        return Path(str(a.database)).resolve() == Path(str(b.database)).resolve()
    host = {None: "localhost", "127.0.0.1": "localhost", "::1": "localhost"}
    return (host.get(a.host, a.host), a.port or 5432, a.database) == (
        host.get(b.host, b.host),
        b.port or 5432,
        b.database,
    )


def read_only_engine(url: str) -> Engine:
    """An engine that cannot write: a read-only SQLite URI, or PostgreSQL sessions whose
    every transaction is READ ONLY. Used for the live database and for checks."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "postgresql":
        return create_db_engine(
            parsed.render_as_string(hide_password=False),
            poolclass=NullPool,
            connect_args={"options": "-c default_transaction_read_only=on"},
        )
    path = Path(str(parsed.database)).resolve()
    if not path.is_file():
        raise DrillError("drill_source_missing", url=_public(parsed))
    uri = f"file:{quote(str(path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        conn.isolation_level = None  # SQLAlchemy's begin hook below starts transactions
        conn.execute("PRAGMA query_only=ON")
        conn.execute("PRAGMA busy_timeout=15000")
        return conn

    # The URL names the file for messages; the creator is what opens it (read-only).
    engine = create_engine(f"sqlite:///{path}", creator=connect, poolclass=NullPool)

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")  # one snapshot for the whole read

    return engine


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield conn


# --- PostgreSQL: the maintenance connection -------------------------------------------


@contextmanager
def _maintenance(url: URL) -> Iterator[Connection]:
    """An autocommit connection to the drill URL's server (CREATE/DROP DATABASE)."""
    last: Exception | None = None
    for database in MAINTENANCE_DATABASES:
        engine = create_engine(
            url.set(database=database), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        try:
            conn = engine.connect()
        except DBAPIError as exc:
            engine.dispose()
            last = exc
            continue
        try:
            yield conn
        finally:
            conn.close()
            engine.dispose()
        return
    assert last is not None
    raise last


def _pg_exists(conn: Connection, name: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    return found.first() is not None


def _pg_name(url: URL) -> str:
    name = str(url.database)
    if not PG_NAME.fullmatch(name):
        raise DrillError("drill_name_unsupported", database=name)
    return name


def _pg_check(conn: Connection, url: URL) -> None:
    """The target must not exist, and the role must have the right to create it."""
    if _pg_exists(conn, _pg_name(url)):
        raise DrillError("drill_target_exists", url=_public(url))
    role, may = conn.execute(
        text(
            "SELECT current_user, rolcreatedb OR rolsuper FROM pg_roles"
            " WHERE rolname = current_user"
        )
    ).one()
    if not may:
        raise DrillError("createdb_required", role=role, right="CREATEDB")


def _pg_create(url: URL) -> None:
    with _maintenance(url) as conn:
        _pg_check(conn, url)
        try:
            # template0: nobody connects to it, so the copy never waits for a session.
            conn.exec_driver_sql(f'CREATE DATABASE "{_pg_name(url)}" TEMPLATE template0')
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
                role = conn.execute(text("SELECT current_user")).scalar()
                raise DrillError("createdb_required", role=role, right="CREATEDB") from exc
            raise


def _pg_drop(url: URL) -> None:
    with _maintenance(url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{_pg_name(url)}" WITH (FORCE)')


# --- creating ----------------------------------------------------------------------------


def _check_target_free(drill: URL) -> None:
    """Checked before the live database is even opened: a refusal costs nothing."""
    if drill.get_backend_name() == "sqlite":
        if any(p.exists() for p in _sqlite_files(Path(str(drill.database)))):
            raise DrillError("drill_target_exists", url=_public(drill))
    else:
        with _maintenance(drill) as conn:
            _pg_check(conn, drill)


def _sqlite_create(url: URL) -> None:
    """Claim the file with O_EXCL: a file that appeared since the check is never ours to
    migrate or, on a failed copy, to delete. SQLite takes an empty file as a new database."""
    path = Path(str(url.database))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.open("xb").close()
    except FileExistsError:
        raise DrillError("drill_target_exists", url=_public(url)) from None


def _check_source(live: Engine) -> None:
    try:
        migrate.check_schema(live)
        with live.connect() as conn:
            kind = _kind(conn)
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DrillError("drill_source_unreadable", url=_public(live.url), reason=reason) from exc
    if kind == "drill":
        # A drill of a drill would carry the first drill's organisation edits as if they
        # were live: make every drill from the live database.
        raise DrillError("drill_source_is_drill", url=_public(live.url))


def create_drill_database(
    live_url: str, drill_url: str, *, name: str, now: datetime | None = None
) -> DrillInfo:
    """Create the drill database at ``drill_url`` from the live database at ``live_url``.

    Refused (DrillError): an empty name, the same database twice, a target that exists,
    a live database that is itself a drill or cannot be read, and, on PostgreSQL, a role
    without CREATEDB. A live database at another schema revision raises SchemaMismatch.
    If the copy fails after the target was made, the target is removed again."""
    name = name.strip()
    if not name:
        raise DrillError("drill_name_required")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    live, drill = _parse(live_url), _parse(drill_url)
    if _same_database(live, drill):
        raise DrillError("drill_same_database", url=_public(drill))
    _check_target_free(drill)
    live_engine = read_only_engine(live_url)
    try:
        _check_source(live_engine)
        if drill.get_backend_name() == "postgresql":
            _pg_create(drill)
        else:
            _sqlite_create(drill)
        drill_engine = create_db_engine(drill.render_as_string(hide_password=False))
        try:
            migrate.upgrade(drill_engine)
            copied = _copy(live_engine, drill_engine, name, now, _public(live))
            migrate.check_schema(drill_engine)
        except BaseException:
            drill_engine.dispose()
            _remove(drill)
            raise
        drill_engine.dispose()
    finally:
        live_engine.dispose()
    return DrillInfo(name, _public(drill), _public(live), now, copied)


def _copy(live: Engine, drill: Engine, name: str, now: datetime, source: str) -> dict[str, int]:
    copied: dict[str, int] = {}
    with _snapshot(live) as src, write_tx(drill) as dst:
        for table in COPIED:
            copied[table.name] = _copy_table(src, dst, table)
        rows = [
            {"key": r.key, "value": r.value}
            for r in src.execute(select(settings).order_by(settings.c.key))
            if r.key not in NOT_COPIED_SETTINGS
        ]
        rows += [
            {"key": KIND_KEY, "value": "drill"},
            {"key": "drill_name", "value": name},
            {"key": "drill_created_at", "value": now.isoformat()},
            {"key": "drill_source", "value": source},
        ]
        dst.execute(insert(settings), rows)
        copied[settings.name] = len(rows) - 4
        for counter in ids.TABLE_COUNTERS:
            ids.ensure_counter(dst, counter)
        if dst.dialect.name == "postgresql":
            for table in SERIAL_TABLES:
                _move_sequence(dst, table)
    return copied


def _rows(src: Connection, table: Table) -> Iterator[list[dict[str, Any]]]:
    if table is units or table is categories:
        # Self-references: parents first (a unit's depth is its path's; categories' level).
        rows = [dict(r._mapping) for r in src.execute(select(table))]
        if table is units:
            rows.sort(key=lambda r: (str(r["path"]).count("/"), r["id"]))
        else:
            rows.sort(key=lambda r: (r["level"], r["node_id"]))
        for start in range(0, len(rows), BATCH):
            yield rows[start : start + BATCH]
        return
    result = src.execute(
        select(table).order_by(*table.primary_key.columns).execution_options(yield_per=BATCH)
    )
    for part in result.partitions():
        yield [dict(r._mapping) for r in part]


def _copy_table(src: Connection, dst: Connection, table: Table) -> int:
    count = 0
    for batch in _rows(src, table):
        if table is users:
            for row in batch:
                row["db_role"] = None  # live login roles are not this database's
        dst.execute(insert(table), batch)
        count += len(batch)
    return count


def _move_sequence(conn: Connection, table: Table) -> None:
    seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name}).scalar()
    if seq is None:
        return
    top = conn.execute(select(func.max(table.c.id))).scalar()
    conn.execute(
        text("SELECT setval(CAST(:s AS regclass), :v, :called)"),
        {"s": seq, "v": int(top or 1), "called": top is not None},
    )


# --- dropping ----------------------------------------------------------------------------


def _remove(url: URL) -> None:
    if url.get_backend_name() == "sqlite":
        for path in _sqlite_files(Path(str(url.database))):
            path.unlink(missing_ok=True)
    else:
        _pg_drop(url)


def _drill_name(engine: Engine) -> str:
    with engine.connect() as conn:
        if _kind(conn) != "drill":
            raise NotADrillDatabase(url=_public(engine.url))
        value = conn.execute(select(settings.c.value).where(settings.c.key == "drill_name"))
        return str(value.scalar() or "")


def _drop_roles(url: URL) -> tuple[str, ...]:
    """The drill's own login roles (``roles create`` on it): roles outlive a database."""
    engine = create_db_engine(url.render_as_string(hide_password=False), poolclass=NullPool)
    try:
        with write_tx(engine) as conn:
            have = conn.execute(
                select(func.count()).select_from(users).where(users.c.db_role.is_not(None))
            ).scalar()
            stored = conn.execute(
                select(settings.c.value).where(settings.c.key == dbroles.PREFIX_KEY)
            ).scalar()
            if not have and stored is None:
                return ()
            return tuple(dbroles.drop_all(conn))
    finally:
        engine.dispose()


def drop_drill_database(drill_url: str) -> DroppedDrill:
    """Delete a drill database, only when it says it is one (NotADrillDatabase otherwise).

    SQLite: the file and its -wal, -shm and -journal. PostgreSQL: the drill's own login
    roles, if any (CREATEROLE), then ``DROP DATABASE … WITH (FORCE)``, which ends the
    sessions still connected to it."""
    drill = _parse(drill_url)
    if drill.get_backend_name() == "sqlite":
        if not Path(str(drill.database)).is_file():
            raise DrillError("drill_missing", url=_public(drill))
    else:
        with _maintenance(drill) as conn:
            if not _pg_exists(conn, _pg_name(drill)):
                raise DrillError("drill_missing", url=_public(drill))
    engine = read_only_engine(drill_url)
    try:
        name = _drill_name(engine)
    finally:
        engine.dispose()
    roles = _drop_roles(drill) if drill.get_backend_name() == "postgresql" else ()
    _remove(drill)
    return DroppedDrill(name, _public(drill), roles)
