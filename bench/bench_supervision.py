"""The supervision page's reads (督办) on a big county.

    python -m bench.bench_supervision [--db URL] [--repeat 5]

``--db`` defaults to /tmp/cc_1m.sqlite, built with ``python -m bench.big_county`` when it is
missing (as bench_workstation does). Each read runs in this process through core, once
untimed and then ``--repeat`` times, as the county supervisor supervisor01 and the town
supervisor t01sup:

- warning and overdue orders by accountable unit (``core.supervision.unit_loads``);
- the first page (100 rows) of the busiest unit's orders, with notices and suggestions
  (``late_orders``);
- the pause and extension requests awaiting a decision (``pending_requests``).

Two clocks: the database's latest event (the demo's open work as late as it was when the
demo ended) and 30 days later, when every open order with a deadline is overdue (the worst
case: the most units and rows to group).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import func, select

from bench.bench_workstation import DEFAULT_DB, ROOT, ensure_db, ms, timed

USERS = ("supervisor01", "t01sup")


def p50_max(values: list[float]) -> str:
    return f"p50 {ms(statistics.median(values))}, max {ms(max(values))}"


def run(url: str, repeat: int) -> list[tuple[str, str]]:
    from core.storage.schema import events, orders
    from core.store import open_store
    from core.supervision import load_rule

    store = open_store(url)
    rows: list[tuple[str, str]] = []
    try:
        ref = store.reference()
        org, rule = ref.org, load_rule()
        with store.engine.connect() as conn:
            n = conn.execute(select(func.count()).select_from(orders)).scalar_one()
            last: datetime = conn.execute(select(func.max(events.c.at))).scalar_one()
            for label, now in (
                ("at the last event", last + timedelta(minutes=1)),
                ("30 days on", last + timedelta(days=30)),
            ):
                rows += _reads(conn, ref, org, rule, n, now, label, repeat)
    finally:
        store.engine.dispose()
    return rows


def _reads(
    conn: Any, ref: Any, org: Any, rule: Any, n: int, now: datetime, label: str, repeat: int
) -> list[tuple[str, str]]:
    from core.auth import load_actor
    from core.storage.schema import users
    from core.supervision import late_orders, pending_requests, supervision_scope, unit_loads

    rows: list[tuple[str, str]] = []
    for name in USERS:
        uid = conn.execute(select(users.c.id).where(users.c.username == name)).scalar()
        if uid is None:
            continue
        actor = load_actor(conn, uid)
        scope = supervision_scope(actor, org)
        loads = unit_loads(conn, org, scope, now)
        late = sum(u.warning + u.overdue for u in loads)
        t = timed(partial(unit_loads, conn, org, scope, now), repeat)
        rows.append(
            (f"{label}, {name}: by unit at {n:,} ({len(loads)} units, {late} late)", p50_max(t))
        )
        if loads:
            busiest = max(loads, key=lambda u: u.warning + u.overdue)
            read: Any = partial(
                late_orders,
                conn,
                org,
                scope,
                now,
                busiest.unit_id,
                rule=rule,
                cal=ref.calendar,
                tz=ref.tz,
                limit=100,
            )
            shown = len(read())
            t = timed(read, repeat)
            rows.append(
                (f"{label}, {name}: the busiest unit's first page ({shown} rows)", p50_max(t))
            )
        asked = len(pending_requests(conn, org, scope, now))
        t = timed(partial(pending_requests, conn, org, scope, now), repeat)
        rows.append((f"{label}, {name}: requests awaiting a decision ({asked})", p50_max(t)))
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--db", default=DEFAULT_DB, help="the big county (file path or URL)")
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from core.storage.db import normalise_url

    url = ensure_db(normalise_url(args.db))
    rows = run(url, args.repeat)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"\nsupervision page reads, {backend}, {time.strftime('%Y-%m-%d')}")
    print(f"(Python {sys.version.split()[0]}, {os.cpu_count()} cores)\n")
    print("| read | time |")
    print("|---|---|")
    for measure, figure in rows:
        print(f"| {measure} | {figure} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
