"""The service process: what must happen when nobody clicks.

A ``Job`` is one periodic task (write 临期/超期 marks, close expired unreachable visits,
run the early-warning rules). ``Jobs`` runs the ones that are due and isolates their
failures. A ``Hosted`` service (the machine feeds' listener, core.feeds.host) runs while
this instance holds the lock, with a job that polls it every cycle. ``ServiceProcess`` is
``python main.py service``: one instance per database (``core.storage.singleton``), a cycle
every ``interval`` seconds, and a heartbeat in ``settings`` so screens can warn when
nothing runs (``service_status``).
On SQLite the workstation runs the same ``Jobs`` in-process (desktop/service_runner.py).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, func, insert, select, update

from core.errors import StaleVersion
from core.service import OrderService
from core.storage.db import is_sqlite, read_tx, write_tx
from core.storage.schema import settings
from core.storage.singleton import InstanceLock, instance_lock
from core.store import Store

log = logging.getLogger("core.service_process")

HEARTBEAT_KEY = "service"
DEFAULT_INTERVAL = 15.0  # seconds between cycles
STANDBY_POLL = 1.0  # seconds between attempts to take the lock
REFERENCE_RELOAD = 300.0  # seconds between re-reads of the calendar and policy
MAX_ROUNDS = 1000  # batches one job may run in one cycle before it yields


# --- jobs ------------------------------------------------------------------------------


@dataclass
class Job:
    """``run`` does one job's work and returns how many things it changed."""

    name: str
    run: Callable[[], int]
    every: float = 0.0  # seconds between runs; 0: every cycle
    next_at: float = field(default=0.0, repr=False)


class Hosted(Protocol):
    """Something that runs only on the active instance: started when the lock is taken,
    stopped when the work ends, polled once a cycle (``poll`` returns what it handled).
    None of the three may raise."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def poll(self) -> int: ...


@dataclass(frozen=True)
class CycleReport:
    counts: dict[str, int]
    errors: dict[str, BaseException]
    seconds: float

    @property
    def changed(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        done = " ".join(f"{k}={v}" for k, v in self.counts.items())
        failed = " ".join(f"{k}:{type(e).__name__}" for k, e in self.errors.items())
        return f"{done}{' failed ' + failed if failed else ''} ({self.seconds * 1000:.0f} ms)"


class Jobs:
    """Runs the jobs that are due, each on its own: one failing never stops the others."""

    def __init__(
        self, jobs: Sequence[Job], monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.jobs = list(jobs)
        self._monotonic = monotonic

    def run_due(self) -> CycleReport:
        began = self._monotonic()
        counts: dict[str, int] = {}
        errors: dict[str, BaseException] = {}
        for job in self.jobs:
            if self._monotonic() < job.next_at:
                continue
            try:
                counts[job.name] = job.run()
            except StaleVersion as exc:  # a user saved one of the orders meanwhile
                errors[job.name] = exc
                log.info("job %s: an order changed meanwhile (%s); next cycle", job.name, exc)
            except Exception as exc:
                errors[job.name] = exc
                if is_connection_error(exc):
                    log.warning("job %s: the database is unreachable: %s", job.name, exc)
                else:
                    log.exception("job %s failed", job.name)
            job.next_at = self._monotonic() + job.every
        return CycleReport(counts, errors, self._monotonic() - began)


def until_done(step: Callable[[], int], max_rounds: int = MAX_ROUNDS) -> int:
    """Repeat a batch ``step`` until it finds nothing left; returns the total."""
    total = 0
    for _ in range(max_rounds):
        n = step()
        total += n
        if n == 0:
            break
    return total


def default_jobs(
    svc: OrderService, batch: int = 500, reload_reference_every: float | None = None
) -> list[Job]:
    """What every service instance (or SQLite workstation) runs. A long-lived service
    process re-reads the calendar and policy now and then: administrators change them
    from other processes. The early-warning rules run every ``[service] every_seconds``
    of resources/early_warning.toml (re-read when the file changes)."""
    jobs = [
        Job("time_conditions", lambda: until_done(lambda: svc.mark_time_conditions(batch))),
        Job("expired_visits", lambda: svc.close_expired_visits(batch)),
        early_warning(svc),
    ]
    if reload_reference_every is not None:

        def reload() -> int:
            svc.store.reload_reference()
            return 0

        first = time.monotonic() + reload_reference_every  # the store has just loaded it
        jobs.insert(0, Job("reference", reload, every=reload_reference_every, next_at=first))
    return jobs


def early_warning(svc: OrderService, rules: Path | None = None) -> Job:
    """The early-warning job (core.warning). A broken rules file leaves the job failing
    (logged each run, the other jobs go on) until it is fixed; the pace is then 60 s."""
    from core.errors import ValidationError
    from core.warning.config import WARNING_FILE, RulesFile
    from core.warning.run import early_warning_job

    source = RulesFile(rules or WARNING_FILE)
    try:
        every = source.current().service.every_seconds
    except (ValidationError, OSError) as exc:
        log.error("the early-warning rules %s were refused: %s", source.path, exc)
        every = 60.0
    return Job("early_warning", early_warning_job(svc, source), every=every)


def is_connection_error(exc: BaseException) -> bool:
    """The database could not be reached (as opposed to refusing what was asked)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


# --- heartbeat -------------------------------------------------------------------------


@functools.cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("command-center")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class Heartbeat:
    pid: int
    host: str
    mode: str  # "service" (main.py service) or "in_process" (an SQLite workstation)
    started_at: datetime
    beat_at: datetime
    interval: float
    version: str
    stopped_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        iso = {"started_at", "beat_at", "stopped_at"}
        return {
            k: (v.isoformat() if k in iso and v is not None else v) for k, v in vars(self).items()
        }

    @classmethod
    def from_json(cls, value: Any) -> Heartbeat | None:
        if not isinstance(value, dict):
            return None
        try:
            stopped = value.get("stopped_at")
            return cls(
                pid=int(value["pid"]),
                host=str(value["host"]),
                mode=str(value.get("mode", "service")),
                started_at=datetime.fromisoformat(value["started_at"]),
                beat_at=datetime.fromisoformat(value["beat_at"]),
                interval=float(value.get("interval", DEFAULT_INTERVAL)),
                version=str(value.get("version", "unknown")),
                stopped_at=datetime.fromisoformat(stopped) if stopped else None,
            )
        except (KeyError, TypeError, ValueError):
            return None


def write_heartbeat(engine: Engine, beat: Heartbeat) -> None:
    with write_tx(engine) as conn:
        value = beat.to_json()
        done = conn.execute(
            update(settings).where(settings.c.key == HEARTBEAT_KEY).values(value=value)
        ).rowcount
        if not done:
            conn.execute(insert(settings).values(key=HEARTBEAT_KEY, value=value))


def read_heartbeat(engine: Engine) -> Heartbeat | None:
    with read_tx(engine) as conn:
        value = conn.execute(
            select(settings.c.value).where(settings.c.key == HEARTBEAT_KEY)
        ).scalar()
    return Heartbeat.from_json(value)


@dataclass(frozen=True)
class ServiceStatus:
    alive: bool
    heartbeat: Heartbeat | None
    age: timedelta | None  # since the last beat


def service_status(
    engine: Engine, now: datetime | None = None, stale_after: timedelta | None = None
) -> ServiceStatus:
    """Is a service (or an in-process runner) working on this database? Alive when its
    last beat is younger than ``stale_after`` (default: four cycles, at least a minute)
    and it did not say it stopped. ``now`` defaults to the database server's clock."""
    beat = read_heartbeat(engine)
    if now is None:
        if is_sqlite(engine):
            now = datetime.now(UTC)
        else:
            with read_tx(engine) as conn:
                server = conn.execute(select(func.now())).scalar_one()
            now = server if server.tzinfo else server.replace(tzinfo=UTC)
    if beat is None:
        return ServiceStatus(False, None, None)
    age = now - beat.beat_at
    limit = stale_after or max(timedelta(minutes=1), timedelta(seconds=4 * beat.interval))
    return ServiceStatus(beat.stopped_at is None and age <= limit, beat, age)


# --- the process -----------------------------------------------------------------------


class ServiceProcess:
    """Acquire the instance lock (or wait on standby), then run a cycle every ``interval``
    seconds until ``stop``. Losing the lock's connection stops the work and goes back to
    acquiring."""

    def __init__(
        self,
        store: Store,
        *,
        interval: float = DEFAULT_INTERVAL,
        jobs: Sequence[Job] | None = None,
        lock: InstanceLock | None = None,
        standby_poll: float = STANDBY_POLL,
        mode: str = "service",
        hosted: Sequence[Hosted] = (),
    ) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.store = store
        self.interval = interval
        if jobs is None:
            reload_every = REFERENCE_RELOAD if mode == "service" else None
            jobs = default_jobs(OrderService(store), reload_reference_every=reload_every)
        self.hosted = list(hosted)
        self.jobs = Jobs([*jobs, *(Job(h.name, h.poll) for h in self.hosted)])
        self.lock = lock if lock is not None else instance_lock(store.engine)
        self.standby_poll = standby_poll
        self.mode = mode
        self.stopping = threading.Event()
        self.started_at: datetime | None = None
        self.cycles = 0

    def stop(self) -> None:
        """Ask the loop to finish its cycle and return (safe from a signal handler)."""
        self.stopping.set()

    def _beat(self, stopped: bool = False) -> None:
        now = self.store.clock.now()
        if self.started_at is None:
            self.started_at = now
        write_heartbeat(
            self.store.engine,
            Heartbeat(
                pid=os.getpid(),
                host=socket.gethostname(),
                mode=self.mode,
                started_at=self.started_at,
                beat_at=now,
                interval=self.interval,
                version=_version(),
                stopped_at=now if stopped else None,
            ),
        )

    def cycle(self) -> CycleReport:
        """Run the due jobs and beat. The desktop runner calls this off the UI thread."""
        report = self.jobs.run_due()
        try:
            self._beat()
        except Exception as exc:
            if not is_connection_error(exc):
                log.exception("writing the heartbeat failed")
            report.errors["heartbeat"] = exc
        self.cycles += 1
        return report

    def run(self, once: bool = False) -> int:
        """The command's loop. Returns the exit status."""
        standby_logged = unreachable_logged = False
        while not self.stopping.is_set():
            try:
                got = self.lock.try_acquire()
            except Exception as exc:
                if not is_connection_error(exc):
                    raise
                if not unreachable_logged:
                    log.warning("the database is unreachable (%s); retrying", exc)
                    unreachable_logged = True
                self.stopping.wait(self.standby_poll)
                continue
            unreachable_logged = False
            if not got:
                if once:
                    log.info("another service instance is active on this database; nothing done")
                    return 0
                if not standby_logged:
                    log.info(
                        "standby: another service instance holds this database's lock; "
                        "trying again every %g s",
                        self.standby_poll,
                    )
                    standby_logged = True
                self.stopping.wait(self.standby_poll)
                continue
            standby_logged = False
            log.info(
                "active (pid %d) on %s, a cycle every %g s",
                os.getpid(),
                self.store.url,
                self.interval,
            )
            self.started_at = None
            try:
                for h in self.hosted:
                    h.start()
                self._work(once)
            finally:
                self._finish()
            if once:
                break
        return 0

    def _work(self, once: bool) -> None:
        while not self.stopping.is_set():
            if not self.lock.still_held():
                log.warning("lost the service lock: work stopped; acquiring again")
                return
            report = self.cycle()
            level = logging.INFO if report.changed or report.errors else logging.DEBUG
            log.log(level, "cycle %d: %s", self.cycles, report.summary())
            if once:
                return
            self.stopping.wait(self.interval)

    def _finish(self) -> None:
        for h in self.hosted:
            try:
                h.stop()
            except Exception:
                log.exception("stopping %s failed", h.name)
        if self.lock.held:
            try:
                self._beat(stopped=True)
            except Exception as exc:
                log.warning("could not record the stop in the heartbeat: %s", exc)
        self.lock.release()
