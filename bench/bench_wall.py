"""The wall's reads (一屏全域) on a big county: live and as of a past moment.

    python -m bench.bench_wall [--db URL ...] [--repeat 5]

``--db`` (repeatable) defaults to /tmp/cc_1m.sqlite, built with ``python -m bench.big_county``
when it is missing (as bench_workstation does); give a PostgreSQL URL built the same way
(``big_county --pg URL``) for the other backend. The store's clock is set a minute after
the database's latest event (the demo's present), so "live" reads the demo's open work.

Three moments: live; yesterday 14:00 local time; 30 days before that. For each, three
pages: the whole county, the busiest town, and the disputes theme (limit classes
simple_dispute and hard_dispute). Each read runs once untimed ("first", on a fresh
connection pool: what a time-travel jump costs) and then ``--repeat`` times:

- ``read_figures``: every tile in one snapshot;
- ``read_rates``: the month's rates and the unit ranking (core.analytics);
- both, the wall's cost of showing a past moment (target: under 3 s at 1,000,000 orders).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bench.bench_workstation import DEFAULT_DB, ROOT, ensure_db, ms

TARGET_S = 3.0


def _times(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return first, out


def _fmt(first: float, rest: list[float]) -> str:
    return f"{ms(first)} / {ms(statistics.median(rest))} / {ms(max(rest))}"


def run(url: str, repeat: int) -> list[tuple[str, str, str, str, str]]:
    from core.clock import ManualClock
    from core.storage.db import create_db_engine
    from core.storage.schema import events, orders
    from core.store import open_store
    from core.wall.config import towns_of
    from core.wall.figures import read_figures, read_rates
    from core.wall.model import Scope

    probe = create_db_engine(url)
    with probe.connect() as conn:
        n = conn.execute(select(func.count()).select_from(orders)).scalar_one()
        last: datetime = conn.execute(select(func.max(events.c.at))).scalar_one()
        busiest = conn.execute(
            select(orders.c.location_unit_id, func.count())
            .where(orders.c.registered_at >= last - timedelta(days=30))
            .group_by(orders.c.location_unit_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    probe.dispose()
    clock = ManualClock(last + timedelta(minutes=1))
    store = open_store(url, clock=clock)
    rows: list[tuple[str, str, str, str, str]] = []
    try:
        ref = store.reference()
        org = ref.org
        town = None
        if busiest is not None:
            towns = {t for t, _ in towns_of(org)}
            town = next((u.id for u in org.ancestors(busiest[0]) if u.id in towns), None)
        pages: list[tuple[str, Any]] = [("county", Scope())]
        if town is not None:
            pages.append((f"town {org.get(town).name}", Scope(unit_id=town)))
        pages.append(("disputes", Scope(limit_classes=("simple_dispute", "hard_dispute"))))
        local = clock.now().astimezone(ref.tz)
        yesterday = (local - timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
        moments: list[tuple[str, datetime | None]] = [
            ("live", None),
            (f"yesterday 14:00 ({yesterday:%m-%d})", yesterday),
            (
                f"30 days earlier ({yesterday - timedelta(days=30):%m-%d} 14:00)",
                yesterday - timedelta(days=30),
            ),
        ]
        for moment_label, at in moments:
            for page_label, scope in pages:
                store.engine.dispose()  # "first" on a fresh pool, as a jump in time would be
                fig = read_figures(store, scope, at)
                store.engine.dispose()
                f_first, f_rest = _times(lambda s=scope, a=at: read_figures(store, s, a), repeat)
                r_first, r_rest = _times(lambda s=scope, a=at: read_rates(store, s, a), repeat)
                both = [f + r for f, r in zip(f_rest, r_rest, strict=True)]
                k = fig.kpis
                label = (
                    f"{moment_label}, {page_label} ({k.open:,} open, {k.overdue:,} overdue,"
                    f" {k.intake_today:,} today)"
                )
                total = f_first + r_first
                ok = "yes" if total < TARGET_S else "NO"
                rows.append(
                    (
                        label,
                        _fmt(f_first, f_rest),
                        _fmt(r_first, r_rest),
                        _fmt(total, both),
                        ok if at is not None else "",
                    )
                )
    finally:
        store.engine.dispose()
    print(f"  {n:,} orders, latest event {last:%Y-%m-%d %H:%M} UTC", file=sys.stderr)
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument(
        "--db", action="append", help="a big county (file path or URL); repeat for several"
    )
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from core.storage.db import normalise_url

    print(f"\nwall reads, {time.strftime('%Y-%m-%d')}")
    print(f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    print("times: first (fresh pool) / p50 / max of the repeats")
    for db in args.db or [DEFAULT_DB]:
        url = ensure_db(normalise_url(db))
        backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        rows = run(url, args.repeat)
        print(f"\n{backend}: {url.rsplit('/', 1)[-1]}\n")
        print(f"| moment, page | read_figures | read_rates | both | past < {TARGET_S:.0f} s |")
        print("|---|---:|---:|---:|:---:|")
        for label, fig, rates, both, ok in rows:
            print(f"| {label} | {fig} | {rates} | {both} | {ok} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
