"""The demo county: a plausible county and a year of orders, deterministic per seed.

``build_demo`` writes into an empty database (schema created if missing): the
organisation through the org and auth APIs, then every order through the workflow.
"""

from __future__ import annotations

import random
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from core.clock import SystemClock
from core.errors import CoreError
from core.resources import RESOURCES
from core.storage.db import is_sqlite, write_tx
from core.storage.schema import orders as order_table
from core.storage.schema import settings, units
from core.store import Store, open_store

CONFIG = RESOURCES / "demo" / "config.toml"
Progress = Callable[[str, float], None]
FEATURED = [
    "duty01",
    "dispatch01",
    "supervisor01",
    "leader01",
    "trainer01",
    "admin",
    "wall01",
    "t01",
    "t01sup",
    "t01v01",
    "t01v01g1",
    "d_police",
    "d_civil",
]


@dataclass
class DemoSummary:
    units: int
    users: int
    addresses: int
    orders: int
    events: int
    refused: dict[str, int]
    seconds: float


def load_config(path: Path = CONFIG) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def build_demo(
    url: str,
    *,
    orders: int | None = None,
    seed: int = 2026,
    progress: Progress | None = None,
    end: datetime | None = None,
    config: dict[str, Any] | None = None,
) -> DemoSummary:
    """Create the demo county in an empty database; refuses one that holds units already."""
    from core.demo.county import DEMO_PASSWORD, build_org
    from core.demo.geography import build_lattice, partition
    from core.demo.simulate import Simulator
    from core.demo.story import Story

    began = time.perf_counter()
    cfg = config or load_config()
    n = cfg["orders"]["default"] if orders is None else orders
    if n < 0:
        raise CoreError("bad_order_count", value=n)
    report = progress or (lambda stage, fraction: None)
    store = open_store(url, create=True, clock=SystemClock(), sqlite_cache_mb=512)
    try:
        with store.engine.connect() as conn:
            if conn.execute(select(func.count()).select_from(units)).scalar_one():
                raise CoreError("database_not_empty", hint="the demo needs an empty database")
        rng = random.Random(seed)
        c = cfg["county"]
        report("geography", 0.0)
        lattice = build_lattice(rng, tuple(c["centre"]), 30, 28, c["cell_degrees"], c["grids"])
        cmap = partition(rng, lattice, c["towns"], c["villages"], c["streets"])
        end = (end or datetime.now(UTC)).replace(microsecond=0)
        start = end - timedelta(days=cfg["orders"]["days"])
        report("organisation", 0.05)
        with write_tx(store.engine) as conn:
            org = build_org(conn, rng, cmap, c["name"], start - timedelta(days=30))
            conn.execute(
                insert(settings).values(
                    key="demo_county",
                    value={
                        "seed": seed,
                        "orders": n,
                        "password": DEMO_PASSWORD,
                        "name": c["name"],
                        "start": start.isoformat(),
                        "end": end.isoformat(),
                        # one user per role and tier: the demo login picker lists them first
                        "featured": FEATURED,
                    },
                )
            )
        ref = store.reload_reference()
        story = Story(cfg, org, list(ref.categories), rng, n)
        report("orders", 0.1)
        sim = Simulator(
            store.engine, ref, org, story, end, progress=lambda f: report("orders", 0.1 + 0.9 * f)
        )
        result = sim.run(start)
        if not is_sqlite(store.engine):
            # A bulk load leaves the planner's statistics empty: without them PostgreSQL
            # took 150 ms instead of 10 for a 2,000-event range (autovacuum gets there
            # later). SQLite's plans are tuned without statistics (core/queries.py).
            with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("ANALYZE")
        report("done", 1.0)
        with store.engine.connect() as conn:
            n_units = conn.execute(select(func.count()).select_from(units)).scalar_one()
            n_orders = conn.execute(select(func.count()).select_from(order_table)).scalar_one()
        return DemoSummary(
            n_units,
            org.users,
            len(org.addresses),
            n_orders,
            result.events,
            dict(result.refused or {}),
            time.perf_counter() - began,
        )
    finally:
        store.engine.dispose()


def is_demo(store: Store) -> bool:
    with store.engine.connect() as conn:
        return (
            conn.execute(select(settings.c.key).where(settings.c.key == "demo_county")).first()
            is not None
        )
