"""Change notification by polling the newest event id: the cheap way that works on SQLite.

Views depend only on the three signals, so a PostgreSQL LISTEN/NOTIFY listener (a later
issue) can take this class's place: NOTIFY is a hint to re-read by event id, as this is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal, SignalInstance

from desktop import errors
from desktop.lanes import Lanes, TaskOwner, async_slot

POLL_INTERVAL_MS = 2000


class ChangeFeed(Protocol):
    """What a view needs from a change notifier; EventPoller is one, a NOTIFY listener
    will be another. ``tasks`` is the notifier's TaskOwner, drained after ``stop``."""

    events_did_arrive: SignalInstance
    poll_did_succeed: SignalInstance
    poll_did_fail: SignalInstance
    tasks: TaskOwner

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def mark_seen(self, event_id: int) -> None: ...


class EventPoller(QObject):
    events_did_arrive = Signal(int)  # the newest event id, above the last one seen
    poll_did_succeed = Signal()  # the database answered: what is shown is current
    poll_did_fail = Signal(object)  # the exception: the database could not be reached

    def __init__(
        self,
        read_last_id: Callable[[], int],
        lanes: Lanes,
        interval_ms: int = POLL_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self._read = read_last_id
        self._lanes = lanes
        self._seen: int | None = None
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self.tasks.cancel_all()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def mark_seen(self, event_id: int) -> None:
        """The view has read everything up to ``event_id``."""
        self._seen = event_id if self._seen is None else max(self._seen, event_id)

    @async_slot()
    async def poll(self) -> None:
        if self._busy:  # a slow database: never pile up polls
            return
        self._busy = True
        try:
            newest = await self._lanes.background(self._read)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self.poll_did_fail.emit(exc)
            return
        finally:
            self._busy = False
        self.poll_did_succeed.emit()
        if self._seen is not None and newest > self._seen:
            self.events_did_arrive.emit(newest)
