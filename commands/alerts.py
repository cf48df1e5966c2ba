"""alerts: the early-warning alerts (预警研判), and the rules that raise them.

    python main.py --db URL alerts list [--all] [--limit N] [--as USERNAME]
    python main.py --db URL alerts ack ID [--as USERNAME]
    python main.py --db URL alerts close ID --note TEXT [--as USERNAME]
    python main.py --db URL alerts check [--dry-run] [--hours H] [--rules FILE]

``check`` runs every rule once, as the service's job does (it moves the job's cursor),
and prints what fired; ``--dry-run`` prints what would fire and changes nothing; ``--hours``
looks at the orders of the last H hours instead of those since the job's last run;
``--rules`` tries another rules file (an edited copy of resources/early_warning.toml)
without moving the job's cursor.
``--as``: who acknowledges or closes (default: the first active duty officer of the
county centre); for ``list``, only that user's territory. Exit codes: 0 done, 1 refused
(already closed, no such alert, not allowed), 2 bad arguments or a broken rules file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from commands import open_store

STATUS_ZH = {"raised": "待认领", "acknowledged": "已认领", "closed": "已关闭"}
SEVERITY_ZH = {"red": "红", "orange": "橙", "yellow": "黄"}


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of hours, not {text!r}") from None
    if not 0 < value <= 24 * 366:
        raise argparse.ArgumentTypeError(f"hours must be in (0, 8784], not {text}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser(
        "alerts",
        help="early-warning alerts: list, acknowledge, close; run the rules once",
        description="The alerts raised by the early-warning rules (resources/early_warning."
        "toml): list them, acknowledge (认领) or close one, or run the rules once and see "
        "what fires.",
    )
    actions = p.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite file"
    )
    who = argparse.ArgumentParser(add_help=False)
    who.add_argument(
        "--as",
        dest="username",
        metavar="USERNAME",
        help="the acting user (default: the first active duty officer of the county centre)",
    )
    lst = actions.add_parser("list", parents=[common, who], help="open alerts, most urgent first")
    lst.add_argument("--all", action="store_true", help="closed alerts too")
    lst.add_argument("--limit", type=int, default=100, metavar="N", help="at most N (100)")
    ack = actions.add_parser("ack", parents=[common, who], help="acknowledge (认领) an alert")
    ack.add_argument("id", type=int, metavar="ID")
    close = actions.add_parser("close", parents=[common, who], help="close an alert")
    close.add_argument("id", type=int, metavar="ID")
    close.add_argument("--note", required=True, metavar="TEXT", help="why (处置完毕, 误报 …)")
    chk = actions.add_parser("check", parents=[common], help="run the rules once")
    chk.add_argument("--dry-run", action="store_true", help="print what would fire only")
    chk.add_argument("--hours", type=_hours, metavar="H", help="new orders of the last H hours")
    chk.add_argument("--rules", type=Path, metavar="FILE", help="another rules file")


def run(args: argparse.Namespace) -> int:
    from core.errors import CoreError, ValidationError

    store = open_store(args)
    try:
        if args.action == "check":
            return _check(store, args)
        return _act(store, args)
    except ValidationError as exc:
        print("error: refused:", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e}", file=sys.stderr)
        return 2 if args.action == "check" else 1
    except CoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _user(store: Any, username: str | None) -> Any:
    from commands.importing import registering_user

    actor = registering_user(store, username)
    if actor is None:
        who = username or "a duty officer at the county centre"
        print(f"error: no active user {who}", file=sys.stderr)
    return actor


def _act(store: Any, args: argparse.Namespace) -> int:
    from core.warning import alerts

    tz = store.reference().tz
    actor: Any = _user(store, args.username) if args.username or args.action != "list" else None
    if actor is None and (args.username or args.action != "list"):
        return 2
    if args.action == "list":
        rows = alerts.open_alerts(store, limit=args.limit, actor=actor, include_closed=args.all)
        for a in rows:
            at = a.raised_at.astimezone(tz)
            by = f"  认领 {a.acknowledged_by}" if a.acknowledged_by else ""
            closed = f"  关闭 {a.closed_by}: {a.close_note}" if a.closed_at else ""
            print(
                f"#{a.id}\t{SEVERITY_ZH.get(a.severity, a.severity)}\t"
                f"{STATUS_ZH.get(a.status, a.status)}\t{at:%Y-%m-%d %H:%M}\t{a.rule}\t"
                f"{a.unit_name or '-'}\t{a.title}{by}{closed}"
            )
        n = alerts.counts(store, actor)
        print(f"{n.raised} waiting, {n.acknowledged} acknowledged")
        return 0
    if args.action == "ack":
        change = alerts.acknowledge(store, actor, args.id)
    else:
        change = alerts.close(store, actor, args.id, args.note)
    print(f"alert #{change.alert_id}: {change.status.value} by {actor.username}")
    return 0


def _check(store: Any, args: argparse.Namespace) -> int:
    from core.service import OrderService
    from core.warning.config import WARNING_FILE, load_rules
    from core.warning.run import check, run_once

    rules = load_rules(args.rules or WARNING_FILE)
    svc = OrderService(store)
    apply = not args.dry_run
    if args.hours is not None:
        now = store.clock.now()
        report = check(svc, rules, now=now, since=now - timedelta(hours=args.hours), apply=apply)
    else:
        report = run_once(svc, rules, apply=apply, remember=args.rules is None)
    tz = store.reference().tz
    verb = "would raise" if args.dry_run else "raised"
    print(
        f"rules {rules.source}: {report.new_orders} new or edited orders since "
        f"{report.since.astimezone(tz):%Y-%m-%d %H:%M}; {len(report.found)} findings, "
        f"{verb} {len(report.fresh)} alerts"
        + (f", urgency raised on {len(report.urgency_raised)} orders" if apply else "")
    )
    for c in report.fresh:
        print(f"  {SEVERITY_ZH.get(c.severity.value, c.severity.value)}\t{c.rule.value}\t{c.title}")
    already = len(report.found) - len(report.fresh)
    if already:
        print(f"  ({already} raised before)")
    timing = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in report.seconds.items())
    print(f"time: {timing}")
    return 0
