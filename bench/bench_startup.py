"""Cold start of the workstation: a new process until its first page is interactive.

    python -m bench.bench_startup [--runs 5] [--orders 3000] [--pg URL]

Builds a demo county once per backend (SQLite in a temp dir; PostgreSQL when --pg or
CC_TEST_DATABASE_URL names a server), then launches ``main.py`` again and again with
QT_QPA_PLATFORM=offscreen. CC_BENCH_T0 makes the app print its milestones against the
launcher's clock, log in through the real dialog as CC_BENCH_USER, and quit once the
first page is interactive: the intake form ready for a duty officer, the first rows of
the work queues for a handling unit. Each run gets a fresh settings directory, like a first start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MILESTONES = ("loop_started", "login_dialog", "window_shown", "interactive")
USERS = {"county duty": "duty01", "town centre": "t01", "village handler": "t01v01"}


def build(url: str, orders: int) -> str:
    """Build the demo county; returns its shared password (from the demo_county setting)."""
    from core.demo import build_demo
    from core.store import open_store
    from desktop.feed import load_demo

    started = time.perf_counter()
    build_demo(url, orders=orders, seed=2026)
    print(f"built the demo county ({orders} orders) in {time.perf_counter() - started:.1f} s")
    store = open_store(url)
    try:
        demo = load_demo(store)
    finally:
        store.engine.dispose()
    if demo is None:
        raise RuntimeError("the demo county has no demo_county setting")
    return demo.password


def pg_database(server: str, name: str, create: bool = True) -> str:
    """Create (or with create=False, drop) a scratch database on the server."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if create:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def one_run(url: str, user: str, password: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as config:
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "XDG_CONFIG_HOME": config,
            "CC_BENCH_USER": user,
            "CC_BENCH_PASSWORD": password,
        }
        t0 = time.time()
        env["CC_BENCH_T0"] = repr(t0)
        done = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--db", url, "--lang", "zh"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
        )
        total = time.time() - t0
    marks = {
        parts[1]: float(parts[2])
        for line in done.stdout.splitlines()
        if (parts := line.split())[:1] == ["bench"] and len(parts) == 3
    }
    if done.returncode != 0 or "interactive" not in marks:
        raise RuntimeError(f"run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    marks["process_exit"] = total
    return marks


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--orders", type=int, default=3000)
    p.add_argument("--pg", default=os.environ.get("CC_TEST_DATABASE_URL"))
    args = p.parse_args()

    sys.path.insert(0, str(ROOT))
    columns = (*MILESTONES, "process_exit")
    rows: list[tuple[str, str, dict[str, float]]] = []
    pg_name = f"cc_bench_startup_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="cc-bench-startup-") as tmp:
        backends = {"sqlite": f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"}
        if args.pg:
            backends["postgres"] = pg_database(args.pg, pg_name)
        try:
            for backend, url in backends.items():
                password = build(url, args.orders)
                for who, user in USERS.items():
                    one_run(url, user, password)  # warm the OS file cache; each run is new
                    runs = [one_run(url, user, password) for _ in range(args.runs)]
                    medians = {c: statistics.median(r[c] for r in runs) for c in columns}
                    rows.append((backend, who, medians))
        finally:
            if args.pg:
                pg_database(args.pg, pg_name, create=False)

    print(f"\nstart-up until the first page is interactive, median of {args.runs} runs, seconds")
    print(f"({args.orders} demo orders; offscreen; Python {sys.version.split()[0]})\n")
    head = ["backend", "user", *columns]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" if i < 2 else "---:" for i in range(len(head))) + "|")
    for backend, who, medians in rows:
        cells = [backend, who, *(f"{medians[c]:.2f}" for c in columns)]
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
