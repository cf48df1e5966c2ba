"""The live event stream: another process's events arrive in commit order, none lost,
none twice, across a killed connection and out-of-order commits, on both backends."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from core.storage.db import create_db_engine
from core.stream import GapTracker, Link, LinkState, StreamEvent, Subscription, newest_id

ROOT = Path(__file__).resolve().parents[2]


def run_writer(url: str, events: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.stream_writer", url, str(events)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def writer_ids(proc: subprocess.Popen[str]) -> list[int]:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return [int(i) for i in json.loads(out)]


class Collector:
    def __init__(self) -> None:
        self.events: list[StreamEvent] = []
        self.links: list[Link] = []
        self.lock = threading.Lock()

    def deliver(self, batch: list[StreamEvent]) -> None:
        with self.lock:
            self.events.extend(batch)

    def report(self, link: Link) -> None:
        self.links.append(link)

    def ids(self) -> list[int]:
        with self.lock:
            return [e.id for e in self.events]

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.ids()) < count and time.monotonic() < deadline:
            time.sleep(0.02)


def subscribe(url: str, **kw: float) -> tuple[Subscription, Collector, threading.Thread]:
    engine = create_db_engine(url)
    with engine.connect() as conn:
        start = newest_id(conn)
    engine.dispose()
    got = Collector()
    sub = Subscription(url, start, got.deliver, got.report, **kw)
    return sub, got, sub.start_thread()


def stop(sub: Subscription, thread: threading.Thread) -> None:
    sub.stop()
    thread.join(10)
    assert not thread.is_alive()


def test_another_process_s_1000_transitions_arrive_in_order(fresh_db: Callable[[], str]) -> None:
    url = fresh_db()
    sub, got, thread = subscribe(url)
    start = sub.delivered
    written = writer_ids(run_writer(url, 1000))
    got.wait_for(len(written))
    stop(sub, thread)
    assert len(written) >= 1000
    ids = got.ids()
    assert ids == written == list(range(start + 1, start + len(written) + 1))
    assert got.links[-1].state is LinkState.LIVE


@pytest.mark.postgres
def test_both_backends_deliver_the_identical_sequence(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    import shutil

    sqlite_path, _ = request.getfixturevalue("sqlite_template")
    target = tmp_path / "same.sqlite3"
    shutil.copyfile(sqlite_path, target)
    server = request.getfixturevalue("pg_server")
    tpl, _ = request.getfixturevalue("pg_template")
    name = f"{server.prefix}_same"
    pg_url = server.create(name, template=tpl)
    try:
        sequences = []
        for url in (f"sqlite:///{target}", pg_url):
            sub, got, thread = subscribe(url)
            written = writer_ids(run_writer(url, 150))
            got.wait_for(len(written))
            stop(sub, thread)
            sequences.append(
                [(e.kind, e.order_version, e.from_state, e.to_state) for e in got.events]
            )
        assert len(sequences[0]) >= 150
        assert sequences[0] == sequences[1]
    finally:
        server.drop(name)


@pytest.mark.postgres
def test_a_killed_listener_connection_catches_up(db_url: str, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    sub, got, thread = subscribe(db_url)
    start = sub.delivered
    proc = run_writer(db_url, 600)
    admin = create_db_engine(db_url)
    kills = 0
    while proc.poll() is None and kills < 3:
        time.sleep(0.3)
        pid = sub._dbapi.info.backend_pid if sub._dbapi is not None else None
        if pid is None:
            continue
        with admin.connect() as conn:
            killed = conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        kills += bool(killed)
    written = writer_ids(proc)
    got.wait_for(len(written))
    stop(sub, thread)
    admin.dispose()
    assert kills >= 1 and sub.reconnects >= 1
    assert got.ids() == written == list(range(start + 1, start + len(written) + 1))
    downs = [link for link in got.links if link.state is LinkState.DOWN]
    # each reconnect succeeded, so each new outage starts the backoff afresh
    assert downs and all(link.retry_in == 0.2 for link in downs)
    assert got.links[-1].state is LinkState.LIVE


def _insert_event(conn: object, event_id: int) -> None:
    conn.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO events (id, kind, format, at, overdue, payload) "
            "VALUES (:id, 'test', 1, :at, false, '{}')"
        ),
        {"id": event_id, "at": datetime.now(UTC).replace(tzinfo=None)},
    )


@pytest.mark.postgres
def test_a_lower_id_committed_last_is_still_delivered_first(db_url: str, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("SQLite has one writer at a time: ids cannot commit out of order")
    sub, got, thread = subscribe(db_url)
    start = sub.delivered
    engine = create_db_engine(db_url)
    slow = engine.connect()
    slow_tx = slow.begin()
    _insert_event(slow, start + 1)  # the lower id, not yet committed
    with engine.begin() as fast:
        _insert_event(fast, start + 2)
        fast.execute(text("UPDATE counters SET value = :v WHERE name = 'events'"), {"v": start + 2})
    time.sleep(1.5)  # a hint and a confirmation later: the higher id must be held back
    assert got.ids() == []
    slow_tx.commit()
    slow.close()
    got.wait_for(2, timeout=10)
    stop(sub, thread)
    engine.dispose()
    assert got.ids() == [start + 1, start + 2]
    assert sub.gaps.lost == []


def test_a_hole_that_never_fills_is_reported_lost_and_stepped_over(db_url: str) -> None:
    sub, got, thread = subscribe(db_url, gap_timeout=0.5, poll_interval=0.05)
    start = sub.delivered
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        _insert_event(conn, start + 2)
        conn.execute(text("UPDATE counters SET value = :v WHERE name = 'events'"), {"v": start + 2})
    got.wait_for(1, timeout=10)
    stop(sub, thread)
    engine.dispose()
    assert got.ids() == [start + 2]
    assert sub.gaps.lost == [start + 1]


def test_gap_tracker_holds_back_until_the_timeout() -> None:
    now = [0.0]
    tracker = GapTracker(5.0, clock=lambda: now[0])

    def ev(i: int) -> StreamEvent:
        return StreamEvent(
            i, None, None, "test", datetime(2026, 1, 1, tzinfo=UTC), None, None, None
        )

    assert tracker.take(0, [ev(1), ev(2), ev(4)]) == ([ev(1), ev(2)], True)
    assert tracker.take(2, [ev(4)]) == ([], True)
    now[0] = 4.9
    assert tracker.take(2, [ev(4)]) == ([], True)
    assert tracker.take(2, [ev(3), ev(4)]) == ([ev(3), ev(4)], False)
    assert tracker.lost == []
    now[0] = 10.0
    assert tracker.take(4, [ev(6)]) == ([], True)  # a new hole at 5: its clock starts
    now[0] = 14.9
    assert tracker.take(4, [ev(6)]) == ([], True)
    now[0] = 15.1
    assert tracker.take(4, [ev(6), ev(7)]) == ([ev(6), ev(7)], False)
    assert tracker.lost == [5]


def test_an_unreachable_database_reports_down_and_retries(tmp_path: Path) -> None:
    got = Collector()
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"
    sub = Subscription(url, 0, got.deliver, got.report)
    thread = sub.start_thread()
    deadline = time.monotonic() + 10
    while sub.reconnects < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    stop(sub, thread)
    downs = [link for link in got.links if link.state is LinkState.DOWN]
    assert len(downs) >= 2
    assert downs[0].retry_in == 0.2 and downs[1].retry_in == 0.5
    assert downs[0].error and "OperationalError" in downs[0].error
