"""Assessment indicators (core.analytics): one month and one year, ungrouped and grouped.

    .venv/bin/python -m bench.bench_stats --db URL [--month YYYY-MM] [--year YYYY]
                                          [--by county,unit,town,tier,category] [--repeat N]
    .venv/bin/python -m bench.bench_stats --db URL --grow K     # first: K× the orders

Defaults: the month and the year of the newest order. Prints one table of wall-clock
seconds (best and median of --repeat runs) and, for the month ungrouped, where the time
goes, query by query. Not part of the test suite.

--grow K copies every order with its callers, hops, limits, events and state intervals
K−1 times into the same database (new ids, each copy k minutes later), so a 100,000-order
demo (`python main.py --db URL demo --orders 100000`) becomes a 1,000,000-order one with the
same shape and ten times the density per month. It writes to the database: bench data only.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text

from core.analytics import compute, county_timezone, frames, sql
from core.storage.db import create_db_engine, read_tx, write_tx
from core.storage.schema import (
    events,
    hops,
    order_callers,
    orders,
    state_intervals,
    time_limits,
)
from core.storage.types import UTCDateTime

# Per table: id columns and the table whose id they refer to (for the offset).
ID_REFS = {
    "orders": {"id": "orders", "merged_into_id": "orders"},
    "order_callers": {"id": "order_callers", "order_id": "orders", "from_order_id": "orders"},
    "hops": {"id": "hops", "order_id": "orders", "parent_id": "hops"},
    "time_limits": {"id": "time_limits", "order_id": "orders", "hop_id": "hops"},
    "events": {"id": "events", "order_id": "orders", "hop_id": "hops"},
    "state_intervals": {
        "id": "state_intervals",
        "order_id": "orders",
        "from_event_id": "events",
        "to_event_id": "events",
    },
}
TABLES = {t.name: t for t in (orders, order_callers, hops, time_limits, events, state_intervals)}


def grow(engine: Engine, factor: int) -> None:
    """Copy the orders (and everything hanging off them) ``factor − 1`` times."""
    sqlite = engine.dialect.name == "sqlite"
    with read_tx(engine) as conn:
        top = {
            name: int(conn.execute(select(func.max(t.c.id))).scalar() or 0)
            for name, t in TABLES.items()
        }
    for k in range(1, factor):
        started = time.perf_counter()
        with write_tx(engine) as conn:
            for name, table in TABLES.items():
                cols, exprs = [], []
                for col in table.columns:
                    cols.append(col.name)
                    ref = ID_REFS[name].get(col.name)
                    if ref is not None:
                        exprs.append(f"{col.name} + {top[ref] * k}")
                    elif isinstance(col.type, UTCDateTime):
                        exprs.append(
                            f"strftime('%Y-%m-%d %H:%M:%S', {col.name}, '+{k} minutes')"
                            f" || substr({col.name}, 20)"
                            if sqlite
                            else f"{col.name} + interval '{k} minutes'"
                        )
                    elif name == "orders" and col.name == "number":
                        exprs.append(f"number || '/{k}'")
                    else:
                        exprs.append(col.name)
                where = f"WHERE id <= {top[name]}"
                conn.execute(
                    text(
                        f"INSERT INTO {name} ({', '.join(cols)}) "
                        f"SELECT {', '.join(exprs)} FROM {name} {where}"
                    )
                )
        print(f"copy {k}/{factor - 1} in {time.perf_counter() - started:.1f} s", flush=True)
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))


def newest(engine: Engine) -> datetime:
    with read_tx(engine) as conn:
        found = conn.execute(select(func.max(orders.c.registered_at))).scalar()
    if found is None:
        raise SystemExit("the database holds no orders: build one with `main.py demo` first")
    return found if found.tzinfo else found.replace(tzinfo=UTC)


class QueryClock:
    """Wall time per cohort query, by the frames function that ran it."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._orig: Callable[..., Any] = sql.frame

    def __enter__(self) -> QueryClock:
        import sys

        def timed(conn: Any, query: Any, columns: Any) -> Any:
            caller = sys._getframe(1).f_code.co_name
            if caller == "by_blocks":  # a block read: charge the cohort that asked
                caller = sys._getframe(2).f_code.co_name
            started = time.perf_counter()
            try:
                return self._orig(conn, query, columns)
            finally:
                self.spent[caller] += time.perf_counter() - started

        sql.frame = timed  # type: ignore[assignment]
        frames.frame = timed  # type: ignore[attr-defined]
        return self

    def __exit__(self, *exc: object) -> None:
        sql.frame = self._orig  # type: ignore[assignment]
        frames.frame = self._orig  # type: ignore[attr-defined]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, metavar="URL")
    ap.add_argument("--month", metavar="YYYY-MM")
    ap.add_argument("--year", metavar="YYYY")
    ap.add_argument("--by", default="county,unit,town,tier,category")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--grow", type=int, default=0, metavar="K")
    args = ap.parse_args()
    engine = create_db_engine(args.db)
    if args.grow > 1:
        grow(engine, args.grow)
    tz = county_timezone(engine)
    last = newest(engine).astimezone(tz)
    month = args.month or f"{last.year:04d}-{last.month:02d}"
    year = args.year or f"{last.year:04d}"
    with read_tx(engine) as conn:
        total = conn.execute(select(func.count()).select_from(orders)).scalar_one()
        n_events = conn.execute(select(func.count()).select_from(events)).scalar_one()
    print(f"database {engine.url.render_as_string(hide_password=True)} ({engine.dialect.name})")
    print(f"{total:,} orders, {n_events:,} events; best and median of {args.repeat} runs\n")
    print("| period | by | orders in period | groups | best s | median s |")
    print("|---|---|---:|---:|---:|---:|")
    as_of = datetime.now(UTC)
    for period in (month, year):
        for by in args.by.split(","):
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                rep = compute(engine, period=period, by=by, as_of=as_of)
                runs.append(time.perf_counter() - started)
            intake = rep.total.measures["intake"].numerator
            print(
                f"| {period} | {by} | {intake:,} | {len(rep.groups)} | "
                f"{min(runs):.2f} | {statistics.median(runs):.2f} |",
                flush=True,
            )
    with QueryClock() as qc:
        started = time.perf_counter()
        compute(engine, period=month, by="unit", as_of=as_of)
        whole = time.perf_counter() - started
    print(f"\nWhere the time goes: {month} by unit, {whole:.2f} s in all\n")
    print("| query | s |")
    print("|---|---:|")
    for name, spent in sorted(qc.spent.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {spent:.2f} |")
    print(f"| (pandas, grouping, scoring) | {whole - sum(qc.spent.values()):.2f} |")
    engine.dispose()


if __name__ == "__main__":
    main()
