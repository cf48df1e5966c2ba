"""``stats --safety`` (part of commands/stats.py, not a command of its own): the safety
index (平安指数) per grid or town, as a table or as JSON. The configuration:
resources/analytics/safety_index.toml, or ``--safety-config FILE``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from commands import open_store


def _usage_error(text: str) -> int:
    """Bad command-line input: a usage line, the message and exit code 2, as argparse."""
    print(
        "usage: main.py stats --safety --by grid|town [--period YYYY-MM|YYYY] "
        "[--safety-config FILE] [--json]",
        file=sys.stderr,
    )
    print(f"main.py stats: error: {text}", file=sys.stderr)
    return 2


def run_safety(args: argparse.Namespace) -> int:
    from core.analytics import DrillDatabase, load_composite, load_rules
    from core.analytics.safety import SAFETY_GROUPINGS, compute_safety
    from core.analytics.safety_config import load_safety

    if not args.safety:
        return _usage_error("--safety-config needs --safety")
    if args.by not in SAFETY_GROUPINGS:
        return _usage_error(
            f"--safety needs --by grid or --by town (the index is per grid or town), "
            f"not {'no --by' if args.by is None else '--by ' + args.by}"
        )
    config = load_safety(args.safety_config) if args.safety_config else load_safety()
    store = open_store(args)
    try:
        rules = load_rules(args.rules) if args.rules else load_rules()
        comp = load_composite(args.composite) if args.composite else load_composite()
        try:
            res = compute_safety(
                store.engine,
                period=args.period,
                by=args.by,
                config=config,
                rules=rules,
                composite=comp,
                as_of=store.clock.now(),
            )
        except DrillDatabase:
            print(
                "error: this is a drill database (database_kind = drill); "
                "drill orders never count in assessment"
            )
            return 1
    finally:
        store.engine.dispose()
    if args.json:
        print(json.dumps(to_dict(res), ensure_ascii=False, indent=2))
        return 0
    print_table(res)
    return 0


def to_dict(res: Any) -> dict[str, Any]:
    return {
        "period": res.period.label,
        "by": res.by,
        "as_of": res.as_of.isoformat(),
        "index": res.config.name,
        "config": res.config.source,
        "published": res.published,
        "stored_basis": res.stored_basis,
        "categories": [
            {"id": c.id, "zh": c.zh, "weight": c.weight, "indicators": [i.id for i in c.indicators]}
            for c in res.config.categories
        ],
        "groups": [
            {
                "key": r.key,
                "name": r.name,
                "index": r.index,
                "rank": r.rank,
                "categories": r.categories,
                "indicators": {
                    k: {"raw": v.raw, "score": v.score} for k, v in r.indicators.items()
                },
            }
            for r in res.rows
        ],
    }


def print_table(res: Any) -> None:
    from commands.stats import _pad, _width

    where = "grid" if res.by == "grid" else "town/street"
    print(f"{res.config.name} {res.period.label} ({res.period.tz.key}), by {where}")
    print(f"as of {res.as_of.isoformat(timespec='seconds')}; scores 0..100; '-' = no value")
    if res.published:
        basis = "stored figures" if res.stored_basis else "stored indicators, live order counts"
        print(f"published period: computed from its {basis}")
    cats = list(res.config.categories)
    header = ["rank", "group", res.config.name, *(c.zh for c in cats)]
    table = [header]
    for r in res.rows:
        cells = ["" if r.rank is None else str(r.rank), r.name or r.key, _num(r.index)]
        table.append(cells + [_num(r.categories.get(c.id)) for c in cats])
    widths = [max(_width(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        out = [_pad(row[0], widths[0], right=True), _pad(row[1], widths[1])]
        out += [_pad(c, w, right=True) for c, w in zip(row[2:], widths[2:], strict=True)]
        print("  ".join(out).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("Categories (weight): " + ", ".join(f"{c.zh} ({c.weight:g})" for c in cats))


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"
