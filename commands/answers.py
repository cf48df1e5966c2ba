"""answers: the answers and returns owed to the platform imported orders came from.

    python main.py --db URL answers --source NAME --out FILE.csv [--since "YYYY-MM-DD HH:MM"]

The file's format is documented in core/imports/answers.py. Exit codes: 0 written (an
empty file when nothing is owed), 2 bad arguments or an unwritable file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from commands import open_store


def _local(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a local time YYYY-MM-DD HH:MM: {text!r}") from None


def register(sub: Any) -> None:
    p = sub.add_parser(
        "answers",
        help="write the answers and returns owed to an importing platform (12345, 110 …)",
        description="Write a CSV of the answers (办结, 直接答复) and returns (退回, 作废) of the "
        "orders imported from SOURCE, for the platform to take back in.",
    )
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite file"
    )
    p.add_argument("--source", required=True, metavar="NAME", help="e.g. city12345")
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument(
        "--since", type=_local, metavar="'YYYY-MM-DD HH:MM'", help="only after this local time"
    )


def run(args: argparse.Namespace) -> int:
    from core.imports.answers import answers, to_csv
    from core.storage.db import read_tx

    store = open_store(args)
    ref = store.reference()
    since = args.since.replace(tzinfo=ref.tz) if args.since else None
    names = {u.id: u.name for u in ref.org.all()}
    with read_tx(store.engine) as conn:
        rows = answers(conn, args.source, since, names)
    try:
        args.out.write_bytes(to_csv(rows, ref.tz))
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: {len(rows)} answers and returns for {args.source}")
    return 0
