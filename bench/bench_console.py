"""The trainer's console under a load-test replay: what it reads on every change once a
whole real day is in a drill.

    python -m bench.bench_console [--db LIVE.sqlite3] [--pg URL] [--orders 3000]

A drill database is made from a demo county (``drill create``: the organisation, no orders),
the NYC day is replayed into it unthinned at 600× (6,577 requests; the clock is jumped, not
waited for), then the console's re-read (``desktop.views.drill_console.read_view`` for a
replay: the scores, the latest 200 arrivals, the ledger) is timed, median of 5. A trainee
drill thinned to a county's 160 a day holds a fortieth of that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NYC = ROOT.parent / "shared" / "data" / "replay" / "nyc311_2018-10-21_sample.csv"


def measure(live: str, drill: str) -> tuple[int, float, float, float]:
    """Registered orders, the replay's seconds, and the re-read's median and max in ms."""
    from core.auth import acting_user
    from core.drill.console import DrillRun, arrivals
    from core.drill.database import create_drill_database, drop_drill_database
    from core.drill.inject import fired_times, stopped_at
    from core.drill.scoring import score_drill
    from core.resources import RESOURCES
    from core.store import open_store

    create_drill_database(live, drill, name="bench")
    store = open_store(drill)
    try:
        actor = acting_user(store, None)
        assert actor is not None, "the county has no duty officer"
        mapping = RESOURCES / "imports" / "nyc311.toml"
        run = DrillRun.of_replay(store, NYC, mapping, actor, speed=600)
        t0 = time.perf_counter()
        run.jump(run.status().span)
        replay_s = time.perf_counter() - t0
        took = []
        for _ in range(5):
            t0 = time.perf_counter()
            score_drill(store, None)
            arrivals(store, 200)
            fired_times(store)
            stopped_at(store)
            took.append((time.perf_counter() - t0) * 1000)
        return run.status().registered, replay_s, statistics.median(took), max(took)
    finally:
        store.engine.dispose()
        drop_drill_database(drill)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", help="a demo county SQLite file (default: build one)")
    p.add_argument("--pg", default=os.environ.get("CC_TEST_DATABASE_URL"))
    p.add_argument("--orders", type=int, default=3000)
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    if not NYC.exists():
        print(f"shared data not present: {NYC}", file=sys.stderr)
        return 2
    from core.demo import build_demo

    print("| backend | registered | replay s | console re-read ms, median / max |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        live = args.db
        if live is None:
            live = str(Path(tmp) / "county.sqlite3")
            build_demo(f"sqlite:///{live}", orders=args.orders)
        targets = [("SQLite", f"sqlite:///{live}", f"sqlite:///{Path(tmp) / 'drill.sqlite3'}")]
        if args.pg:
            base = args.pg.rsplit("/", 1)[0]
            targets.append(("PostgreSQL", f"sqlite:///{live}", f"{base}/cc_bench_console"))
        for name, source, drill in targets:
            n, replay_s, med, top = measure(source, drill)
            print(f"| {name} | {n:,} | {replay_s:.1f} | {med:.0f} / {top:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
