"""A big county in minutes: a demo county whose past is multiplied to N orders.

    python -m bench.big_county --out FILE.sqlite [--orders 1000000] [--pg URL]

The demo generator drives every order through the real workflow, which took 44 minutes
for 1,000,000 orders. This builds a demo county of ``--template`` orders (default 20,000)
over ``--period`` days (default 126: 18 whole weeks, so weekdays and hours keep their
rhythm; 20,000 orders in 18 weeks is about a real county's 58,000 a year), then copies
that period back in time again and again with INSERT … SELECT until there are N orders.

Each copy ("clone") gets:
- new ids: the source's id plus k times the table's counter, for orders, hops,
  time_limits, order_callers and state_intervals, so every reference between them maps
  the same way; the counters are bumped past the copies (core.storage.ids), so the app
  still runs and writes;
- a new unique order number ``YYYY-nnnnnn`` in its own local year, in registration order
  within a year, after the numbers that year already used (its counter is bumped too);
- every time shifted back by k whole periods;
- a closed life: orders open in the source are closed (a satisfied visit three days after
  their last change), their live hops answered, their limits ended (the overdue flag
  frozen against that moment), their last state interval ended and a closed one opened.
  Merged, voided and transferred orders stay what they were. So the open work is the
  demo's own: about 1–3 % of a year's orders, as in a real county.

Events and attachments are not copied (the clones have no timeline); state intervals
carry event id 0 for that reason. ANALYZE runs at the end (--no-analyze to skip).

On PostgreSQL (``--pg URL``, a database that is empty or missing; it is created) the copy
runs with ``session_replication_role = replica`` (no foreign-key or trigger work per
row) and fills ``order_reach`` (migration 0008) itself: the connecting role must be a
superuser, as the bench's ``postgres`` is.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, create_engine, select, text, update
from sqlalchemy.engine import make_url

from core.domain.enums import LIVE_HOP_STATES, OPEN_STATES
from core.storage.schema import (
    hops,
    order_callers,
    orders,
    settings,
    state_intervals,
    time_limits,
)
from core.storage.types import UTCDateTime

CLONED = ("orders", "hops", "time_limits", "order_callers", "state_intervals")
CLOSE_AFTER_DAYS = 3  # an open source order's clone closes this long after its last change
TABLES = {t.name: t for t in (orders, hops, time_limits, order_callers, state_intervals)}


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join(f"'{v}'" for v in sorted(str(v) for v in values))


OPEN = _sql_list(OPEN_STATES)
LIVE_HOPS = _sql_list(LIVE_HOP_STATES)


class Dialect:
    """The few spellings that differ between the backends."""

    def __init__(self, name: str) -> None:
        self.pg = name == "postgresql"

    def shift(self, expr: str, days: int) -> str:
        """``expr`` moved back by ``days`` (negative: forward); NULL stays NULL."""
        if self.pg:
            return f"({expr} - interval '{days} days')"
        # SQLAlchemy stores "YYYY-MM-DD HH:MM:SS.ffffff" on SQLite: keep the fraction as is.
        return f"(strftime('%Y-%m-%d %H:%M:%S', {expr}, '{-days:+d} days') || substr({expr}, 20))"

    def boolean(self, cond: str) -> str:
        return f"(CASE WHEN {cond} THEN TRUE ELSE FALSE END)"


# --- building ------------------------------------------------------------------------------


def build_template(url: str, n: int, period_days: int, seed: int) -> tuple[int, float]:
    from core.demo import build_demo, load_config

    cfg = load_config()
    cfg["orders"]["days"] = period_days
    last = [-1]

    def progress(stage: str, fraction: float) -> None:
        step = int(fraction * 10)
        if step != last[0]:
            last[0] = step
            print(f"  demo {stage:<12} {fraction:4.0%}", flush=True)

    summary = build_demo(url, orders=n, seed=seed, config=cfg, progress=progress)
    return summary.orders, summary.seconds


def _indexes(conn: Connection, pg: bool) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the secondary indexes of the cloned tables, except those
    behind a constraint (primary keys, unique numbers): dropped for the copy, rebuilt after."""
    if pg:
        rows = conn.execute(
            text(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid"
                " JOIN pg_class t ON t.oid = x.indrelid"
                " WHERE t.relname = ANY(:tables)"
                " AND t.relnamespace = current_schema()::regnamespace"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
            ),
            {"tables": [*CLONED, "order_reach"]},
        ).all()
    else:
        rows = conn.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                " AND tbl_name IN (" + _sql_list(CLONED) + ")"
            )
        ).all()
    return [(r[0], r[1]) for r in rows]


def _counter(conn: Connection, name: str) -> int:
    value = conn.execute(text("SELECT value FROM counters WHERE name = :n"), {"n": name}).scalar()
    return int(value or 0)


def _set_counter(conn: Connection, name: str, value: int) -> None:
    if conn.execute(text("SELECT 1 FROM counters WHERE name = :n"), {"n": name}).first():
        conn.execute(
            text("UPDATE counters SET value = :v WHERE name = :n AND value < :v"),
            {"n": name, "v": value},
        )
    else:
        conn.execute(
            text("INSERT INTO counters (name, value) VALUES (:n, :v)"), {"n": name, "v": value}
        )


def _plan(
    sources: list[tuple[int, datetime]], want: int, period_days: int
) -> list[tuple[datetime, int, int]]:
    """(shifted registration, k, source id) of every clone: whole periods back, the oldest
    one partial (only its newest orders, so the timeline has no hole)."""
    out: list[tuple[datetime, int, int]] = []
    if not sources:
        return out
    k = 0
    newest_first = sorted(sources, key=lambda s: s[1], reverse=True)
    while len(out) < want:
        k += 1
        shift = timedelta(days=k * period_days)
        for sid, at in newest_first[: want - len(out)]:
            out.append((at - shift, k, sid))
    return out


def _numbers(
    plan: list[tuple[datetime, int, int]], used: dict[int, int], tz: ZoneInfo
) -> list[tuple[int, int, str]]:
    """(k, source id, number); numbers follow registration within each local year."""
    rows: list[tuple[int, int, str]] = []
    for at, k, sid in sorted(plan):
        year = at.astimezone(tz).year
        used[year] = used.get(year, 0) + 1
        rows.append((k, sid, f"{year}-{used[year]:06d}"))
    return rows


def _load_map(conn: Connection, rows: list[tuple[int, int, str]], pg: bool) -> None:
    conn.exec_driver_sql(
        "CREATE TEMPORARY TABLE bc_map (k INTEGER NOT NULL, src_id BIGINT NOT NULL,"
        " number VARCHAR(32) NOT NULL, PRIMARY KEY (k, src_id))"
    )
    if pg:
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy("COPY bc_map (k, src_id, number) FROM STDIN") as cp:
            buf = io.StringIO()
            for k, sid, number in rows:
                buf.write(f"{k}\t{sid}\t{number}\n")
            cp.write(buf.getvalue())
    else:
        conn.exec_driver_sql("INSERT INTO bc_map (k, src_id, number) VALUES (?, ?, ?)", rows)


def _select_list(table: str, exprs: dict[str, str], shift_days: int, d: Dialect) -> str:
    """Every column of ``table`` from alias ``s``: ``exprs`` overrides; times are shifted."""
    out = []
    for col in TABLES[table].c:
        if col.name in exprs:
            out.append(exprs[col.name])
        elif isinstance(col.type, UTCDateTime):
            out.append(d.shift(f"s.{col.name}", shift_days))
        else:
            out.append(f"s.{col.name}")
    return ", ".join(out)


def _columns(table: str) -> str:
    return ", ".join(c.name for c in TABLES[table].c)


def clone_period(conn: Connection, d: Dialect, k: int, days: int, off: dict[str, int]) -> None:
    """One period k: every source order in bc_map for k, with its rows, ``days`` back."""
    o_off, h_off, t_off = off["orders"] * k, off["hops"] * k, off["time_limits"] * k
    c_off, s_off = off["order_callers"] * k, off["state_intervals"] * k
    is_open = f"o.state IN ({OPEN})"
    closes = d.shift("o.updated_at", days - CLOSE_AFTER_DAYS)  # for clones of open orders
    mapped = f"JOIN bc_map m ON m.src_id = o.id AND m.k = {k}"

    order_cols = _select_list(
        "orders",
        {
            "id": f"s.id + {o_off}",
            "number": "m.number",
            "state": f"CASE WHEN s.state IN ({OPEN}) THEN 'closed' ELSE s.state END",
            "closed_at": f"CASE WHEN s.state IN ({OPEN}) THEN "
            f"{d.shift('s.updated_at', days - CLOSE_AFTER_DAYS)} "
            f"ELSE {d.shift('s.closed_at', days)} END",
            "visit_result": f"CASE WHEN s.state IN ({OPEN}) THEN 'satisfied' "
            "ELSE s.visit_result END",
            "pending_request": f"CASE WHEN s.state IN ({OPEN}) THEN NULL"
            " ELSE s.pending_request END",
            "paused_at": f"CASE WHEN s.state IN ({OPEN}) THEN NULL "
            f"ELSE {d.shift('s.paused_at', days)} END",
            "merged_into_id": f"s.merged_into_id + {o_off}",
        },
        days,
        d,
    )
    conn.exec_driver_sql(
        f"INSERT INTO orders ({_columns('orders')}) SELECT {order_cols}"
        f" FROM bc_src_orders s JOIN bc_map m ON m.src_id = s.id AND m.k = {k}"
    )
    hop_cols = _select_list(
        "hops",
        {
            "id": f"s.id + {h_off}",
            "order_id": f"s.order_id + {o_off}",
            "parent_id": f"s.parent_id + {h_off}",
            "state": f"CASE WHEN {is_open} AND s.state IN ({LIVE_HOPS}) THEN 'answered'"
            " ELSE s.state END",
            "answered_at": f"CASE WHEN {is_open} AND s.answered_at IS NULL THEN {closes}"
            f" ELSE {d.shift('s.answered_at', days)} END",
        },
        days,
        d,
    )
    conn.exec_driver_sql(
        f"INSERT INTO hops ({_columns('hops')}) SELECT {hop_cols}"
        f" FROM bc_src_hops s JOIN bc_src_orders o ON o.id = s.order_id {mapped}"
    )
    due = d.shift("s.due_at", days)
    limit_cols = _select_list(
        "time_limits",
        {
            "id": f"s.id + {t_off}",
            "order_id": f"s.order_id + {o_off}",
            "hop_id": f"s.hop_id + {h_off}",
            "ended_at": f"CASE WHEN s.ended_at IS NULL THEN {closes}"
            f" ELSE {d.shift('s.ended_at', days)} END",
            "ended_overdue": f"CASE WHEN s.ended_at IS NULL THEN {d.boolean(f'{due} < {closes}')}"
            " ELSE s.ended_overdue END",
            "paused_at": f"CASE WHEN s.ended_at IS NULL THEN NULL"
            f" ELSE {d.shift('s.paused_at', days)} END",
        },
        days,
        d,
    )
    conn.exec_driver_sql(
        f"INSERT INTO time_limits ({_columns('time_limits')}) SELECT {limit_cols}"
        f" FROM bc_src_time_limits s JOIN bc_src_orders o ON o.id = s.order_id {mapped}"
    )
    caller_cols = _select_list(
        "order_callers",
        {
            "id": f"s.id + {c_off}",
            "order_id": f"s.order_id + {o_off}",
            "from_order_id": f"s.from_order_id + {o_off}",
        },
        days,
        d,
    )
    conn.exec_driver_sql(
        f"INSERT INTO order_callers ({_columns('order_callers')}) SELECT {caller_cols}"
        f" FROM bc_src_order_callers s JOIN bc_src_orders o ON o.id = s.order_id {mapped}"
    )
    interval_cols = _select_list(
        "state_intervals",
        {
            "id": f"s.id + {s_off}",
            "order_id": f"s.order_id + {o_off}",
            "valid_to": f"CASE WHEN s.valid_to IS NULL AND {is_open} THEN {closes}"
            f" ELSE {d.shift('s.valid_to', days)} END",
            "from_event_id": "0",
            "to_event_id": f"CASE WHEN s.valid_to IS NULL AND NOT ({is_open}) THEN NULL ELSE 0 END",
        },
        days,
        d,
    )
    conn.exec_driver_sql(
        f"INSERT INTO state_intervals ({_columns('state_intervals')}) SELECT {interval_cols}"
        f" FROM bc_src_state_intervals s JOIN bc_src_orders o ON o.id = s.order_id {mapped}"
    )
    # The closed interval of each clone of an open order: ids past every copied interval.
    conn.exec_driver_sql(
        f"INSERT INTO state_intervals ({_columns('state_intervals')})"
        f" SELECT {off['closed_intervals']} + o.id + {o_off}, o.id + {o_off}, 'closed',"
        f" {closes}, NULL, 0, NULL FROM bc_src_orders o {mapped} WHERE {is_open}"
    )


def multiply(engine: Engine, want: int, period_days: int, tz: ZoneInfo) -> dict[str, int]:
    """Copy the demo's period back until the database holds ``want`` orders."""
    d = Dialect(engine.dialect.name)
    with engine.connect() as conn:
        if d.pg:
            conn.exec_driver_sql("SET session_replication_role = replica")
            conn.exec_driver_sql("SET maintenance_work_mem = '512MB'")
        else:
            for pragma in (
                "foreign_keys = OFF",
                "journal_mode = OFF",
                "synchronous = OFF",
                "cache_size = -1000000",
                "temp_store = MEMORY",
            ):
                conn.exec_driver_sql(f"PRAGMA {pragma}")
        conn.commit()
        with conn.begin():
            have = int(conn.exec_driver_sql("SELECT count(*) FROM orders").scalar_one())
            sources = [
                (int(r[0]), r[1]) for r in conn.execute(select(orders.c.id, orders.c.registered_at))
            ]
            off = {t: _counter(conn, t) for t in CLONED}
            plan = _plan(sources, max(0, want - have), period_days)
            periods = max((k for _, k, _ in plan), default=0)
            used = {
                int(r[0].split(":")[1]): int(r[1])
                for r in conn.execute(
                    text("SELECT name, value FROM counters WHERE name LIKE 'order_number:%'")
                )
            }
            numbers = _numbers(plan, used, tz)
            del plan
            _load_map(conn, numbers, d.pg)
            del numbers
            for t in CLONED:
                conn.exec_driver_sql(f"CREATE TEMPORARY TABLE bc_src_{t} AS SELECT * FROM {t}")
            conn.exec_driver_sql("CREATE INDEX bc_src_orders_id ON bc_src_orders (id)")
            indexes = _indexes(conn, d.pg)
            for name, _ in indexes:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
            # closed intervals for clones of open orders: ids after every copied interval
            off["closed_intervals"] = off["state_intervals"] * (periods + 1)
            started = time.perf_counter()
            for k in range(1, periods + 1):
                clone_period(conn, d, k, k * period_days, off)
                if k % 5 == 0 or k == periods:
                    print(
                        f"  period {k}/{periods} copied ({time.perf_counter() - started:.0f} s)",
                        flush=True,
                    )
            if d.pg and conn.execute(text("SELECT to_regclass('order_reach')")).scalar():
                # session_replication_role kept migration 0008's triggers quiet: fill it here.
                floor = off["orders"]
                conn.exec_driver_sql(
                    "INSERT INTO order_reach (order_id, unit_id)"
                    f" SELECT id, location_unit_id FROM orders WHERE id > {floor}"
                    f" UNION SELECT order_id, sender_unit_id FROM hops WHERE order_id > {floor}"
                    f" UNION SELECT order_id, receiver_unit_id FROM hops WHERE order_id > {floor}"
                    " ON CONFLICT DO NOTHING"
                )
            t0 = time.perf_counter()
            for _, create in indexes:
                conn.exec_driver_sql(create)
            print(f"  indexes rebuilt in {time.perf_counter() - t0:.0f} s", flush=True)
            for t in CLONED:
                top = conn.exec_driver_sql(f"SELECT max(id) FROM {t}").scalar()
                _set_counter(conn, t, int(top or 0))
            for year, value in used.items():
                _set_counter(conn, f"order_number:{year}", value)
            for t in CLONED:
                conn.exec_driver_sql(f"DROP TABLE bc_src_{t}")
            conn.exec_driver_sql("DROP TABLE bc_map")
            _note_in_settings(conn, want, periods, period_days)
        if d.pg:
            conn.exec_driver_sql("RESET session_replication_role")
        else:
            conn.exec_driver_sql("PRAGMA journal_mode = WAL")
        return {"periods": periods}


def _note_in_settings(conn: Connection, total: int, periods: int, period_days: int) -> None:
    """The demo_county setting keeps the demo's own figures; add what was multiplied."""
    key = settings.c.key == "demo_county"
    raw = conn.execute(select(settings.c.value).where(key)).scalar()
    if raw is None:
        return
    value = dict(raw)
    value["big_county"] = {
        "orders": total,
        "periods": periods,
        "period_days": period_days,
        "events_copied": False,
    }
    conn.execute(update(settings).where(key).values(value=value))


def timezone(engine: Engine) -> ZoneInfo:
    """The county's zone (core.store reads it the same way), without the schema check of
    open_store: the code may have moved on while the demo was generated."""
    with engine.connect() as conn:
        name = conn.execute(select(settings.c.value).where(settings.c.key == "timezone")).scalar()
    return ZoneInfo(str(name or "Asia/Shanghai"))


def upgrade_schema(url: str) -> str | None:
    """Bring the database to the code's schema revision; the new revision when one ran.
    Other work lands migrations while a build runs, and the app refuses another revision."""
    from core.storage import migrate
    from core.storage.db import create_db_engine

    engine = create_db_engine(url)
    try:
        before = migrate.database_revision(engine)
        if before == migrate.code_revision():
            return None
        migrate.upgrade(engine)
        return migrate.database_revision(engine)
    finally:
        engine.dispose()


def analyze(engine: Engine) -> float:
    t0 = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit = 0")  # every row: 5 s at 1M
        conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - t0


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one())
            for t in (*CLONED, "events")
        }


def pg_url(server: str) -> str:
    """The --pg URL's database, created when it does not exist."""
    url = make_url(server).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
        ).first()
        if not found:
            conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    admin.dispose()
    return url.render_as_string(hide_password=False)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", help="the SQLite file to build (refused if it exists)")
    p.add_argument("--pg", help="build into this PostgreSQL database instead (empty or missing)")
    p.add_argument("--orders", type=int, default=1_000_000)
    p.add_argument("--template", type=int, default=20_000, help="orders the demo generates")
    p.add_argument("--period", type=int, default=126, help="days the demo's orders span")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--no-analyze", action="store_true")
    args = p.parse_args(argv)
    if bool(args.out) == bool(args.pg):
        p.error("give exactly one of --out FILE and --pg URL")
    if args.out:
        out = Path(args.out).resolve()
        if out.exists():
            p.error(f"{out} exists; remove it first")
        url = f"sqlite:///{out}"
    else:
        url = pg_url(args.pg)

    began = time.perf_counter()
    print(f"building a demo county of {args.template:,} orders over {args.period} days …")
    made, demo_s = build_template(url, min(args.template, args.orders), args.period, args.seed)
    print(f"  {made:,} orders generated in {demo_s:.0f} s")

    engine = create_engine(url)
    t0 = time.perf_counter()
    print(f"multiplying the past to {args.orders:,} orders …")
    info = multiply(engine, args.orders, args.period, timezone(engine))
    upgraded = upgrade_schema(url)
    if upgraded:
        print(f"  schema upgraded to {upgraded} (a migration arrived meanwhile)")
    copy_s = time.perf_counter() - t0
    analyze_s = 0.0 if args.no_analyze else analyze(engine)
    counts = row_counts(engine)
    engine.dispose()
    total_s = time.perf_counter() - began

    years = info["periods"] * args.period / 365.25
    print(f"\nbig county ready: {url if args.pg else out}")
    print(f"{'table':<16} {'rows':>12}")
    for t, n in counts.items():
        print(f"{t:<16} {n:>12,}")
    print(
        f"\ndemo {demo_s:.0f} s + copy {copy_s:.0f} s ({info['periods']} periods of "
        f"{args.period} days, {years:.1f} years back) + ANALYZE {analyze_s:.0f} s = "
        f"{total_s:.0f} s ({total_s / 60:.1f} min)"
    )
    print(
        "events were not copied: only the demo's own orders have a timeline; the copies "
        "are closed orders with hops, limits, callers and state intervals."
    )
    if not args.pg:
        print(f"file size {out.stat().st_size / 1e9:.2f} GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
