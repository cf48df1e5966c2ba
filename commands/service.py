"""service: the process that acts when nobody clicks (临期/超期 marks, expired visits,
the machine feeds).

    python main.py --db URL service [--interval SECONDS] [--once] [--verbose]
                                    [--feed-port N] [--feeds FILE]

One instance per database: on PostgreSQL it holds an advisory lock, and a second instance
waits on standby until the first is gone. On SQLite there is no lock (the workstation runs
the same jobs in-process; they are idempotent). SIGTERM or SIGINT finishes the cycle and
exits.

The machine feeds' listener (core.feeds) runs on the active instance when a port is given:
``--feed-port N``, else the ``[listener] port`` of the feeds file (resources/feeds.toml,
where it is 0: off). ``--feed-port 0`` turns it off; ``--once`` never listens.
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from commands import open_store


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, not {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {value}")
    return value


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
        help="run the service process: time-limit marks, expired return visits, machine feeds",
        description="Write the warning (临期) and overdue (超期) events as deadlines pass and "
        "close return visits that stayed unreachable past the policy's visit window; host "
        "the machine feeds' listener (IoT and video alerts as JSON lines, see "
        "resources/feeds.toml) when a port is set. One instance per PostgreSQL database; "
        "others wait on standby and take over (the feed's port with the rest).",
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
    p.add_argument(
        "--feed-port",
        type=_port,
        metavar="N",
        help="listen for machine-feed alerts on this TCP port of the feeds file's host "
        "(127.0.0.1 by default); 0: no listener. Default: the feeds file's [listener] port, "
        "0 (off) in the shipped file. Never with --once",
    )
    p.add_argument(
        "--feeds",
        type=Path,
        metavar="FILE",
        help="the feeds configuration: listener and sources (default resources/feeds.toml)",
    )


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


def _feed_host(args: argparse.Namespace, store: Any) -> Any:
    """The feed listener to host, None when off; FeedConfigError for a bad file."""
    from core.feeds.config import FEEDS_FILE, load_feeds
    from core.feeds.host import FeedHost

    if args.once or args.feed_port == 0:
        return None
    config = load_feeds(args.feeds or FEEDS_FILE)
    port = args.feed_port if args.feed_port is not None else config.listener.port
    if not port:
        return None
    host = FeedHost(store, config, port=port)
    host.check()
    return host


def _serve(args: argparse.Namespace) -> int:
    from core.feeds.config import FeedConfigError
    from core.service_process import ServiceProcess

    store = open_store(args)
    try:
        feed = _feed_host(args, store)
    except FeedConfigError as exc:
        print(f"error: the feeds file {exc.path} was refused:", file=sys.stderr)
        for where, code in exc.problems:
            print(f"  {where}: {code}", file=sys.stderr)
        return 2
    process = ServiceProcess(store, interval=args.interval, hosted=[feed] if feed else [])

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
