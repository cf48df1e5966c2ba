"""The live event stream: commit-to-delivery latency between two processes, the raw
NOTIFY round trip as its floor, events per second into a Qt model with a 10 ms heartbeat
timer's worst lateness, and intake save latency with 10 concurrent writer processes.

    .venv/bin/python -m bench.bench_stream [--pg URL] [--events N] [--writers W]

SQLite runs on a fresh file; PostgreSQL on a fresh database of the server named by --pg
or CC_TEST_DATABASE_URL (PostgreSQL-only rows are skipped without one). Prints a table.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.bench_core import pct, pg_database, prepare
from core.stream import StreamEvent, Subscription, newest_id
from tests.core.test_smoke_loop import draft

ROOT = Path(__file__).resolve().parents[1]


# --- child processes -------------------------------------------------------------------


def child_writer(url: str, n: int, rate: float, out: str) -> None:
    """Register ``n`` orders at ``rate`` per second; write each event's commit time."""
    from sqlalchemy import select

    from core.auth import load_actor
    from core.service import OrderService
    from core.storage.schema import users
    from core.store import open_store

    svc = OrderService(open_store(url))
    with svc.store.engine.connect() as conn:
        uid = conn.execute(select(users.c.id).where(users.c.username == "duty")).scalar_one()
        duty = load_actor(conn, uid)
    committed: dict[int, float] = {}
    start = time.perf_counter()
    for i in range(n):
        wait = start + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        res = svc.register(duty, draft())
        at = time.time()
        for event_id in res.event_ids:
            committed[int(event_id)] = at
    Path(out).write_text(json.dumps(committed))


def child_intake(url: str, n: int, start_at: float, rate: float, out: str) -> None:
    """Wait for the common start, then register ``n`` orders at random moments, ``rate``
    per second on average (0: back to back); write each save's milliseconds."""
    from sqlalchemy import select

    from core.auth import load_actor
    from core.service import OrderService
    from core.storage.schema import users
    from core.store import open_store

    svc = OrderService(open_store(url))
    with svc.store.engine.connect() as conn:
        uid = conn.execute(select(users.c.id).where(users.c.username == "duty")).scalar_one()
        duty = load_actor(conn, uid)
    svc.register(duty, draft())  # warm the connection and the reference data
    time.sleep(max(0.0, start_at - time.time()))
    took: list[float] = []
    rng = random.Random(out)  # independent callers: Poisson arrivals, not a common beat
    due = time.perf_counter()
    for _ in range(n):
        if rate > 0:
            due += rng.expovariate(rate)
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
        t0 = time.perf_counter()
        svc.register(duty, draft())
        took.append((time.perf_counter() - t0) * 1000)
    Path(out).write_text(json.dumps(took))


def child_backlog(url: str, n: int) -> None:
    from sqlalchemy import select

    from core.auth import load_actor
    from core.service import OrderService
    from core.storage.schema import users
    from core.store import open_store

    svc = OrderService(open_store(url))
    with svc.store.engine.connect() as conn:
        uid = conn.execute(select(users.c.id).where(users.c.username == "duty")).scalar_one()
        duty = load_actor(conn, uid)
    svc.register_many(duty, [draft() for _ in range(n)])


def spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bench.bench_stream", *args], cwd=ROOT)


# --- measures --------------------------------------------------------------------------


def delivery(url: str, n: int, rate: float, tmp: Path) -> dict[str, float]:
    """Process A registers orders; this process (B) subscribes. Latency per event."""
    from core.storage.db import create_db_engine

    engine = create_db_engine(url)
    with engine.connect() as conn:
        start = newest_id(conn)
    engine.dispose()
    delivered: dict[int, float] = {}

    def deliver(batch: list[StreamEvent]) -> None:
        now = time.time()
        for ev in batch:
            delivered[ev.id] = now

    sub = Subscription(url, start, deliver)
    thread = sub.start_thread()
    time.sleep(0.5)  # connected and listening
    out = tmp / f"commits-{os.getpid()}-{time.monotonic_ns()}.json"
    spawn("writer", url, str(n), str(rate), str(out)).wait()
    committed = {int(k): v for k, v in json.loads(out.read_text()).items()}
    deadline = time.monotonic() + 10
    while len(delivered) < len(committed) and time.monotonic() < deadline:
        time.sleep(0.01)
    sub.stop()
    thread.join(5)
    assert sorted(delivered) == sorted(committed), "events lost or extra"
    lat = [(delivered[i] - committed[i]) * 1000 for i in committed]
    return {"p50": pct(lat, 50), "p99": pct(lat, 99), "n": len(lat)}


def notify_floor(url: str, n: int) -> dict[str, float]:
    """The raw NOTIFY round trip between two connections, measured in the same run."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    listener = psycopg.connect(dsn, autocommit=True)
    sender = psycopg.connect(dsn, autocommit=True)
    listener.execute("LISTEN bench_floor")
    lat: list[float] = []

    def listen() -> None:
        for note in listener.notifies(timeout=30, stop_after=n):
            lat.append((time.perf_counter() - float(note.payload)) * 1000)

    thread = threading.Thread(target=listen)
    thread.start()
    time.sleep(0.2)
    for _ in range(n):
        sender.execute("SELECT pg_notify('bench_floor', %s)", (repr(time.perf_counter()),))
        time.sleep(0.005)
    thread.join(30)
    listener.close()
    sender.close()
    return {"p50": pct(lat, 50), "p99": pct(lat, 99), "n": len(lat)}


def ui_rate(url: str, events: int) -> dict[str, float]:
    """A backlog of events delivered through the hub into a Qt table model, while a 10 ms
    heartbeat timer measures how late the UI thread answers."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QAbstractTableModel, QElapsedTimer, QModelIndex, QTimer
    from PySide6.QtWidgets import QApplication

    from core.store import open_store
    from desktop.hub import ChangeHub

    store = open_store(url)
    with store.engine.connect() as conn:
        start = newest_id(conn)
    # Another process writes the backlog, as other workstations would.
    spawn("backlog", url, str(events)).wait()

    class EventModel(QAbstractTableModel):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[StreamEvent] = []

        def rowCount(self, parent: object = QModelIndex()) -> int:
            return len(self.rows)

        def columnCount(self, parent: object = QModelIndex()) -> int:
            return 3

        def data(self, index: object, role: int = 0) -> object:
            return None

        def take(self, batch: list[StreamEvent]) -> None:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
            self.rows.extend(batch)
            self.endInsertRows()

    app = QApplication.instance() or QApplication([])
    model = EventModel()
    hub = ChangeHub.for_store(store, start)
    gc.collect()
    gc.freeze()  # as the workstation does once it is up (desktop/app.py)
    hub.events_did_arrive.connect(model.take)
    worst = [0.0]
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setInterval(10)

    def beat() -> None:
        late = clock.restart() - 10
        worst[0] = max(worst[0], float(late))

    heartbeat.timeout.connect(beat)
    clock.start()
    heartbeat.start()
    t0 = time.perf_counter()
    hub.start()
    while len(model.rows) < events and time.perf_counter() - t0 < 120:
        app.processEvents()
        time.sleep(0.001)
    took = time.perf_counter() - t0
    hub.stop()
    heartbeat.stop()
    store.engine.dispose()
    gc.unfreeze()
    return {"events/s": len(model.rows) / took, "heartbeat worst ms": worst[0]}


def intake_concurrent(url: str, writers: int, per: int, rate: float, tmp: Path) -> dict[str, float]:
    start_at = time.time() + 3.0
    outs = [tmp / f"intake-{rate}-{i}.json" for i in range(writers)]
    procs = [spawn("intake", url, str(per), repr(start_at), str(rate), str(o)) for o in outs]
    for p in procs:
        p.wait()
    took = [ms for o in outs for ms in json.loads(o.read_text())]
    return {"p50": pct(took, 50), "p99": pct(took, 99), "n": len(took)}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "writer":
        child_writer(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "backlog":
        child_backlog(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "intake":
        child_intake(
            sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
        )
        return
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", default=os.environ.get("CC_TEST_DATABASE_URL"))
    ap.add_argument("--events", type=int, default=300, help="events for the latency runs")
    ap.add_argument("--rate", type=float, default=20.0, help="writes per second, process A")
    ap.add_argument("--ui-events", type=int, default=20000)
    ap.add_argument("--writers", type=int, default=10)
    ap.add_argument("--per-writer", type=int, default=100)
    ap.add_argument(
        "--writer-rate", type=float, default=5.0, help="saves per second per writer process"
    )
    args = ap.parse_args()
    rows: list[tuple[str, str, str, str]] = []  # measure, SQLite, PostgreSQL, target

    def fmt(d: dict[str, float] | None, *keys: str) -> str:
        return "—" if d is None else " / ".join(f"{d[k]:,.1f}" for k in keys)

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        sq_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        prepare(sq_url)[0].store.engine.dispose()
        sq_del = delivery(sq_url, args.events, args.rate, tmp)
        sq_ui = ui_rate(sq_url, args.ui_events)
        pg_del = pg_floor = pg_ui = pg_intake = pg_flood = None
        if args.pg:
            url, drop = pg_database(args.pg)
            try:
                prepare(url)[0].store.engine.dispose()
                pg_floor = notify_floor(url, args.events)
                pg_del = delivery(url, args.events, args.rate, tmp)
                pg_ui = ui_rate(url, args.ui_events)
                pg_intake = intake_concurrent(
                    url, args.writers, args.per_writer, args.writer_rate, tmp
                )
                pg_flood = intake_concurrent(url, args.writers, args.per_writer, 0, tmp)
            finally:
                drop()
    rows.append(("raw NOTIFY round trip p50 / p99, ms", "—", fmt(pg_floor, "p50", "p99"), "floor"))
    rows.append(
        (
            f"commit→delivery A→B p50 / p99, ms ({args.events} events)",
            fmt(sq_del, "p50", "p99"),
            fmt(pg_del, "p50", "p99"),
            "PG < 50, SQLite < 500 (p99)",
        )
    )
    rows.append(
        (
            f"events delivered into a Qt model, per s ({args.ui_events:,})",
            fmt(sq_ui, "events/s"),
            fmt(pg_ui, "events/s"),
            "≥ 2,000",
        )
    )
    rows.append(
        (
            "10 ms heartbeat, worst lateness, ms",
            fmt(sq_ui, "heartbeat worst ms"),
            fmt(pg_ui, "heartbeat worst ms"),
            "< 50",
        )
    )
    rows.append(
        (
            f"intake save p50 / p99, ms ({args.writers} writers × {args.writer_rate:g}/s)",
            "—",
            fmt(pg_intake, "p50", "p99"),
            "p99 < 300",
        )
    )
    rows.append(
        (
            f"intake save p50 / p99, ms ({args.writers} writers back to back)",
            "—",
            fmt(pg_flood, "p50", "p99"),
            "(saturation)",
        )
    )
    widths = [
        max(len(r[i]) for r in [*rows, ("measure", "SQLite", "PostgreSQL", "target")])
        for i in range(4)
    ]
    head = ("measure", "SQLite", "PostgreSQL", "target")
    print(" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
