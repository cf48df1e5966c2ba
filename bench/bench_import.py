"""Import throughput: the 19,999 Los Angeles rows through the full path (read, mapping, grid
lookup, de-duplication, orders and events), beside a raw SQL bulk insert of the same rows
in the same run, reported as a ratio.

    python -m bench.bench_import --db FILE.sqlite3 [--runs 3]
    python -m bench.bench_import --db postgresql://postgres@127.0.0.1:5432/county [--runs 3]

``--db`` is a county database (``main.py demo``); each run imports into a fresh copy of it
(a copied file, or on PostgreSQL a database made with ``CREATE DATABASE … TEMPLATE`` and
dropped after).
Target (issue 7): at least 20,000 rows per second on the full path.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "replay"
FILES = ("la311_2017-12-27_to_31.csv", "la311_2018-01-01_to_04.csv")
TARGET = 20_000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "--db", required=True, help="a county database: a SQLite file or a postgresql:// URL"
    )
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import text

    from commands.importing import registering_user
    from core.imports.mapping import convert, load_mapping
    from core.imports.run import county_box, fewer_collections, import_drafts
    from core.imports.tabular import read_table
    from core.resources import RESOURCES
    from core.service import OrderService
    from core.store import open_store

    paths = [DATA / f for f in FILES]
    stages: dict[str, list[float]] = {"read + map": [], "import": [], "raw insert": []}
    registered = refused = rows_total = 0
    backend = "PostgreSQL" if "://" in args.db and args.db.startswith("postgres") else "SQLite"
    for _run in range(args.runs):
        with _copy_of(args.db) as url:
            store = open_store(url)
            svc = OrderService(store)
            actor = registering_user(store, None)
            mapping = load_mapping(RESOURCES / "imports" / "la311.toml").onto(county_box(svc))
            with fewer_collections():  # as import_file, the path `main.py import` takes
                t0 = time.perf_counter()
                drafts, rows = [], []
                for path in paths:
                    sheet = read_table(path, mapping.needed())
                    rows += sheet.rows
                    drafts += convert(sheet.rows, mapping).drafts
                t1 = time.perf_counter()
                report = import_drafts(svc, actor, drafts, mapping.source)
                gc.collect()  # what collecting less often deferred is paid here, not later
                t2 = time.perf_counter()
            with store.engine.begin() as conn:
                conn.execute(
                    text(
                        "CREATE TABLE raw_la (id TEXT, created TEXT, kind TEXT, address TEXT,"
                        " lon REAL, lat REAL)"
                    )
                )
                t3 = time.perf_counter()
                conn.execute(
                    text("INSERT INTO raw_la VALUES (:i, :c, :k, :a, :x, :y)"),
                    [
                        {
                            "i": r.get("SRNumber"),
                            "c": r.get("CreatedDate"),
                            "k": r.get("RequestType"),
                            "a": r.get("Address"),
                            "x": float(r["Longitude"]) if r.get("Longitude") else None,
                            "y": float(r["Latitude"]) if r.get("Latitude") else None,
                        }
                        for r in rows
                    ],
                )
                t4 = time.perf_counter()
            store.engine.dispose()
        stages["read + map"].append(t1 - t0)
        stages["import"].append(t2 - t1)
        stages["raw insert"].append(t4 - t3)
        rows_total, registered = len(rows), report.accepted
        refused = len(report.refused) + (len(rows) - len(drafts))
    full = [a + b for a, b in zip(stages["read + map"], stages["import"], strict=True)]
    med = statistics.median
    raw_rate = rows_total / med(stages["raw insert"])
    full_rate = rows_total / med(full)
    print(
        f"Los Angeles 311, {rows_total} rows ({registered} registered, {refused} refused: "
        f"no coordinates or outside the county), {backend}, median of {args.runs}"
    )
    print()
    print("| stage | seconds | rows/s |")
    print("|---|---:|---:|")
    for name, values in stages.items():
        print(f"| {name} | {med(values):.2f} | {rows_total / med(values):,.0f} |")
    print(
        f"| full path (read, map, grid lookup, de-dup, orders, events) | {med(full):.2f} | "
        f"{full_rate:,.0f} |"
    )
    print()
    print(
        f"raw insert / full path: {raw_rate / full_rate:.1f}x; target {TARGET:,} rows/s on "
        f"the full path: {'met' if full_rate >= TARGET else 'NOT met'}"
    )
    return 0


@contextmanager
def _copy_of(db: str) -> Iterator[str]:
    """A URL of a fresh copy of the county ``db``, removed afterwards."""
    if not db.startswith("postgres"):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "county.sqlite3"
            shutil.copy(db, copy)
            yield f"sqlite:///{copy}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(db).set(drivername="postgresql+psycopg")
    template, name = url.database, f"{url.database}_bench_import"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        try:
            yield url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
