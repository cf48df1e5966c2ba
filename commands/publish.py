"""publish: lock one period's assessment figures (发布考核结果). Final: a published
period's figures are stored and never recomputed, and it cannot be published again.

    python main.py publish --db URL --period YYYY-MM|YYYY [--as NAME]

``stats`` and ``report`` then give the stored figures for that period and say so.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from commands import open_store
from commands.stats import _period


def register(sub: Any) -> None:
    p = sub.add_parser(
        "publish",
        help="lock one period's assessment figures (final)",
        description="Compute the period's assessment for the county and by town, grid, unit, tier "
        "and category, and store it: stats and report give these figures for the period from "
        "then on, whatever is registered later. A published period cannot be published "
        "again. Bad input or an already-published period exits with code 2.",
    )
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite file"
    )
    p.add_argument("--period", type=_period, required=True, metavar="YYYY-MM|YYYY")
    p.add_argument("--as", dest="by", metavar="NAME", help="who publishes (default: OS user)")
    p.add_argument("--rules", type=Path, metavar="FILE", help="counting rules (indicators.toml)")
    p.add_argument("--composite", type=Path, metavar="FILE", help="score terms (composite.toml)")


def run(args: argparse.Namespace) -> int:
    import getpass

    from core.analytics import DrillDatabase, load_composite, load_rules
    from core.analytics.published import AlreadyPublished, publish

    by = (getpass.getuser() if args.by is None else args.by).strip()
    if not by or len(by) > 64:
        print("error: --as must be 1 to 64 characters", file=sys.stderr)
        return 2
    store = open_store(args)
    try:
        rules = load_rules(args.rules) if args.rules else load_rules()
        comp = load_composite(args.composite) if args.composite else load_composite()
        pub = publish(
            store.engine, args.period, by, rules=rules, composite=comp, at=store.clock.now()
        )
    except AlreadyPublished as exc:
        print(
            f"error: {exc.params['period']} is already published; its figures are final",
            file=sys.stderr,
        )
        return 2
    except DrillDatabase:
        print(
            "error: this is a drill database; drill orders never count in assessment",
            file=sys.stderr,
        )
        return 2
    finally:
        store.engine.dispose()
    at = pub.published_at.isoformat(timespec="seconds")
    print(f"published {pub.period} at {at} by {pub.published_by}")
    return 0
