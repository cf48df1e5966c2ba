"""db upgrade | current | check."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    db = sub.add_parser("db", help="schema revisions").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="create or migrate the schema, then add missing reference data")
    db.add_parser("current", help="print the database's and this client's schema revision")
    db.add_parser("check", help="exit 1 unless the database's revision is this client's")


def run(args: argparse.Namespace) -> int:
    from core.storage import migrate
    from core.storage.db import create_db_engine, resolve_url
    from core.store import upgrade_and_seed

    engine = create_db_engine(resolve_url(args.db))
    try:
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
    finally:
        engine.dispose()
