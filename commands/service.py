"""service: the process that acts when nobody clicks (临期/超期 marks, expired visits).

    python main.py --db URL service [--interval SECONDS] [--once] [--verbose]

One instance per database: on PostgreSQL it holds an advisory lock, and a second instance
waits on standby until the first is gone. On SQLite there is no lock (the workstation runs
the same jobs in-process; they are idempotent). SIGTERM or SIGINT finishes the cycle and
exits.
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
from types import FrameType
from typing import Any

from commands import open_store


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"the interval must be more than 0 seconds, not {text}")
    return value


def register(sub: Any) -> None:
    from core.service_process import DEFAULT_INTERVAL

    p = sub.add_parser(
        "service",
        help="run the service process: time-limit marks and expired return visits",
        description="Write the warning (临期) and overdue (超期) events as deadlines pass and "
        "close return visits that stayed unreachable past the policy's visit window. One "
        "instance per PostgreSQL database; others wait on standby and take over.",
    )
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite file"
    )
    p.add_argument(
        "--interval",
        type=_interval,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between cycles (default {DEFAULT_INTERVAL:g})",
    )
    p.add_argument("--once", action="store_true", help="run one cycle and exit")
    p.add_argument("--verbose", "-v", action="store_true", help="log every cycle, even idle ones")


def run(args: argparse.Namespace) -> int:
    # What it did, with timestamps, on stderr (the rest of main.py logs warnings only).
    core_log = logging.getLogger("core")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = core_log.level, core_log.propagate
    core_log.addHandler(handler)
    core_log.setLevel(logging.DEBUG if args.verbose else logging.INFO)
    core_log.propagate = False
    try:
        return _serve(args)
    finally:
        core_log.removeHandler(handler)
        core_log.setLevel(saved[0])
        core_log.propagate = saved[1]


def _serve(args: argparse.Namespace) -> int:
    from core.service_process import ServiceProcess

    store = open_store(args)
    process = ServiceProcess(store, interval=args.interval)

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        logging.getLogger("core.service_process").info(
            "%s: finishing the cycle and stopping", signal.Signals(signum).name
        )
        process.stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        return process.run(once=args.once)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        store.engine.dispose()
