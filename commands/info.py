"""info: what the database holds."""

from __future__ import annotations

import argparse
from typing import Any

from commands import open_store


def register(sub: Any) -> None:
    sub.add_parser("info", help="what the database holds")


def run(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from core.storage.schema import events, orders, units, users

    store = open_store(args)
    with store.engine.connect() as conn:
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (units, users, orders, events)
        }
    print(f"database: {store.url}")
    print("settings: " + ", ".join(f"{k}={v}" for k, v in store.settings().items()))
    print("rows: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    store.engine.dispose()
    return 0
