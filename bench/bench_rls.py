"""What row-level security costs: the same reads as the schema owner and as users' own
database roles (a county user and a town user) on an existing PostgreSQL county.

    .venv/bin/python -m bench.bench_rls --db postgresql://owner@host/county [--runs N]

Creates login roles for one county user and one town-centre user (``duty01`` and ``t01``
in the demo county), measures, and drops them again. Prints a table of medians, ms.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url

from core.auth import load_actor
from core.domain.actor import Actor
from core.queries import count_orders, list_orders
from core.storage import dbroles
from core.storage.db import create_db_engine, write_tx
from core.storage.repo import load_aggregate
from core.storage.schema import users
from core.stream import is_restricted, read_after


def timed(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm
    took = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        took.append((time.perf_counter() - t0) * 1000)
    return statistics.median(took)


def measure(engine: Engine, actor: Actor, order_id: int, runs: int) -> dict[str, float]:
    with engine.connect() as conn:
        restricted = is_restricted(conn)
        return {
            "first page (100 rows)": timed(lambda: list_orders(conn, actor, limit=100), runs),
            "count of visible orders": timed(lambda: count_orders(conn, actor), runs),
            "load one order": timed(lambda: load_aggregate(conn, order_id), runs),
            "stream: 2,000 event ids": timed(
                lambda: read_after(conn, 0, 2000, restricted=restricted), runs
            ),
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--county-user", default="duty01")
    ap.add_argument("--town-user", default="t01")
    args = ap.parse_args()
    owner = create_db_engine(args.db)
    who = (args.county_user, args.town_user)
    with write_tx(owner) as conn:
        dbroles.grant(conn)
        made = {u: dbroles.create_role(conn, u, f"bench-{u}-pw") for u in who}
        ids = dict(
            conn.execute(
                select(users.c.username, users.c.id).where(users.c.username.in_(who))
            ).all()
        )
        actors = {u: load_actor(conn, ids[u]) for u in who}
        town_path = actors[args.town_user].unit_path
        order_id = conn.execute(
            text(
                "select o.id from orders o join units u on u.id = o.location_unit_id "
                "where u.path like :p order by o.id desc limit 1"
            ),
            {"p": town_path + "%"},
        ).scalar_one()
    results: dict[str, dict[str, float]] = {}
    try:
        results["owner (no RLS), county user"] = measure(
            owner, actors[args.county_user], order_id, args.runs
        )
        results["owner (no RLS), town user"] = measure(
            owner, actors[args.town_user], order_id, args.runs
        )
        for label, user in (
            ("county user's role", args.county_user),
            ("town user's role", args.town_user),
        ):
            role, password = made[user]
            url = make_url(args.db).set(username=role, password=password)
            engine = create_db_engine(url.render_as_string(hide_password=False))
            try:
                results[label] = measure(engine, actors[user], order_id, args.runs)
            finally:
                engine.dispose()
    finally:
        with write_tx(owner) as conn:
            for user in who:
                dbroles.drop_role(conn, user)
        owner.dispose()
    metrics = list(next(iter(results.values())))
    width = max(len(m) for m in metrics)
    print(f"row-level security, medians of {args.runs} runs, ms")
    print(f"{'read':<{width}} | " + " | ".join(results))
    for m in metrics:
        print(f"{m:<{width}} | " + " | ".join(f"{results[k][m]:>{len(k)}.1f}" for k in results))


if __name__ == "__main__":
    main()
