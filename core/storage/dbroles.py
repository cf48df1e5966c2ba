"""Per-user PostgreSQL roles, and the privileges row-level security relies on.

Each user logs in to PostgreSQL as their own role (``users.db_role``). Every such role is a
member of one NOLOGIN group role per database, which holds all the privileges:

- reference tables: SELECT; ``users``: SELECT on every column but ``password_hash``
  (login goes through ``cc_login_hash()``, which returns one's own hash only);
- work tables: SELECT/INSERT/UPDATE as the workflow writes them, under the row-level
  security policies of migration 0006 (the jurisdiction rule of ``core.queries``);
- ``orders.caller_name/phone/phone_digits``, ``order_callers.name/phone/phone_digits`` and
  ``events.private_payload`` may be written but not read: lists read the masked columns,
  and a full number comes only from ``cc_reveal_phone``, which checks and logs;
- ``counters``: ids come from counter rows (``core.storage.ids``).

Roles are cluster-wide, so their names carry a per-database prefix kept in ``settings``
(two counties on one server, or parallel test databases, never collide).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from core.errors import CoreError
from core.storage.schema import settings, units, users
from core.workflow.model import PRIVATE_CALLER_COLS, PRIVATE_ORDER_COLS

PREFIX_KEY = "db_role_prefix"

READ_ONLY = (
    "alembic_version",
    "settings",
    "units",
    "user_roles",
    "categories",
    "std_addresses",
    "calendar_overrides",
    "policy_versions",
    # county-wide figures of locked periods (core.analytics.published); written by the
    # owner only, since publishing is an administrator's act
    "published_periods",
    # PostgreSQL only (migration 0008), kept by triggers; its own policy shows a role
    # only its units' rows, which is what the other tables' read policies look up.
    "order_reach",
)
WRITTEN = {
    "counters": "SELECT, INSERT, UPDATE",
    "orders": "INSERT, UPDATE",
    "order_callers": "INSERT",
    "hops": "SELECT, INSERT, UPDATE",
    "time_limits": "SELECT, INSERT, UPDATE",
    "state_intervals": "SELECT, INSERT, UPDATE",
    "events": "INSERT",
    "attachments": "SELECT, INSERT",
    "attachment_blobs": "SELECT, INSERT",
    "order_locks": "SELECT, INSERT, UPDATE, DELETE",
    # county-wide (migration 0013): the service process inserts; users decide and acknowledge
    "feed_items": "SELECT, UPDATE",
    "alerts": "SELECT, UPDATE",
}
# Readable except these columns (SELECT is granted column by column).
WITHHELD = {
    "orders": PRIVATE_ORDER_COLS,
    "order_callers": PRIVATE_CALLER_COLS,
    "events": ("private_payload",),
    "users": ("password_hash",),
}
FUNCTIONS = (
    "cc_user_unit_path()",
    "cc_user_sees_all()",
    "cc_unit_visible(integer)",
    "cc_can_see_order(bigint)",
    "cc_may_read_caller(bigint, text)",
    "cc_reveal_phone(bigint, text, bigint)",
    "cc_reveal_caller_name(bigint, text, bigint)",
    "cc_login_hash()",
    "cc_visible_units()",
    "cc_orders_of_phone(text)",
)


class RoleError(CoreError):
    """A refused role operation; ``str()`` is one line for the command."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__("role_error", message=message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class RoleRow:
    username: str
    display_name: str
    unit_name: str
    db_role: str | None
    exists: bool


def require_postgres(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise RoleError(f"database roles need PostgreSQL; this database is {conn.dialect.name}")


def require_create_role(conn: Connection) -> None:
    ok = conn.execute(
        text("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).scalar()
    if not ok:
        who = conn.execute(text("SELECT current_user")).scalar()
        raise RoleError(f"role {who} may not create roles: connect as a role with CREATEROLE")


def _sanitise(value: str, limit: int) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")[:limit] or "db"


def role_prefix(conn: Connection) -> str:
    """``cc_<database>_`` plus a few random characters, made once per database. A copy of
    the database (CREATE DATABASE … TEMPLATE) gets its own on first use."""
    database = str(conn.execute(text("SELECT current_database()")).scalar())
    stored = conn.execute(select(settings.c.value).where(settings.c.key == PREFIX_KEY)).scalar()
    if isinstance(stored, dict) and stored.get("database") == database:
        return str(stored["prefix"])
    prefix = f"cc_{_sanitise(database, 24)}_{secrets.token_hex(2)}_"
    value = {"prefix": prefix, "database": database}
    conn.execute(
        pg_insert(settings)
        .values(key=PREFIX_KEY, value=value)
        .on_conflict_do_update(index_elements=[settings.c.key], set_={"value": value})
    )
    return prefix


def group_role(conn: Connection) -> str:
    return role_prefix(conn).rstrip("_")


def role_name(prefix: str, user_id: int, username: str) -> str:
    name = _sanitise(username, 63 - len(prefix))
    if name != username.lower() or len(prefix) + len(name) > 63:
        name = f"u{user_id}"
    return prefix + name


def _role_exists(conn: Connection, name: str) -> bool:
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _execute_formatted(conn: Connection, template: str, *args: str) -> None:
    """Utility statements take no bind parameters: let the server quote (format %I/%L)."""
    params = {f"a{i}": a for i, a in enumerate(args)}
    placeholders = ", ".join(f"CAST(:a{i} AS text)" for i in range(len(args)))
    stmt = conn.execute(text(f"SELECT format(:t, {placeholders})"), {"t": template, **params})
    conn.exec_driver_sql(str(stmt.scalar()).replace("%", "%%"))


def grant(conn: Connection) -> str:
    """Create the group role if missing and (re)apply its privileges; returns its name.
    Run again after an upgrade that adds tables or columns (``roles grant``)."""
    require_postgres(conn)
    group = group_role(conn)
    if not _role_exists(conn, group):
        require_create_role(conn)
        _execute_formatted(conn, "CREATE ROLE %I NOLOGIN", group)
    database = str(conn.execute(text("SELECT current_database()")).scalar())
    _execute_formatted(conn, "GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I", database, group)
    _execute_formatted(conn, "GRANT USAGE ON SCHEMA %I TO %I", _schema(conn), group)
    existing = _tables(conn)
    for table in (*READ_ONLY, *WRITTEN, *WITHHELD):
        if table in existing:
            _execute_formatted(conn, "REVOKE ALL ON TABLE %I FROM %I", table, group)
    for table in READ_ONLY:
        if table in existing:
            _execute_formatted(conn, "GRANT SELECT ON TABLE %I TO %I", table, group)
    for table, privileges in WRITTEN.items():
        if table in existing:
            _execute_formatted(conn, f"GRANT {privileges} ON TABLE %I TO %I", table, group)
    for table, hidden in WITHHELD.items():
        if table not in existing:
            continue
        cols = [c for c in existing[table] if c not in hidden]
        col_list = ", ".join(
            conn.execute(text("SELECT quote_ident(:c)"), {"c": c}).scalar_one() for c in cols
        )
        _execute_formatted(conn, f"GRANT SELECT ({col_list}) ON TABLE %I TO %I", table, group)
    for signature in FUNCTIONS:
        conn.exec_driver_sql(f"GRANT EXECUTE ON FUNCTION {signature} TO {_ident(conn, group)}")
    return group


def _ident(conn: Connection, name: str) -> str:
    return str(conn.execute(text("SELECT quote_ident(:n)"), {"n": name}).scalar_one())


def _schema(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_schema()")).scalar_one())


def _tables(conn: Connection) -> dict[str, list[str]]:
    rows = conn.execute(
        text(
            "SELECT c.relname, a.attname FROM pg_class c"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
            " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'"
            " ORDER BY c.relname, a.attnum"
        )
    )
    out: dict[str, list[str]] = {}
    for table, column in rows:
        out.setdefault(table, []).append(column)
    return out


def _user(conn: Connection, username: str) -> tuple[int, str | None]:
    row = conn.execute(
        select(users.c.id, users.c.db_role).where(users.c.username == username.strip())
    ).first()
    if row is None:
        raise RoleError(f"no user named {username!r}")
    return int(row.id), row.db_role


def create_role(conn: Connection, username: str, password: str | None = None) -> tuple[str, str]:
    """Create (or, when it exists, set a new password for) the user's login role.
    Returns (role, password); a password is generated when none is given."""
    require_postgres(conn)
    user_id, current = _user(conn, username)
    require_create_role(conn)
    group = grant(conn)
    password = password or secrets.token_urlsafe(18)
    name = current or role_name(role_prefix(conn), user_id, username.strip())
    if _role_exists(conn, name):
        _execute_formatted(conn, "ALTER ROLE %I LOGIN PASSWORD %L", name, password)
    else:
        _execute_formatted(conn, "CREATE ROLE %I LOGIN PASSWORD %L", name, password)
    _execute_formatted(conn, "GRANT %I TO %I", group, name)
    conn.execute(update(users).where(users.c.id == user_id).values(db_role=name))
    return name, password


def drop_role(conn: Connection, username: str) -> str | None:
    """Drop the user's login role; returns its name, or None when it had none."""
    require_postgres(conn)
    user_id, current = _user(conn, username)
    if current is None:
        return None
    require_create_role(conn)
    if _role_exists(conn, current):
        _execute_formatted(conn, "DROP ROLE %I", current)
    conn.execute(update(users).where(users.c.id == user_id).values(db_role=None))
    return current


def drop_all(conn: Connection) -> list[str]:
    """Every user role of this database, then the group role (privileges revoked first)."""
    require_postgres(conn)
    dropped = [
        name
        for username in conn.execute(
            select(users.c.username).where(users.c.db_role.is_not(None))
        ).scalars()
        if (name := drop_role(conn, username))
    ]
    group = group_role(conn)
    if _role_exists(conn, group):
        _execute_formatted(conn, "DROP OWNED BY %I", group)
        _execute_formatted(conn, "DROP ROLE %I", group)
        dropped.append(group)
    return dropped


def list_roles(conn: Connection) -> list[RoleRow]:
    require_postgres(conn)
    have = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
    rows = conn.execute(
        select(users.c.username, users.c.display_name, units.c.name, users.c.db_role)
        .join(units, units.c.id == users.c.unit_id)
        .where(users.c.active.is_(True))
        .order_by(units.c.path, users.c.username)
    )
    return [RoleRow(r[0], r[1], r[2], r[3], r[3] in have) for r in rows]
