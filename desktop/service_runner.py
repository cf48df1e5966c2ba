"""The service jobs in-process, for a workstation on SQLite (no ``main.py service`` there).

A timer starts one cycle at a time on the background lane; a slow database never piles
cycles up. Unreachable-database errors are reported by signal and otherwise swallowed;
any other failure takes the one error path once per job and kind, not every cycle.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from core.errors import StaleVersion
from core.service_process import DEFAULT_INTERVAL, CycleReport, ServiceProcess
from core.storage.singleton import NoLock
from core.store import Store
from desktop import errors
from desktop.lanes import Lanes, TaskOwner, async_slot


class ServiceRunner(QObject):
    cycle_did_run = Signal(object)  # the CycleReport
    cycle_did_fail = Signal(object)  # the exception: the database could not be reached

    def __init__(
        self,
        store: Store,
        lanes: Lanes,
        interval_s: float = DEFAULT_INTERVAL,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self._lanes = lanes
        self._process = ServiceProcess(store, interval=interval_s, lock=NoLock(), mode="in_process")
        self._busy = False
        self._reported: set[tuple[str, type[BaseException]]] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(interval_s * 1000)))
        self._timer.timeout.connect(self.run_cycle)

    def start(self) -> None:
        """Run a cycle now, then on every tick."""
        self._timer.start()
        self.run_cycle()

    def stop(self) -> None:
        self._timer.stop()
        self.tasks.cancel_all()

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    @async_slot()
    async def run_cycle(self) -> None:
        if self._busy:  # the previous cycle still runs
            return
        self._busy = True
        try:
            report: CycleReport = await self._lanes.background(self._process.cycle)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self.cycle_did_fail.emit(exc)
            return
        finally:
            self._busy = False
        self.cycle_did_run.emit(report)
        for name, failure in report.errors.items():
            if errors.is_connection_error(failure):
                self.cycle_did_fail.emit(failure)
                return
            if isinstance(failure, StaleVersion):  # a user saved meanwhile: next cycle
                continue
            key = (name, type(failure))
            if key not in self._reported:
                self._reported.add(key)
                errors.report(failure)
