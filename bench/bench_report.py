"""The monthly assessment and report, timed as a user runs them: whole commands.

    python -m bench.bench_report --db URL [--db URL …] [--period YYYY-MM] [--runs 3]

For each database: ``main.py stats`` (the assessment of one month, county and by unit)
and ``main.py report`` in each format, each a new process, the median of ``--runs`` after
one untimed run (the OS file cache), with the peak memory of the slowest run. Build the
databases first: ``main.py demo --orders 60000`` for 60k, ``bench.big_county`` for 1M.
Target: under 5 s at 1,000,000 orders.
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
TARGET_S = 5.0


def timed(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KB) of one ``main.py`` process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"main.py {' '.join(args)} failed: {err.strip()}")
    return seconds, int(usage.ru_maxrss)


def orders_in(url: str) -> int:
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from core.storage.db import read_tx
    from core.storage.schema import orders
    from core.store import open_store

    store = open_store(url)
    try:
        with read_tx(store.engine) as conn:
            return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())
    finally:
        store.engine.dispose()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", action="append", required=True, help="database URL (repeatable)")
    p.add_argument("--period", default=None, help="YYYY-MM (default: the last complete month)")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    period = ["--period", args.period] if args.period else []
    rows: list[tuple[str, int, str, float, int]] = []
    with tempfile.TemporaryDirectory(prefix="cc-bench-report-") as tmp:
        jobs = {
            "stats (county and by unit)": ["stats", *period, "--by", "unit"],
            "report xlsx": ["report", *period, "--format", "xlsx", "--out", f"{tmp}/r.xlsx"],
            "report csv": ["report", *period, "--format", "csv", "--out", f"{tmp}/r.csv"],
            "report pdf": ["report", *period, "--format", "pdf", "--out", f"{tmp}/r.pdf"],
        }
        for url in args.db:
            count = orders_in(url)
            for name, job in jobs.items():
                command = ["--db", url, *job]
                timed(command)  # warm the file cache
                runs = [timed(command) for _ in range(args.runs)]
                median = statistics.median(s for s, _ in runs)
                rows.append((url, count, name, median, max(m for _, m in runs)))
    print(f"\nmonthly assessment and report, whole commands, median of {args.runs} runs")
    print(f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores; target < {TARGET_S} s)\n")
    print("| database | orders | command | seconds | peak MB |")
    print("|---|---:|---|---:|---:|")
    for url, count, name, seconds, peak in rows:
        print(f"| {url} | {count:,} | {name} | {seconds:.2f} | {peak / 1024:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
