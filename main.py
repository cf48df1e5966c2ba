"""Command Center entry point: the workstation, and administrators' sub-commands.

    python main.py                      the workstation (SQLite in the user data dir by default)
    python main.py --db URL ...         any command against another database
    python main.py db upgrade|current|check
    python main.py info
    python main.py calendar status|set|import
    python main.py policy show|import

Heavy imports stay inside the functions, so ``--help`` and the sub-commands start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="Command Center 社会治理指挥中心")
    p.add_argument(
        "--db",
        metavar="URL",
        help="database URL or SQLite file (default: CC_DATABASE_URL, "
        "else command-center.sqlite3 in the user data directory)",
    )
    sub = p.add_subparsers(dest="command")

    db = sub.add_parser("db", help="schema revisions").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="create or migrate the schema, then add missing reference data")
    db.add_parser("current", help="print the database's and this client's schema revision")
    db.add_parser("check", help="exit 1 unless the database's revision is this client's")

    sub.add_parser("info", help="what the database holds")

    cal = sub.add_parser("calendar", help="the working-day calendar").add_subparsers(
        dest="action", required=True
    )
    cal.add_parser("status", help="years known, years on the weekends-only fallback, overrides")
    cal_set = cal.add_parser("set", help="correct one day")
    cal_set.add_argument("day", type=_iso_date, help="YYYY-MM-DD")
    cal_set.add_argument(
        "kind", choices=["work", "off"], help="work: a working day; off: a day off"
    )
    cal_set.add_argument("--note", default="", help="e.g. 春节调休上班")
    cal_imp = cal.add_parser("import", help="load an override file (TOML, see resources/calendar/)")
    cal_imp.add_argument("file", type=Path)

    pol = sub.add_parser("policy", help="time-limit policy").add_subparsers(
        dest="action", required=True
    )
    pol.add_parser("show", help="versions and rules in force")
    pol_imp = pol.add_parser("import", help="add the versions of a policy file (TOML)")
    pol_imp.add_argument("file", type=Path)
    return p


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _open(args: argparse.Namespace, create: bool = False):  # type: ignore[no-untyped-def]
    from core.storage.db import resolve_url
    from core.store import open_store

    return open_store(resolve_url(args.db), create=create)


def cmd_db(args: argparse.Namespace) -> int:
    from core.storage import migrate
    from core.storage.db import create_db_engine, resolve_url
    from core.store import upgrade_and_seed

    url = resolve_url(args.db)
    engine = create_db_engine(url)
    if args.action == "upgrade":
        before = migrate.database_revision(engine)
        added = upgrade_and_seed(engine)
        print(f"schema: {before or '(empty)'} -> {migrate.database_revision(engine)}")
        print("reference data added: " + ", ".join(f"{k} {v}" for k, v in added.items()))
        return 0
    db_rev, ours = migrate.database_revision(engine), migrate.code_revision()
    if args.action == "current":
        print(f"database: {db_rev or '(empty)'}\nclient:   {ours}")
        return 0
    migrate.check_schema(engine)
    print(f"ok: schema {ours}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from core.storage.schema import events, orders, units, users

    store = _open(args)
    with store.engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (units, users, orders, events)
        }
    print(f"database: {store.url}")
    print("settings: " + ", ".join(f"{k}={v}" for k, v in store.settings().items()))
    print("rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_calendar(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sqlalchemy import delete, insert, select

    from core.calendar import WorkCalendar, load_overrides
    from core.storage.db import write_tx
    from core.storage.schema import calendar_overrides

    store = _open(args)
    if args.action == "status":
        ref = store.reference()
        this_year = datetime.now(UTC).year
        for year in range(this_year - 1, this_year + 3):
            flag = (
                "FALLBACK (weekends only; add the official dates)"
                if ref.calendar.is_fallback_year(year)
                else "official"
            )
            print(f"{year}: {flag}")
        with store.engine.connect() as conn:
            rows = conn.execute(select(calendar_overrides).order_by(calendar_overrides.c.day)).all()
        print(f"overrides: {len(rows)}")
        for r in rows:
            print(f"  {r.day} {'work' if r.working else 'off '} {r.note}")
        return 0
    now = datetime.now(UTC)
    if args.action == "set":
        items = [(args.day, args.kind == "work", args.note)]
    else:
        items = [(o.day, o.working, o.note) for o in load_overrides(args.file)]
    with write_tx(store.engine) as conn:
        for day, working, note in items:
            conn.execute(delete(calendar_overrides).where(calendar_overrides.c.day == day))
            conn.execute(
                insert(calendar_overrides).values(day=day, working=working, note=note, set_at=now)
            )
    guessed = sorted({d.year for d, _, _ in items if WorkCalendar().is_fallback_year(d.year)})
    print(f"saved {len(items)} day(s)")
    if guessed:
        print(f"years the library does not know, so overrides are all there is: {guessed}")
    return 0


def cmd_policy(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from core.storage.db import write_tx
    from core.storage.seed import import_policy_file

    store = _open(args)
    if args.action == "import":
        with write_tx(store.engine) as conn:
            n = import_policy_file(conn, args.file, datetime.now(UTC))
        print(f"added {n} policy version(s)")
        return 0
    for v in store.reference().policy.versions:
        since = v.effective_from.isoformat()
        print(f"version {v.id} from {since}, warning at {v.warn_ratio:.0%} remaining")
        for r in v.rules:
            keys = " ".join(f"{k}={','.join(sorted(vals))}" for k, vals in r.match.items())
            amount = f"{r.amount:>3} {r.unit:13} {r.end:10}"
            print(f"  {r.id:24} {r.limit:8} {amount} from {r.start:12} {keys}")
    return 0


def cmd_workstation(args: argparse.Namespace) -> int:
    store = _open(args, create=True)
    print(f"Command Center database ready: {store.url}")
    print("The workstation window arrives with the next issue; see `python main.py --help`.")
    return 0


SCHEMA_ADVICE = {
    "schema_missing": "the database has no schema yet: run `python main.py db upgrade` first",
    "schema_older": "the database schema is older than this client: run `main.py db upgrade`",
    "schema_newer": "the database was upgraded by a newer client: install that version here",
}

COMMANDS = {"db": cmd_db, "info": cmd_info, "calendar": cmd_calendar, "policy": cmd_policy}


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = _parser().parse_args(argv)
    from core.errors import CoreError, SchemaMismatch, ValidationError

    try:
        return COMMANDS.get(args.command, cmd_workstation)(args)
    except ValidationError as exc:
        print("error: the input was refused:", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e}", file=sys.stderr)
        return 1
    except SchemaMismatch as exc:
        print(f"error: {SCHEMA_ADVICE.get(exc.code, exc.code)}", file=sys.stderr)
        print(
            f"       database revision {exc.params.get('database')}, "
            f"client revision {exc.params.get('client')}",
            file=sys.stderr,
        )
        return 1
    except CoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
