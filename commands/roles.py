"""roles create|drop|list|grant: users' own PostgreSQL roles (row-level security).

Bad input (unknown user, SQLite, no CREATEROLE) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

USAGE_ERROR = 2


def register(sub: Any) -> None:
    roles = sub.add_parser(
        "roles", help="users' PostgreSQL login roles and their privileges (PostgreSQL only)"
    ).add_subparsers(dest="action", required=True)
    create = roles.add_parser(
        "create", help="create a user's login role (or set a new password on it)"
    )
    who = create.add_mutually_exclusive_group(required=True)
    who.add_argument("username", nargs="?", help="the user's login name")
    who.add_argument("--all", action="store_true", help="every active user without a role")
    create.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (default: generate and print one)",
    )
    drop = roles.add_parser("drop", help="drop a user's login role")
    who = drop.add_mutually_exclusive_group(required=True)
    who.add_argument("username", nargs="?", help="the user's login name")
    who.add_argument("--all", action="store_true", help="every user role and the group role")
    roles.add_parser("list", help="users and their database roles")
    roles.add_parser(
        "grant", help="create the group role and (re)apply its privileges (after an upgrade)"
    )


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from core.storage import dbroles
    from core.storage.db import create_db_engine, resolve_url, write_tx

    engine = create_db_engine(resolve_url(args.db))
    try:
        with write_tx(engine) as conn:
            return _run(args, conn, dbroles)
    except dbroles.RoleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except DBAPIError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return USAGE_ERROR
    finally:
        engine.dispose()


def _run(args: argparse.Namespace, conn: Any, dbroles: Any) -> int:
    from sqlalchemy import select

    from core.storage.schema import users

    if args.action == "grant":
        print(f"group role {dbroles.grant(conn)}: privileges applied")
        return 0
    if args.action == "list":
        dbroles.require_postgres(conn)
        for r in dbroles.list_roles(conn):
            state = (
                "-" if r.db_role is None else (r.db_role if r.exists else f"{r.db_role} (missing)")
            )
            print(f"{r.username}\t{r.display_name}\t{r.unit_name}\t{state}")
        return 0
    if args.action == "drop":
        if args.all:
            for name in dbroles.drop_all(conn):
                print(f"dropped {name}")
            return 0
        name = dbroles.drop_role(conn, args.username)
        print(f"dropped {name}" if name else f"{args.username} had no database role")
        return 0
    # create
    dbroles.require_postgres(conn)
    if args.all:
        if args.password_stdin:
            raise dbroles.RoleError("--password-stdin creates one role; give a username")
        names = conn.execute(
            select(users.c.username)
            .where(users.c.active.is_(True), users.c.db_role.is_(None))
            .order_by(users.c.username)
        ).scalars()
        for username in list(names):
            role, password = dbroles.create_role(conn, username)
            print(f"{username}\t{role}\t{password}")
        return 0
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise dbroles.RoleError("no password on stdin")
    role, password_used = dbroles.create_role(conn, args.username, password)
    print(f"{args.username}\t{role}" + ("" if args.password_stdin else f"\t{password_used}"))
    return 0
