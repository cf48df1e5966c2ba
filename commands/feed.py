"""feed send|list|confirm|dismiss: the machine feeds without the workstation.

    python main.py feed send FILE.jsonl [--port N] [--host H]    (FILE "-": standard input)
    python main.py --db URL feed list [--status S] [--source NAME] [--limit N]
    python main.py --db URL feed confirm ID [--note TEXT] [--as USERNAME]
    python main.py --db URL feed dismiss ID --reason TEXT [--as USERNAME]

``send`` writes the file's bytes as they are to a running listener (``main.py service
--feed-port N``) and prints what became of each line. Exit codes: 0 done (every line
accepted), 1 some lines refused, 2 bad arguments, an unreachable listener, an unknown
item or a decision refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commands import open_store

USAGE_ERROR = 2
STATUSES = ("pending", "confirmed", "dismissed", "registered", "all")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, not {value}")
    return value


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {value}")
    return value


def register(sub: Any) -> None:
    feed = sub.add_parser(
        "feed",
        help="machine feeds (IoT, video alerts): send a file, list, confirm or dismiss alerts",
        description="IoT and video alerts arrive as JSON lines on the service's feed port "
        "(resources/feeds.toml). Alerts wait as 待确认 until a duty officer confirms one "
        "(an order is registered) or dismisses it as a false alarm.",
    )
    acts = feed.add_subparsers(dest="action", required=True)
    db = {"metavar": "URL", "default": argparse.SUPPRESS, "help": "database URL or SQLite file"}
    who = {
        "dest": "username",
        "metavar": "USERNAME",
        "help": "the duty officer deciding (default: the first active duty officer of the "
        "county centre)",
    }

    send = acts.add_parser(
        "send",
        help="send a JSON-lines file to a running listener and print the replies",
        description="Send FILE's lines, as they are, to the listener of `main.py service "
        "--feed-port N`, and print a summary and every refused line with its code.",
    )
    send.add_argument("file", metavar="FILE", help="JSON lines (one alert a line); - for stdin")
    send.add_argument("--port", type=_port, help="the listener's port (default: the feeds file's)")
    send.add_argument("--host", help="the listener's host (default: the feeds file's)")
    send.add_argument("--feeds", type=Path, metavar="F", help="feeds file for the defaults")
    send.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")

    ls = acts.add_parser("list", help="alerts, newest first (the 待确认 queue by default)")
    ls.add_argument("--db", **db)
    ls.add_argument("--status", choices=STATUSES, default="pending", help="default pending")
    ls.add_argument("--source", metavar="NAME", help="one source only")
    ls.add_argument("--limit", type=_positive, default=50, help="rows (default 50)")

    confirm = acts.add_parser("confirm", help="register an order from a pending alert")
    confirm.add_argument("--db", **db)
    confirm.add_argument("item", type=_positive, metavar="ID", help="the alert's id")
    confirm.add_argument("--note", help="a note kept with the decision")
    confirm.add_argument("--as", **who)

    dismiss = acts.add_parser("dismiss", help="dismiss a pending alert as a false alarm")
    dismiss.add_argument("--db", **db)
    dismiss.add_argument("item", type=_positive, metavar="ID", help="the alert's id")
    dismiss.add_argument("--reason", required=True, help="why (required): 误报, 已处置 …")
    dismiss.add_argument("--as", **who)


def run(args: argparse.Namespace) -> int:
    from core.feeds.config import FeedConfigError

    try:
        if args.action == "send":
            return _send(args)
        if args.action == "list":
            return _list(args)
        return _decide(args)
    except FeedConfigError as exc:
        print(f"error: the feeds file {exc.path} was refused:", file=sys.stderr)
        for where, code in exc.problems:
            print(f"  {where}: {code}", file=sys.stderr)
        return USAGE_ERROR


def _send(args: argparse.Namespace) -> int:
    from collections import Counter

    from core.feeds.client import send
    from core.feeds.config import FEEDS_FILE, load_feeds

    if args.timeout <= 0:
        print("error: --timeout must be positive", file=sys.stderr)
        return USAGE_ERROR
    listener = load_feeds(args.feeds or FEEDS_FILE).listener
    port = args.port or listener.port
    if not port:
        print(
            "error: no port: give --port N (the port of `main.py service --feed-port N`)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    host = args.host or listener.host
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return USAGE_ERROR
    try:
        replies = send(data, host, port, timeout=args.timeout)
    except OSError as exc:
        print(f"error: no feed listener at {host}:{port}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    ok = [r for r in replies if r.get("ok")]
    bad = [r for r in replies if not r.get("ok")]
    new = [r for r in ok if not r.get("duplicate")]
    status = Counter(r.get("status") for r in new)
    detail = ", ".join(f"{n} {s}" for s, n in sorted(status.items()))
    print(
        f"{args.file}: {len(replies)} lines; new {len(new)}{f' ({detail})' if detail else ''}, "
        f"duplicates {len(ok) - len(new)}, refused {len(bad)}"
    )
    for r in new:
        if r.get("order"):
            print(f"  line {r.get('line')}: item {r.get('item')} registered as {r['order']}")
    for r in bad:
        field = f" ({r['field']})" if r.get("field") else ""
        print(f"  line {r.get('line')}: {r.get('error')}{field}")
    return 1 if bad else 0


def _list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from core.feeds.items import list_items
    from core.storage.db import read_tx
    from core.storage.schema import orders

    store = open_store(args)
    status = None if args.status == "all" else args.status
    items = list_items(store, status=status, source=args.source, limit=args.limit)
    ref = store.reference()
    numbers: dict[int, str] = {}
    ids = [i.order_id for i in items if i.order_id is not None]
    if ids:
        with read_tx(store.engine) as conn:
            q = select(orders.c.id, orders.c.number).where(orders.c.id.in_(ids))
            numbers = {oid: number for oid, number in conn.execute(q)}
    if not items:
        print("no alerts" if status is None else f"no {status} alerts")
        return 0
    print("id\treceived\tsource\tkind\tstatus\tgrid\torder\ttitle")
    for i in items:
        unit = ref.org.find(i.unit_id)
        at = i.received_at.astimezone(ref.tz).strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{i.id}\t{at}\t{i.source}\t{i.kind}\t{i.status}\t{unit.name if unit else '-'}\t"
            f"{numbers.get(i.order_id, '-') if i.order_id else '-'}\t{_one_line(i.title)}"
        )
    return 0


def _one_line(text: str) -> str:
    return " ".join(text.split())[:60]


def _decide(args: argparse.Namespace) -> int:
    from core.errors import CoreError, NotFound, ValidationError
    from core.feeds.decide import AlreadyDecided, confirm, dismiss
    from core.feeds.host import registering_user
    from core.service import OrderService

    store = open_store(args)
    actor = registering_user(store, args.username)
    if actor is None:
        who = args.username or "a duty officer at the county centre"
        print(f"error: no active user {who}", file=sys.stderr)
        return USAGE_ERROR
    try:
        if args.action == "confirm":
            svc = OrderService(store)
            order_id = confirm(svc, actor, args.item, args.note)
            number = svc.load(actor, order_id).order.number
            print(f"alert {args.item} confirmed by {actor.username}: order {number} registered")
        else:
            dismiss(store, actor, args.item, args.reason)
            print(f"alert {args.item} dismissed by {actor.username}")
    except AlreadyDecided as exc:
        status = exc.params.get("status")
        done = f"already {status}" if status else f"already an order ({exc.params.get('order')})"
        print(f"error: alert {args.item} is {done}: nothing changed", file=sys.stderr)
        return USAGE_ERROR
    except NotFound:
        print(f"error: no alert {args.item}", file=sys.stderr)
        return USAGE_ERROR
    except ValidationError as exc:
        print("error: refused: " + "; ".join(str(e) for e in exc.errors), file=sys.stderr)
        return USAGE_ERROR
    except CoreError as exc:
        print(f"error: alert {args.item}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    return 0
