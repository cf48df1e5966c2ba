"""drill create|drop: a drill's own database, made from the live organisation (演练库).

    python main.py drill create --from LIVE_URL --to DRILL_URL --name NAME
    python main.py drill drop DRILL_URL

The live database is only read. Bad input (a missing argument, a target that exists,
a live database given as the target or to drop) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

USAGE_ERROR = 2

REASONS = {
    "drill_name_required": "give the drill a name (--name)",
    "drill_url_unsupported": "{url}: give a SQLite file or a postgresql:// URL with a database",
    "drill_name_unsupported": "database name {database!r}: use letters, digits, _ and - only",
    "drill_same_database": "{url} is the live database: a drill needs a database of its own",
    "drill_target_exists": "{url} exists already: a drill database is always created new",
    "drill_source_missing": "{url}: no such database file",
    "drill_source_unreadable": "cannot read the live database {url}: {reason}",
    "drill_source_is_drill": "{url} is a drill database: make drills from the live database",
    "createdb_required": "role {role} may not create databases: a drill database on "
    "PostgreSQL needs the {right} right (ALTER ROLE {role} CREATEDB)",
    "drill_missing": "{url}: no such database",
    "not_a_drill_database": "{url} is not a drill database: only a drill database is dropped",
}


def register(sub: Any) -> None:
    drill = sub.add_parser(
        "drill", help="a drill's own database: create it from the live one, drop it"
    ).add_subparsers(dest="action", required=True)
    create = drill.add_parser(
        "create",
        help="create a drill database from the live organisation (the live one is only read)",
        description="Copy the organisation, users, categories, standard addresses, calendar, "
        "policy and settings of the live database into a new drill database; no orders, "
        "events or alerts. On PostgreSQL the connecting role needs CREATEDB.",
    )
    create.add_argument("--from", dest="source", required=True, metavar="LIVE_URL")
    create.add_argument("--to", dest="target", required=True, metavar="DRILL_URL")
    create.add_argument("--name", required=True, help="the drill's name, shown on every screen")
    drop = drill.add_parser(
        "drop", help="delete a drill database (refuses any database that is not a drill's)"
    )
    drop.add_argument("target", metavar="DRILL_URL")


def _reason(exc: Any) -> str:
    template = REASONS.get(exc.code)
    if template is None:
        return str(exc)
    try:
        return template.format(**exc.params)
    except (KeyError, IndexError):
        return str(exc)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from core.drill.database import DrillError
    from core.errors import SchemaMismatch
    from core.storage.dbroles import RoleError

    try:
        return _create(args) if args.action == "create" else _drop(args)
    except DrillError as exc:
        print(f"error: {_reason(exc)}", file=sys.stderr)
        return USAGE_ERROR
    except SchemaMismatch as exc:
        print(
            f"error: the live database is at schema revision {exc.params.get('database')}, "
            f"this client at {exc.params.get('client')}: upgrade first (main.py db upgrade)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    except RoleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except DBAPIError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 1


def _create(args: argparse.Namespace) -> int:
    from core.drill.database import create_drill_database

    info = create_drill_database(args.source, args.target, name=args.name)
    print(f"drill database {info.name!r} created at {info.url}")
    print(f"  from {info.source} (read only)")
    for table, count in info.copied.items():
        print(f"  {table:<20} {count:>8} rows copied")
    print(
        "  orders, events, limits, attachments, feed items and alerts: none (a drill starts empty)"
    )
    print(f"open it:  python main.py --db {info.url}          (a trainee's workstation)")
    print(f"          python main.py --db {info.url} --wall   (the wall)")
    if info.url.startswith("postgresql"):
        print(
            "trainees log in with their own usernames and passwords over this URL's role; "
            f"for per-user roles: python main.py --db {info.url} roles create --all"
        )
    print(f"drop it:  python main.py drill drop {info.url}")
    return 0


def _drop(args: argparse.Namespace) -> int:
    from core.drill.database import drop_drill_database

    dropped = drop_drill_database(args.target)
    print(f"drill database {dropped.name!r} dropped: {dropped.url}")
    for role in dropped.roles:
        print(f"  dropped role {role}")
    return 0
