"""demo: build the demo county (towns, villages, grids, staff and a year of orders)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 5_000_000:
        raise argparse.ArgumentTypeError(f"between 0 and 5,000,000 orders, not {value}")
    return value


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="build the demo county in an empty database")
    p.add_argument(
        "--orders", type=_count, default=None, help="orders to generate (default 60,000)"
    )
    p.add_argument("--seed", type=int, default=2026, help="the same seed gives the same county")


def run(args: argparse.Namespace) -> int:
    from core.demo import build_demo
    from core.storage.db import resolve_url

    last = [-1]

    def progress(stage: str, fraction: float) -> None:
        step = int(fraction * 20)
        if step != last[0]:
            last[0] = step
            print(
                f"\r{stage:<12} {'#' * step:<20} {fraction:4.0%}",
                end="",
                file=sys.stderr,
                flush=True,
            )

    summary = build_demo(
        resolve_url(args.db), orders=args.orders, seed=args.seed, progress=progress
    )
    print(file=sys.stderr)
    print(
        f"demo county ready: {summary.units} units, {summary.users} users, "
        f"{summary.addresses} standard addresses, {summary.orders} orders, "
        f"{summary.events} events in {summary.seconds:.1f} s"
    )
    print(
        "log in as any user with the password 'demo1234' (duty01, dispatch01, supervisor01, t01…)"
    )
    if summary.refused:
        count = sum(summary.refused.values())
        print(f"warning: the simulation had {count} refused actions: {summary.refused}")
    return 0
