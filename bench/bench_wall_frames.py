"""The wall under a live stream: frame intervals while another process writes events at
a steady rate, and the wall process's memory over that time.

    python -m bench.bench_wall_frames [--db DEMO.sqlite3] [--seconds 60]
        [--rate 200 | --replay CSV --mapping M [--speed 600]] [--size 1920x1080]

Without ``--db`` a 3,000-order demo county (its story ending now) is built in a temporary
file. A child process registers orders at ``--rate`` per second at random points of the
county, so the map flashes, the ticker runs and every tile moves; with ``--replay`` it
replays a 311 file at ``--speed`` through ``core.drill.replay`` instead (a drill's load).
This process shows the wall offscreen at ``--size`` with its live change hub and
repaints the whole window 60 times a second (``repaint``: the worst case; a screen
repaints only what changed). The frame interval is the time between successive
repaints' starts: a stall of the UI thread (a read's results being drawn, a chart
rebuilt) shows up there. Memory is the process's
resident set at the start, the middle and the end of the stream.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.bench_core import pct

ROOT = Path(__file__).resolve().parents[1]
FRAME_MS = 16


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_writer(url: str, seconds: float, rate: float) -> None:
    """Register orders at ``rate`` per second for ``seconds`` at random county points."""
    from sqlalchemy import select

    from core.auth import load_actor
    from core.service import OrderService
    from core.storage.schema import users
    from core.store import open_store
    from core.workflow.intake import OrderDraft

    store = open_store(url)
    svc = OrderService(store)
    with store.engine.connect() as conn:
        uid = conn.execute(select(users.c.id).where(users.c.username == "duty01")).scalar_one()
        duty = load_actor(conn, uid)
    org = store.reference().org
    box = org.grid_index.bounds
    assert box is not None
    codes = [c.node_id for c in store.reference().categories.selectable()][:40]
    rng = random.Random(7)

    def point() -> tuple[float, float]:
        while True:  # a point inside the county (its outline is not its bounding box)
            lon, lat = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
            if org.contains_point(lon, lat):
                return lon, lat

    start = time.perf_counter()
    n = 0
    while (elapsed := time.perf_counter() - start) < seconds:
        wait = start + n / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        draft = OrderDraft(
            channel="hotline",
            request_type="complaint",
            category_node_id=rng.choice(codes),
            description=f"压测来电 {n}: 路灯不亮，夜间出行不便",
            phone=f"1381234{n % 10000:04d}",
        )
        draft.lon, draft.lat = point()
        try:
            svc.register(duty, draft)
        except Exception as exc:  # a point outside every grid, say: keep the rate
            print(f"writer: {type(exc).__name__}: {exc}", file=sys.stderr)
        n += 1
    print(f"writer: {n} orders in {elapsed:.1f} s", file=sys.stderr)


def child_replay(url: str, seconds: float, csv: str, mapping_path: str, speed: float) -> None:
    """Replay a 311 file at ``speed`` for ``seconds`` (core.drill.replay, a drill's path)."""
    from core.auth import acting_user
    from core.clock import SystemClock
    from core.drill.replay import ReplayRun, load_replay
    from core.imports.mapping import load_mapping
    from core.imports.run import county_box
    from core.service import OrderService
    from core.store import open_store

    store = open_store(url)
    actor = acting_user(store, "duty01")
    assert actor is not None, "the demo county's duty01"
    mapping = load_mapping(Path(mapping_path), str(store.reference().tz))
    replay = load_replay(Path(csv), mapping, county=county_box(OrderService(store)))
    run = ReplayRun(store, actor, replay, SystemClock(), speed=speed)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds and not run.done:
        run.step()
        time.sleep(0.2)
    done = run.progress
    print(
        f"replay: {done.registered} registered in {time.perf_counter() - start:.1f} s",
        file=sys.stderr,
    )


def build_demo_county(tmp: Path) -> str:
    from core.demo import build_demo

    url = f"sqlite:///{tmp / 'demo.sqlite3'}"
    build_demo(url, orders=3000, seed=2026, end=datetime.now(UTC))
    return url


async def measure(
    url: str, seconds: float, rate: float, size: tuple[int, int], replay: list[str] | None = None
) -> dict[str, float]:
    from PySide6.QtCore import QTimer

    from core.store import open_store
    from core.wall.config import load_config
    from desktop.feed import last_event_id
    from desktop.hub import ChangeHub
    from desktop.lanes import Lanes
    from desktop.views.wall import WallWindow

    store = open_store(url)
    lanes = Lanes()
    hub = ChangeHub.for_store(store, last_event_id(store))
    hub.start()
    config = load_config()
    wall = WallWindow(store, lanes, hub, config)
    wall.resize(*size)
    wall.show()
    shown = asyncio.get_running_loop().create_future()
    wall.figures_did_show.connect(lambda _f: shown.done() or shown.set_result(None))
    await shown
    wall._rotate.stop()  # the overview the whole time: the busiest page
    gc.collect()
    gc.freeze()
    draws = 0

    def drawn(_f: object) -> None:
        nonlocal draws
        draws += 1

    wall.figures_did_show.connect(drawn)
    intervals: list[float] = []
    last = time.perf_counter()
    memory = [rss_mb()]

    paints: list[float] = []

    def frame() -> None:
        nonlocal last
        now = time.perf_counter()
        intervals.append((now - last) * 1000)
        last = now
        wall.repaint()
        paints.append((time.perf_counter() - now) * 1000)

    timer = QTimer()
    timer.setInterval(FRAME_MS)
    timer.timeout.connect(frame)
    child = (
        ["replay", url, str(seconds), *replay]
        if replay
        else ["writer", url, str(seconds), str(rate)]
    )
    writer = subprocess.Popen([sys.executable, "-m", "bench.bench_wall_frames", *child], cwd=ROOT)
    last = time.perf_counter()
    timer.start()
    t0 = time.monotonic()
    while writer.poll() is None:
        await asyncio.sleep(0.5)
        if not memory[1:] and time.monotonic() - t0 > seconds / 2:
            memory.append(rss_mb())
    await asyncio.sleep(2)  # the last events arrive and are drawn
    timer.stop()
    memory.append(rss_mb())
    wall.close()
    await wall.drain()
    hub.stop()
    await lanes.idle()
    lanes.shutdown()
    store.engine.dispose()
    steady = intervals[5:]  # the first frames include the window's first layout
    return {
        "frames": len(steady),
        "p50": pct(steady, 50),
        "p99": pct(steady, 99),
        "max": max(steady),
        "draws": draws,
        "paint_p50": pct(paints[5:], 50),
        "paint_p99": pct(paints[5:], 99),
        "rss_start": memory[0],
        "rss_mid": memory[1] if len(memory) > 2 else memory[0],
        "rss_end": memory[-1],
        "writer_rc": writer.returncode,
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "writer":
        child_writer(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "replay":
        child_replay(sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5], float(sys.argv[6]))
        return 0
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--db", help="a demo county (SQLite file or URL); default: build one")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--rate", type=float, default=200.0, help="events per second written")
    p.add_argument("--size", default="1920x1080")
    p.add_argument("--replay", metavar="CSV", help="instead of --rate: replay this 311 file")
    p.add_argument("--mapping", metavar="FILE", help="the replay's mapping")
    p.add_argument("--speed", type=float, default=600.0, help="the replay's speed (600)")
    args = p.parse_args()
    if args.replay and not args.mapping:
        p.error("--replay needs --mapping")
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        p.error(f"--size {args.size!r}: write WIDTHxHEIGHT, e.g. 1920x1080")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop.app import configure

    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            from core.storage.db import normalise_url

            url = normalise_url(args.db)
        else:
            print("building a 3,000-order demo county …", file=sys.stderr)
            url = build_demo_county(Path(tmp))
        app = QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)
        configure(app, "zh")
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            replay = [args.replay, args.mapping, str(args.speed)] if args.replay else None
            r = loop.run_until_complete(
                measure(url, args.seconds, args.rate, (width, height), replay)
            )
    load = (
        f"{Path(args.replay).name} replayed at {args.speed:g}x"
        if args.replay
        else f"{args.rate:.0f} orders/s written"
    )
    print(
        f"\nWall at {width}x{height}, {load} for {args.seconds:.0f} s by another process; "
        f"{r['frames']} frames, {r['draws']} redraws of the figures\n"
    )
    print("| measure | result | target |")
    print("|---|---:|---|")
    print(f"| frame interval p50 | {r['p50']:.1f} ms | |")
    print(f"| frame interval p99 | {r['p99']:.1f} ms | < 50 ms |")
    print(f"| frame interval max | {r['max']:.1f} ms | |")
    paint = f"{r['paint_p50']:.1f} / {r['paint_p99']:.1f} ms"
    print(f"| repaint of the whole window, p50 / p99 | {paint} | |")
    print(f"| resident memory at start | {r['rss_start']:.0f} MB | |")
    print(
        f"| growth, first half / second half | {r['rss_mid'] - r['rss_start']:+.1f} MB / "
        f"{r['rss_end'] - r['rss_mid']:+.1f} MB | none unbounded |"
    )
    return 0 if r["writer_rc"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
