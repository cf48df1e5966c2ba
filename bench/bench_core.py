"""Core throughput: register + dispatch, one transaction each; and the batch path.

    .venv/bin/python -m bench.bench_core [--orders N] [--pg URL]

Runs on a fresh SQLite file and, when --pg or CC_TEST_DATABASE_URL names a server,
on a fresh PostgreSQL database. Prints one table. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.auth import load_actor
from core.service import OrderService
from core.storage.db import create_db_engine, write_tx
from core.store import open_store, upgrade_and_seed
from tests.core.county import build_county
from tests.core.test_smoke_loop import draft


def prepare(url: str) -> tuple[OrderService, dict[str, object], dict[str, int]]:
    engine = create_db_engine(url)
    upgrade_and_seed(engine)
    with write_tx(engine) as conn:
        county = build_county(conn)
    engine.dispose()
    svc = OrderService(open_store(url))
    with svc.store.engine.connect() as conn:
        actors = {name: load_actor(conn, uid) for name, uid in county.users.items()}
    return svc, actors, county.units


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def run(url: str, n: int) -> dict[str, float]:
    svc, actors, units = prepare(url)
    duty, disp = actors["duty"], actors["dispatcher"]
    reg_ms: list[float] = []
    dis_ms: list[float] = []

    def timed(fn: Callable[[], object], into: list[float]) -> object:
        t0 = time.perf_counter()
        out = fn()
        into.append((time.perf_counter() - t0) * 1000)
        return out

    start = time.perf_counter()
    for _ in range(n):
        oid = timed(lambda: svc.register(duty, draft()), reg_ms).order_id  # type: ignore[attr-defined]
        timed(lambda oid=oid: svc.dispatch(disp, oid, units["town1"]), dis_ms)
    loop_s = time.perf_counter() - start

    batch = [draft(description=f"批量{i}") for i in range(n * 4)]
    t0 = time.perf_counter()
    result = svc.register_many(duty, batch)
    batch_s = time.perf_counter() - t0
    assert len(result.registered) == len(batch)
    svc.store.engine.dispose()
    return {
        "orders/s (register+dispatch)": n / loop_s,
        "register p50 ms": pct(reg_ms, 50),
        "register p95 ms": pct(reg_ms, 95),
        "dispatch p50 ms": pct(dis_ms, 50),
        "dispatch p95 ms": pct(dis_ms, 95),
        "batch register orders/s": len(batch) / batch_s,
    }


def pg_database(server_url: str) -> tuple[str, Callable[[], None]]:
    base = make_url(server_url).set(drivername="postgresql+psycopg")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"cc_bench_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--orders", type=int, default=500)
    ap.add_argument("--pg", default=os.environ.get("CC_TEST_DATABASE_URL"))
    args = ap.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite (WAL file)"] = run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.orders)
    if args.pg:
        url, drop = pg_database(args.pg)
        try:
            results["PostgreSQL"] = run(url, args.orders)
        finally:
            drop()
    metrics = list(next(iter(results.values())))
    width = max(len(m) for m in metrics)
    print(f"core bench, {args.orders} orders one by one, {args.orders * 4} in the batch")
    print(f"{'metric':<{width}} | " + " | ".join(f"{b:>17}" for b in results))
    print("-" * (width + 1) + ("|" + "-" * 19) * len(results))
    for m in metrics:
        print(f"{m:<{width}} | " + " | ".join(f"{results[b][m]:>17.1f}" for b in results))


if __name__ == "__main__":
    main()
