"""The order editor's soft lock: taken on opening by those who may edit, kept fresh on a
timer (a third of its lifetime), released on closing. When someone else holds it, a
banner names them and since when. A lock warns, it never blocks."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from core import locks
from desktop import errors
from desktop.feed import Session
from desktop.lanes import Lanes, TaskOwner, async_slot

REFRESH_MS = int(locks.TTL.total_seconds() * 1000 / 3)


class EditLock(QObject):
    def __init__(
        self,
        banner: QLabel,
        session: Session,
        lanes: Lanes,
        order_id: int,
        workstation: str,
    ) -> None:
        super().__init__(banner)
        self.banner, self.session, self.lanes = banner, session, lanes
        self.order_id, self.workstation = order_id, workstation
        self.tasks = TaskOwner()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

    def show(self, lock: locks.LockResult) -> None:
        """The banner for ``lock`` as read: hidden when the lock is ours or nobody's."""
        holder = lock.holder
        if lock.taken or holder is None:
            self.banner.hide()
            return
        since = holder.acquired_at.astimezone(self.session.tz)
        self.banner.setText(
            self.tr(
                "{name} has been editing this order since {time} (workstation {ws}). "
                "You can still edit it; whoever saves second will be asked to reload."
            ).format(name=holder.display_name, time=f"{since:%H:%M}", ws=holder.workstation)
        )
        self.banner.show()

    def keep(self) -> None:
        """Keep the lock fresh while the editor is open (someone who may edit)."""
        self.timer.start()

    @async_slot()
    async def refresh(self) -> None:
        try:
            lock = await self.lanes.background(
                locks.acquire,
                self.session.store,
                self.session.actor,
                self.order_id,
                self.workstation,
            )
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        self.show(lock)

    def close(self, taken: bool) -> None:
        """Stop refreshing; give the lock back if it was ours. Fire and forget: an
        unreleased lock lapses on its own anyway."""
        self.timer.stop()
        self.tasks.cancel_all()
        if taken:
            self.lanes.background_executor.submit(
                release_lock, self.session, self.order_id, self.workstation
            )


def release_lock(session: Session, order_id: int, workstation: str) -> None:
    # The database may have gone away: the lock then lapses by itself.
    with contextlib.suppress(Exception):
        locks.release(session.store, session.actor, order_id, workstation)
