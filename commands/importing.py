"""import: take another system's spreadsheet export in (信息归集) through a column mapping.

    python main.py --db URL import FILE [--mapping M] [--dry-run] [--as USERNAME]
                   [--encoding E] [--max-mb N]

Prints a summary and every refused row with its row number, field and reason; the good
rows still go in. Importing the same file again registers nothing twice. Exit codes: 0 all
rows in (or already there), 1 some rows refused, 2 the file, the mapping or the arguments
were refused whole.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commands import open_store

TEMPLATE = "template.toml"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="import a CSV or Excel export through a column mapping",
        description="Register the rows of another system's export (CSV or .xlsx) as orders, "
        "through the intake checks and the batch path. The mapping (TOML, documented in "
        "core/imports/mapping.py; examples in resources/imports/) says which column holds "
        "what; without --mapping the county's own template applies. Rows already imported "
        "from the same source are skipped.",
    )
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite file"
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the export: .csv or .xlsx")
    p.add_argument("--mapping", type=Path, metavar="M", help="column mapping (TOML)")
    p.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    p.add_argument(
        "--as",
        dest="username",
        metavar="USERNAME",
        help="the duty officer the orders are registered by (default: the first active duty "
        "officer of the county centre)",
    )
    p.add_argument("--encoding", default="utf-8-sig", help="CSV text encoding (default UTF-8)")
    p.add_argument(
        "--max-mb", type=float, default=200.0, help="refuse larger files unread (default 200)"
    )


def registering_user(store: Any, username: str | None) -> Any:
    """``username`` if active, else the first active duty officer of the county centre
    (``core.auth.acting_user``); None when there is none."""
    from core.auth import acting_user

    return acting_user(store, username)


def run(args: argparse.Namespace) -> int:
    from core.errors import CoreError
    from core.imports.mapping import MappingError, load_mapping
    from core.imports.run import import_file
    from core.imports.tabular import FileRefused
    from core.resources import RESOURCES
    from core.service import OrderService

    if args.max_mb <= 0:
        print("error: --max-mb must be positive", file=sys.stderr)
        return 2
    store = open_store(args)
    try:
        mapping = load_mapping(
            args.mapping or RESOURCES / "imports" / TEMPLATE, str(store.reference().tz)
        )
    except MappingError as exc:
        print(f"error: the mapping {exc.path} was refused:", file=sys.stderr)
        for table, field, code in exc.problems:
            print(f"  [{table}] {field}: {code}", file=sys.stderr)
        return 2
    actor = registering_user(store, args.username)
    if actor is None:
        who = args.username or "a duty officer at the county centre"
        print(f"error: no active user {who} to register the orders", file=sys.stderr)
        return 2
    try:
        report = import_file(
            OrderService(store),
            actor,
            args.file,
            mapping,
            dry_run=args.dry_run,
            encoding=args.encoding,
            max_bytes=int(args.max_mb * 1024 * 1024),
        )
    except FileRefused as exc:
        detail = ", ".join(f"{k}={v}" for k, v in exc.params.items())
        print(f"error: {args.file} was refused: {exc.code} ({detail})", file=sys.stderr)
        return 2
    except CoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    verb = "would register" if report.dry_run else "registered"
    print(
        f"{args.file.name} ({report.source}): {report.rows} rows; {verb} {report.accepted}, "
        f"already imported {len(report.duplicates)}, refused {len(report.refused)}"
        f"{' (dry run: nothing written)' if report.dry_run else ''}; as {actor.username}"
    )
    for p in report.refused:
        value = f" [{p.value}]" if p.value else ""
        print(f"  row {p.row}: {p.field or 'row'}: {p.code}{value}")
    return 1 if report.refused else 0
