"""Machine-feed throughput: alerts per second, sustained, through the real TCP listener.

    .venv/bin/python -m bench.bench_feed [--alerts N] [--connections C] [--pg URL]

``main.py service --feed-port P`` runs as its own process on a fresh SQLite file (and a
fresh PostgreSQL database when --pg or CC_TEST_DATABASE_URL names a server) holding the
small test county. C sender connections write N alerts as fast as the listener takes them
and read every reply; the rate counts a line once its reply (after the commit) is back.
Three loads: new alerts that wait as 待确认, the same alerts sent again (all duplicates),
and alerts of an auto-registering source (each one an order, limits and events).
Prints one table. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.bench_core import pg_database
from core.storage.db import create_db_engine, write_tx
from core.storage.schema import feed_items, orders
from core.store import upgrade_and_seed
from tests.core.county import POINTS, build_county

ROOT = Path(__file__).resolve().parents[1]

FEEDS = """\
[listener]
max_line_bytes = 16384
max_connections = 32
batch_max = {batch}

[[source]]
name = "bench"
kind = "iot"
category = "070403"
rate = 1000000
burst = 1000000

[[source]]
name = "bench-auto"
kind = "iot"
auto_register = true
category = "040304"
register_as = "duty"
rate = 1000000
burst = 1000000
"""


def alert(source: str, i: int) -> bytes:
    lon, lat = POINTS["town1v1g1"] if i % 2 else POINTS["town2v1g1"]
    return (
        json.dumps(
            {
                "source": source,
                "id": f"B-{i:08d}",
                "kind": "iot",
                "occurred_at": "2025-03-03T08:30:00+08:00",
                "title": "烟感报警",
                "description": f"{i % 97}号楼烟感探测器报警",
                "lon": lon + (i % 100) * 1e-5,
                "lat": lat,
                "device": f"SD-{i % 5000}",
                "level": i % 3,
            },
            ensure_ascii=False,
        ).encode()
        + b"\n"
    )


def prepare(url: str) -> None:
    engine = create_db_engine(url)
    upgrade_and_seed(engine)
    with write_tx(engine) as conn:
        build_county(conn)
    engine.dispose()


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return int(s.getsockname()[1])


def blast(port: int, data: list[bytes], connections: int) -> tuple[float, list[float], int]:
    """Send ``data`` over ``connections`` sockets; returns (seconds until the last reply,
    per-second reply counts, refused replies)."""
    parts = [data[k::connections] for k in range(connections)]
    stamps: list[list[float]] = [[] for _ in parts]
    refused = [0] * connections
    start = time.perf_counter()

    def run(k: int) -> None:
        with socket.create_connection(("127.0.0.1", port)) as sock:

            def read() -> None:
                buf = b""
                while True:
                    chunk = sock.recv(1 << 16)
                    if not chunk:
                        return
                    buf += chunk
                    *lines, buf = buf.split(b"\n")
                    now = time.perf_counter()
                    for line in lines:
                        stamps[k].append(now)
                        refused[k] += b'"ok":false' in line

            reader = threading.Thread(target=read)
            reader.start()
            payload = b"".join(parts[k])
            for i in range(0, len(payload), 1 << 16):
                sock.sendall(payload[i : i + (1 << 16)])
            sock.shutdown(socket.SHUT_WR)
            reader.join()

    threads = [threading.Thread(target=run, args=(k,)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = sorted(t - start for s in stamps for t in s)
    if len(times) != len(data):
        raise SystemExit(f"{len(times)} replies for {len(data)} lines")
    seconds = times[-1]
    per_second = [0] * (int(seconds) + 1)
    for t in times:
        per_second[int(t)] += 1
    return seconds, per_second, sum(refused)


def serve(url: str, tmp: Path, batch: int) -> tuple[subprocess.Popen[bytes], int, Path]:
    cfg = tmp / "feeds.toml"
    cfg.write_text(FEEDS.format(batch=batch))
    port = free_port()
    log = tmp / "service.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "main.py",
                "--db",
                url,
                "service",
                "--interval",
                "5",
                "--feeds",
                str(cfg),
                "--feed-port",
                str(port),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    deadline = time.monotonic() + 60
    while b"listening on" not in log.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the service did not start:\n{log.read_text()}")
        time.sleep(0.05)
    return proc, port, log


def run(url: str, n: int, connections: int, auto: int, batch: int) -> dict[str, str]:
    prepare(url)
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        proc, port, log = serve(url, Path(tmp), batch)
        try:
            lines = [alert("bench", i) for i in range(n)]
            for name, data in (("new, 待确认", lines), ("repeats (duplicates)", lines)):
                seconds, per_second, refused = blast(port, data, connections)
                full = per_second[:-1] or per_second  # whole seconds only
                out[f"{name}: alerts/s"] = f"{len(data) / seconds:,.0f}"
                out[f"{name}: slowest / median whole second"] = (
                    f"{min(full):,} / {statistics.median(full):,.0f}"
                )
                if refused:
                    raise SystemExit(f"{refused} lines refused:\n{log.read_text()[-2000:]}")
            data = [alert("bench-auto", i) for i in range(auto)]
            seconds, _, refused = blast(port, data, connections)
            out["auto-registered (an order each): alerts/s"] = f"{auto / seconds:,.0f}"
        finally:
            proc.terminate()
            proc.wait(30)
    engine = create_db_engine(url)
    with engine.connect() as conn:
        items = conn.execute(select(func.count()).select_from(feed_items)).scalar_one()
        made = conn.execute(select(func.count()).select_from(orders)).scalar_one()
    engine.dispose()
    if (items, made) != (n + auto, auto):
        raise SystemExit(f"expected {n + auto} items and {auto} orders, found {items}, {made}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--alerts", type=int, default=60_000, help="new alerts per load")
    ap.add_argument("--auto", type=int, default=3_000, help="auto-registered alerts")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--batch", type=int, default=500, help="the listener's batch_max")
    ap.add_argument("--pg", default=os.environ.get("CC_TEST_DATABASE_URL"))
    args = ap.parse_args()
    results: dict[str, dict[str, str]] = {}

    def go(url: str) -> dict[str, str]:
        return run(url, args.alerts, args.connections, args.auto, args.batch)

    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite (WAL file)"] = go(f"sqlite:///{Path(tmp) / 'feed.sqlite3'}")
    if args.pg:
        url, drop = pg_database(args.pg)
        try:
            results["PostgreSQL"] = go(url)
        finally:
            drop()
    print(
        f"feed bench: {args.alerts:,} alerts per load over {args.connections} connections "
        f"through main.py service's listener (batch_max {args.batch}); {args.auto:,} "
        "auto-registered"
    )
    print()
    print("| measure | " + " | ".join(results) + " |")
    print("|---|" + "---:|" * len(results))
    for m in next(iter(results.values())):
        print(f"| {m} | " + " | ".join(results[b][m] for b in results) + " |")


if __name__ == "__main__":
    main()
