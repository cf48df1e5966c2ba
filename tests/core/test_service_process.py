"""The service process: 临期/超期 marks as the clock passes deadlines, expired unreachable
visits closed per policy, the heartbeat, one instance per PostgreSQL database, the CLI."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

import main
from core.clock import ManualClock
from core.deadlines import EndRule, LimitUnit
from core.domain.actor import Actor
from core.domain.enums import LimitKind
from core.domain.events import EventKind
from core.errors import ValidationError
from core.policy import VisitWindow, parse_policy_document
from core.resources import TIME_LIMIT_POLICY
from core.service import OrderService
from core.service_process import (
    Job,
    Jobs,
    ServiceProcess,
    default_jobs,
    read_heartbeat,
    service_status,
)
from core.storage.db import create_db_engine, write_tx
from core.storage.schema import events
from core.storage.seed import import_policy_file
from core.store import Store
from tests.core.conftest import sh
from tests.core.county import County
from tests.core.test_smoke_loop import draft

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def process(store: Store) -> ServiceProcess:
    return ServiceProcess(store, interval=1)


def marks(svc: OrderService, oid: int) -> list[tuple[str, int, int | None]]:
    """(kind, limit id, actor) of every 临期/超期 event of an order, in order."""
    with svc.store.engine.connect() as conn:
        rows = conn.execute(
            select(events.c.kind, events.c.payload, events.c.actor_user_id)
            .where(
                events.c.order_id == oid,
                events.c.kind.in_([EventKind.LIMIT_WARNED, EventKind.LIMIT_OVERDUE]),
            )
            .order_by(events.c.id)
        ).all()
    return [(r.kind, r.payload["limit"], r.actor_user_id) for r in rows]


def resolve_limit(svc: OrderService, actor: Actor, oid: int) -> tuple[int, datetime, datetime]:
    lim = [x for x in svc.load(actor, oid).limits if x.kind == LimitKind.RESOLVE][-1]
    return lim.id, lim.warn_at, lim.due_at


# --- 临期 / 超期 ----------------------------------------------------------------------------


def test_warning_then_overdue_exactly_once(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, process: ServiceProcess
) -> None:
    oid = svc.register(actors["duty"], draft()).order_id
    lim, warn, due = resolve_limit(svc, actors["duty"], oid)
    assert process.cycle().counts["time_conditions"] == 0  # nothing has crossed yet

    clock.set(warn + timedelta(minutes=1))
    assert process.cycle().counts["time_conditions"] >= 1
    assert (EventKind.LIMIT_WARNED, lim, None) in marks(svc, oid)
    assert (EventKind.LIMIT_OVERDUE, lim, None) not in marks(svc, oid)  # warned, not late

    clock.set(due + timedelta(minutes=1))
    process.cycle()
    got = marks(svc, oid)
    mine = [k for k, limit_id, _ in got if limit_id == lim]
    assert mine == [EventKind.LIMIT_WARNED, EventKind.LIMIT_OVERDUE]
    assert all(actor is None for _, _, actor in got)  # the system wrote them

    for _ in range(3):  # idempotent across cycles
        clock.advance(hours=1)
        assert process.cycle().counts["time_conditions"] == 0
    assert marks(svc, oid) == got
    assert svc.load(actors["duty"], oid).order.state == "registered"  # conditions, not states


def test_one_cycle_works_through_every_batch(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, store: Store
) -> None:
    batch = svc.register_many(actors["duty"], [draft() for _ in range(7)])
    _, _, due = resolve_limit(svc, actors["duty"], batch.registered[0])
    clock.set(due + timedelta(minutes=1))
    report = Jobs(default_jobs(svc, batch=2)).run_due()
    assert report.counts["time_conditions"] == 7 * 4  # handout + resolve, warned and overdue
    assert all(len(marks(svc, oid)) == 4 for oid in batch.registered)
    assert Jobs(default_jobs(svc, batch=2)).run_due().counts["time_conditions"] == 0


def test_a_paused_limit_is_not_marked(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    process: ServiceProcess,
) -> None:
    oid = svc.register(actors["duty"], draft()).order_id
    hop = svc.dispatch(actors["dispatcher"], oid, county.units["town1"]).value[0]
    svc.accept(actors["h_town1"], oid, hop)
    svc.request_pause(actors["h_town1"], oid, "等待法院判决")
    svc.decide_pause(actors["supervisor"], oid, True)
    lim, _, due = resolve_limit(svc, actors["duty"], oid)
    clock.set(due + timedelta(days=3))
    assert process.cycle().counts["time_conditions"] == 0
    assert [m for m in marks(svc, oid) if m[1] == lim] == []


def test_a_failing_job_does_not_stop_the_others() -> None:
    ran: list[str] = []

    def boom() -> int:
        raise RuntimeError("boom")

    def ok() -> int:
        ran.append("ok")
        return 2

    report = Jobs([Job("boom", boom), Job("ok", ok)]).run_due()
    assert report.counts == {"ok": 2} and isinstance(report.errors["boom"], RuntimeError)
    assert ran == ["ok"]


def test_jobs_run_at_their_own_pace() -> None:
    now = [0.0]
    runs: list[str] = []
    jobs = Jobs(
        [Job("fast", lambda: runs.append("fast") or 0), Job("slow", lambda: 0, every=10)],
        monotonic=lambda: now[0],
    )
    assert set(jobs.run_due().counts) == {"fast", "slow"}
    now[0] = 5
    assert set(jobs.run_due().counts) == {"fast"}
    now[0] = 10
    assert set(jobs.run_due().counts) == {"fast", "slow"}


# --- unreachable return visits -------------------------------------------------------------


def pending_visit(svc: OrderService, actors: dict[str, Actor], county: County) -> int:
    oid = svc.register(actors["duty"], draft()).order_id
    hop = svc.dispatch(actors["dispatcher"], oid, county.units["town1"]).value[0]
    svc.accept(actors["h_town1"], oid, hop)
    svc.submit_result(actors["h_town1"], oid, hop, "已修复")
    svc.review(actors["supervisor"], oid, True)
    return oid


def visit_events(svc: OrderService, oid: int) -> list[tuple[str, int | None, str | None]]:
    with svc.store.engine.connect() as conn:
        rows = conn.execute(
            select(events.c.kind, events.c.actor_user_id, events.c.to_state)
            .where(events.c.order_id == oid, events.c.kind.like("visit%"))
            .order_by(events.c.id)
        ).all()
    return [(r.kind, r.actor_user_id, r.to_state) for r in rows]


def test_an_expired_unreachable_visit_is_closed(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    process: ServiceProcess,
) -> None:
    clock.set(sh(2025, 3, 7, 10, 0))  # a Friday: the window is 3 *working* days
    oid = pending_visit(svc, actors, county)
    never_called = pending_visit(svc, actors, county)
    svc.visit(actors["supervisor"], oid, "unreachable")
    clock.set(sh(2025, 3, 11, 23, 0))  # 4½ natural days, 2½ working days
    assert process.cycle().counts["expired_visits"] == 0
    assert svc.load(actors["duty"], oid).order.state == "pending_visit"

    clock.set(sh(2025, 3, 12, 10, 1))  # Wednesday, past Friday + 3 working days
    assert process.cycle().counts["expired_visits"] == 1
    o = svc.load(actors["duty"], oid).order
    assert (o.state, o.visit_result, o.visit_attempts) == ("closed", "unreachable", 1)
    assert o.closed_at == clock.now()
    assert visit_events(svc, oid) == [
        (EventKind.VISIT_RECORDED, actors["supervisor"].user_id, "pending_visit"),
        (EventKind.VISIT_EXPIRED, None, "closed"),
    ]
    # nobody called the other one: it waits for the supervisor
    assert svc.load(actors["duty"], never_called).order.state == "pending_visit"
    clock.advance(days=30)
    assert process.cycle().counts["expired_visits"] == 0


def test_a_keep_policy_leaves_it_waiting(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    process: ServiceProcess,
    tmp_path: Path,
) -> None:
    text = TIME_LIMIT_POLICY.read_text(encoding="utf-8")
    keep = (
        text.replace('id = "2025.1"', 'id = "2025.3"')
        .replace(
            "effective_from = 2025-01-01T00:00:00+08:00",
            "effective_from = 2025-03-01T00:00:00+08:00",
        )
        .replace('visit_expired = "close"', 'visit_expired = "keep"')
    )
    assert 'visit_expired = "keep"' in keep
    path = tmp_path / "policy.toml"
    path.write_text(keep, encoding="utf-8")
    with write_tx(svc.store.engine) as conn:
        assert import_policy_file(conn, path, datetime.now(UTC)) == 1
    svc.store.reload_reference()
    oid = pending_visit(svc, actors, county)
    svc.visit(actors["supervisor"], oid, "unreachable")
    clock.advance(days=30)
    assert process.cycle().counts["expired_visits"] == 0
    assert svc.load(actors["duty"], oid).order.state == "pending_visit"


def test_visit_settings_parse_with_defaults_and_are_checked() -> None:
    doc = {"version": [{"id": "old", "effective_from": "2025-01-01T00:00:00+08:00", "rule": []}]}
    rules = [
        {
            "id": k,
            "limit": k,
            "start": "registration",
            "amount": 1,
            "unit": "hours",
            "end": "same_time",
        }
        for k in ("handout", "resolve", "accept", "assist")
    ]
    doc["version"][0]["rule"] = rules
    (old,) = parse_policy_document(doc)  # written before the visit settings existed
    assert (old.visit_window, old.visit_expired) == (VisitWindow(), "close")
    assert old.visit_window.amount == 3 and old.visit_window.unit == "working_days"

    doc["version"][0].update(visit_window={"amount": 12, "unit": "hours"}, visit_expired="keep")
    (new,) = parse_policy_document(doc)
    assert new.visit_window == VisitWindow(12, LimitUnit.HOURS, EndRule.SAME_TIME)
    assert new.visit_expired == "keep"

    doc["version"][0].update(
        visit_window={"amount": 0, "unit": "weeks", "colour": 1}, visit_expired="maybe"
    )
    with pytest.raises(ValidationError) as err:
        parse_policy_document(doc)
    assert set(err.value.fields()) >= {
        "version[0].visit_window.amount",
        "version[0].visit_window.unit",
        "version[0].visit_window.colour",
        "version[0].visit_expired",
    }


# --- heartbeat ---------------------------------------------------------------------------


def test_heartbeat_says_whether_a_service_runs(
    store: Store, clock: ManualClock, process: ServiceProcess
) -> None:
    assert not service_status(store.engine, now=clock.now()).alive  # none ever ran
    process.cycle()
    beat = read_heartbeat(store.engine)
    assert beat is not None and beat.pid == os.getpid() and beat.beat_at == clock.now()
    assert service_status(store.engine, now=clock.now() + timedelta(seconds=30)).alive
    assert not service_status(store.engine, now=clock.now() + timedelta(minutes=5)).alive
    assert not service_status(
        store.engine, now=clock.now() + timedelta(seconds=30), stale_after=timedelta(seconds=10)
    ).alive

    assert process.run(once=True) == 0  # takes the lock, one cycle, says it stopped
    beat = read_heartbeat(store.engine)
    assert beat is not None and beat.stopped_at is not None
    assert not service_status(store.engine, now=clock.now()).alive


# --- the command ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "nan"])
def test_a_bad_interval_is_refused(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main.main(["--db", "unused.sqlite3", "service", "--interval", bad])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--interval" in err and ("more than 0" in err or "number of seconds" in err)


def test_once_runs_one_cycle(db_url: str, backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["--db", db_url, "service", "--once", "--verbose"]) == 0
    assert "cycle 1: time_conditions=0 expired_visits=0" in capsys.readouterr().err
    engine = create_db_engine(db_url)
    try:
        beat = read_heartbeat(engine)
        assert beat is not None and beat.pid == os.getpid() and beat.stopped_at is not None
    finally:
        engine.dispose()


# --- one instance per PostgreSQL database -------------------------------------------------


def wait_for(what: str, check: Callable[[], bool], seconds: float) -> float:
    """Poll ``check`` until it holds; returns how long it took."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)
    return time.monotonic() - start


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[[str], tuple[subprocess.Popen[bytes], Path]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(url: str) -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"service{len(started)}.log"
        with log.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "main.py", "--db", url, "service", "--interval", "0.2"],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        started.append(proc)
        return proc, log

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_standby_instance_takes_over(
    db_url: str, spawn: Callable[[str], tuple[subprocess.Popen[bytes], Path]]
) -> None:
    engine = create_db_engine(db_url)

    def beating(pid: int) -> bool:
        beat = read_heartbeat(engine)
        return beat is not None and beat.pid == pid and beat.stopped_at is None

    try:
        first, _ = spawn(db_url)
        wait_for("the first instance to beat", lambda: beating(first.pid), 30)
        second, second_log = spawn(db_url)
        wait_for("the second to stand by", lambda: b"standby" in second_log.read_bytes(), 30)
        time.sleep(0.5)  # a few of the first's cycles: the second stays on standby
        assert beating(first.pid) and second.poll() is None

        first.kill()  # kill -9: no clean-up, the server drops its session and lock
        first.wait(timeout=10)
        took = wait_for("the second to take over", lambda: beating(second.pid), 10)
        assert took < 5

        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=10) == 0
        beat = read_heartbeat(engine)
        assert beat is not None and beat.pid == second.pid and beat.stopped_at is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_lost_lock_connection_stops_the_work_until_it_is_taken_again(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    process = ServiceProcess(store, interval=0.05, standby_poll=0.05)
    lock_query = text(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )

    def lock_pid() -> int | None:
        with store.engine.connect() as conn:
            return conn.execute(lock_query).scalar()

    caplog.set_level(logging.INFO, logger="core.service_process")
    worker = threading.Thread(target=process.run, daemon=True)
    worker.start()
    try:
        wait_for("the lock", lambda: lock_pid() is not None and process.cycles > 0, 10)
        first = lock_pid()
        with store.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
        wait_for("the lock again", lambda: lock_pid() not in (None, first), 10)
        assert "lost the service lock" in caplog.text
        cycles = process.cycles
        wait_for("cycles after taking it again", lambda: process.cycles > cycles + 1, 10)
    finally:
        process.stop()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert lock_pid() is None  # released on the way out


def test_policy_show_prints_the_visit_settings(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from main import main

    assert main(["--db", db_url, "policy", "show"]) == 0
    out = capsys.readouterr().out
    assert "window 3 working_days (same_time), then close" in out
    assert "3 unreachable calls close it" in out
