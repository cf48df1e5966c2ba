"""One service process per database: a PostgreSQL session-level advisory lock.

The lock lives on a dedicated connection, outside the pool, for as long as the instance
is active. When the process dies its connection closes and the server releases the lock,
so a standby instance polling ``try_acquire`` takes over. SQLite has no such lock: there
the workstation runs the jobs in-process, and every job is idempotent because it sets its
flags in the same write transaction (``BEGIN IMMEDIATE``) that writes its events.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, text

from core.storage.db import is_sqlite

log = logging.getLogger(__name__)

# pg_try_advisory_lock's key for "the service process of this database". Advisory locks
# are scoped to the current database, so one key serves every county database on a server.
SERVICE_LOCK_KEY = 0x4343_5356_0001  # "CCSV", 1


class InstanceLock(Protocol):
    def try_acquire(self) -> bool:
        """Take the lock if it is free. Never blocks for long; False if another holds it."""
        ...

    def still_held(self) -> bool:
        """The lock is still ours (its connection answers)."""
        ...

    def release(self) -> None: ...

    @property
    def held(self) -> bool: ...


class NoLock:
    """SQLite: nothing to take; the jobs are idempotent."""

    def __init__(self) -> None:
        self._held = False

    def try_acquire(self) -> bool:
        self._held = True
        return True

    def still_held(self) -> bool:
        return self._held

    def release(self) -> None:
        self._held = False

    @property
    def held(self) -> bool:
        return self._held


class AdvisoryLock:
    """``pg_try_advisory_lock(key)`` on a connection of its own.

    A lost connection means a lost lock: ``still_held`` then answers False and the caller
    stops working and goes back to acquiring.
    """

    def __init__(self, engine: Engine, key: int = SERVICE_LOCK_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: Connection | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None

    def _open(self) -> Connection:
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        # Out of the pool: closing it must really close the session (and so free the
        # lock); a pooled connection would keep the lock alive for whoever borrows it next.
        conn.detach()
        _DRIVER[id(conn)] = conn.connection.driver_connection
        return conn

    def try_acquire(self) -> bool:
        if self._conn is not None:
            return self.still_held()
        conn = self._open()
        try:
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
            )
        except BaseException:
            _close_quietly(conn)
            raise
        if got:
            self._conn = conn
        else:
            _close_quietly(conn)
        return got

    def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            held = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid = pg_backend_pid() AND granted AND objsubid = 1"
                    " AND ((classid::bigint << 32) | objid::bigint) = :k"
                ),
                {"k": self.key},
            ).scalar()
        except Exception as exc:
            log.warning("the service lock's connection is lost: %s", exc)
            self._drop()
            return False
        if not held:
            log.warning("the service lock is no longer held by this session")
            self._drop()
            return False
        return True

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        except Exception as exc:  # the session is gone: so is the lock
            log.debug("unlocking failed (%s); closing the session frees it", exc)
        _close_quietly(conn)

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            _close_quietly(conn)


# The driver connection under each open lock connection (see _close_quietly).
_DRIVER: dict[int, Any] = {}


def _close_quietly(conn: Connection) -> None:
    # A detached connection that SQLAlchemy invalidates (the server killed the session)
    # drops its driver connection without closing it: close that one ourselves.
    raw = _DRIVER.pop(id(conn), None)
    try:
        conn.close()
    except Exception as exc:
        log.debug("closing the lock connection: %s", exc)
    if raw is not None and not raw.closed:
        raw.close()


def instance_lock(engine: Engine, key: int = SERVICE_LOCK_KEY) -> InstanceLock:
    return NoLock() if is_sqlite(engine) else AdvisoryLock(engine, key)
