"""One injectable source of time, so tests never sleep and deadlines agree.

Workstations take their time from the database server: ``ServerClock`` measures
the offset once and then adds it to the local UTC clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    """The local machine's clock. Right for an SQLite workstation."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to. For tests, drills and replays."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def set(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("ManualClock needs timezone-aware instants")
        with self._lock:
            self._now = instant.astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._now += step
            return self._now


class ServerClock:
    """Local UTC plus the measured offset to the database server's clock.

    ``read_server_now`` runs one query on the server; it is called again after
    ``refresh_after`` so a drifting workstation clock is corrected.
    """

    def __init__(
        self,
        read_server_now: Callable[[], datetime],
        refresh_after: timedelta = timedelta(minutes=10),
    ) -> None:
        self._read = read_server_now
        self._refresh_after = refresh_after.total_seconds()
        self._offset = timedelta(0)
        self._measured_at: float | None = None
        self._lock = threading.Lock()

    def _measure(self) -> None:
        before = datetime.now(UTC)
        server = self._read()
        after = datetime.now(UTC)
        if server.tzinfo is None:
            server = server.replace(tzinfo=UTC)
        local_mid = before + (after - before) / 2
        self._offset = server - local_mid
        self._measured_at = time.monotonic()

    @property
    def offset(self) -> timedelta:
        return self._offset

    def now(self) -> datetime:
        with self._lock:
            stale = (
                self._measured_at is None
                or time.monotonic() - self._measured_at > self._refresh_after
            )
            if stale:
                self._measure()
            return datetime.now(UTC) + self._offset
