"""Replay throughput at 600×: requests registered per second of wall time when the drill
clock is advanced as fast as the replay path (core/drill/replay.py → import_drafts →
register_bulk) takes them, for the NYC day and the two Los Angeles files.

    python -m bench.bench_replay [--db FILE.sqlite3] [--pg URL] [--orders 3000]

``--db`` is a demo county file (``main.py --db FILE demo``; at the current schema, so run
``main.py --db FILE db upgrade`` on an older one); without it a 3,000-order demo county is
built in a temporary file. ``--pg`` (or CC_TEST_DATABASE_URL) names a PostgreSQL server: a
fresh database gets the same demo (``bench_core.pg_database``) and is the template each run
copies. Every run replays into a fresh copy, so nothing is already registered.

Two ways to drive the clock, both without waiting:
- **tick 1 s**: the clock moves one drill second per ``step()`` (a UI timer's tick: ten
  minutes of the source at 600×);
- **each arrival**: the clock jumps to ``next_due_at()``, one ``step()`` per distinct
  arrival time (the worst case: NYC's times are to the minute, LA's to the second).
"Headroom" is the drill time the file takes at 600× over the wall time it took: above 1,
the path keeps up with 600×. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "replay"
FILES = (
    ("nyc311_2018-10-21_sample.csv", "nyc311.toml"),
    ("la311_2017-12-27_to_31.csv", "la311.toml"),
    ("la311_2018-01-01_to_04.csv", "la311.toml"),
)
SPEED = 600.0
MODES = ("tick 1 s", "each arrival")
Copies = Callable[[], AbstractContextManager[str]]  # a fresh copy of the county, as a URL


@dataclass
class Result:
    rows: int
    registered: int
    steps: int
    load_s: float
    wall_s: float
    drill_s: float


def replay_once(url: str, csv: Path, mapping_file: str, mode: str) -> Result:
    from core.auth import acting_user
    from core.clock import ManualClock
    from core.drill.replay import ReplayRun, load_replay
    from core.imports.mapping import load_mapping
    from core.imports.run import county_box
    from core.resources import RESOURCES
    from core.service import OrderService
    from core.store import open_store

    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    store = open_store(url, clock=clock)
    try:
        actor = acting_user(store, None)
        assert actor is not None, "the county has no duty officer"
        mapping = load_mapping(RESOURCES / "imports" / mapping_file, str(store.reference().tz))
        t0 = time.perf_counter()
        replay = load_replay(csv, mapping, county=county_box(OrderService(store)))
        load_s = time.perf_counter() - t0
        run = ReplayRun(store, actor, replay, clock, speed=SPEED)
        steps = 0
        t0 = time.perf_counter()
        run.step()
        while not run.done:
            if mode == "tick 1 s":
                clock.advance(seconds=1)
            else:
                due = run.next_due_at()
                assert due is not None
                clock.set(max(due, clock.now()))
            run.step()
            steps += 1
        wall_s = time.perf_counter() - t0
        return Result(
            len(replay.rows),
            run.progress.registered,
            steps + 1,
            load_s,
            wall_s,
            replay.span / timedelta(seconds=1) / SPEED,
        )
    finally:
        store.engine.dispose()


@contextmanager
def sqlite_county(db: str | None, orders: int) -> Iterator[Copies]:
    """Fresh copies of the county file ``db``, or of a demo county built here."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(db) if db else Path(tmp) / "demo.sqlite3"
        if not db:
            from core.demo import build_demo

            build_demo(f"sqlite:///{source}", orders=orders)

        @contextmanager
        def copy() -> Iterator[str]:
            target = Path(tmp) / "run.sqlite3"
            shutil.copy(source, target)
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            try:
                yield f"sqlite:///{target}"
            finally:
                target.unlink(missing_ok=True)

        yield copy


@contextmanager
def pg_county(server: str, orders: int) -> Iterator[Copies]:
    """A demo county in a fresh PostgreSQL database, and fresh copies of it (TEMPLATE)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bench.bench_core import pg_database
    from core.demo import build_demo

    template_url, drop = pg_database(server)
    try:
        build_demo(template_url, orders=orders)
        url = make_url(template_url)
        template, name = url.database, f"{url.database}_run"
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")

        @contextmanager
        def copy() -> Iterator[str]:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            try:
                yield url.set(database=name).render_as_string(hide_password=False)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

        try:
            yield copy
        finally:
            admin.dispose()
    finally:
        drop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--db", help="a demo county SQLite file (default: build one)")
    p.add_argument("--pg", default=os.environ.get("CC_TEST_DATABASE_URL"))
    p.add_argument("--orders", type=int, default=3000, help="orders of a demo built here")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    missing = [f for f, _m in FILES if not (DATA / f).exists()]
    if missing:
        print(f"shared data not present in {DATA}: {', '.join(missing)}", file=sys.stderr)
        return 2
    backends: list[tuple[str, Callable[[], AbstractContextManager[Copies]]]] = [
        ("SQLite", lambda: sqlite_county(args.db, args.orders))
    ]
    if args.pg:
        backends.append(("PostgreSQL", lambda: pg_county(args.pg, args.orders)))
    county = args.db or f"a {args.orders:,}-order demo county built here"
    print(f"replay at {SPEED:.0f}×, clock advanced without waiting, into a fresh copy of {county}")
    print()
    print(
        "| file | backend | clock | rows | registered | steps | load s | replay s "
        "| registered/s | drill time at 600× | headroom |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for backend, make in backends:
        with make() as copies:
            for csv, mapping in FILES:
                for mode in MODES:
                    with copies() as url:
                        r = replay_once(url, DATA / csv, mapping, mode)
                    print(
                        f"| {csv} | {backend} | {mode} | {r.rows:,} | {r.registered:,} | "
                        f"{r.steps:,} | {r.load_s:.2f} | {r.wall_s:.2f} | "
                        f"{r.registered / r.wall_s:,.0f} | {r.drill_s:,.0f} s | "
                        f"{r.drill_s / r.wall_s:,.1f}× |",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
