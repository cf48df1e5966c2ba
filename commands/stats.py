"""stats: the assessment indicators (督查考核) of one period, as a table or as JSON.

    python main.py stats --db URL [--json] [--period YYYY-MM|YYYY]
                         [--by unit|town|grid|tier|category]
    python main.py stats --safety --by grid|town [--period ...] [--safety-config FILE] [--json]

Definitions and counting rules: resources/analytics/indicators.toml; the composite score:
resources/analytics/composite.toml; the safety index (平安指数, ``--safety``):
resources/analytics/safety_index.toml.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands import open_store

if TYPE_CHECKING:
    from core.analytics import GroupRow, Report

# (short column label, Chinese name) per indicator, in display order.
LABELS = {
    "intake": ("intake", "受理量"),
    "on_spot": ("on-spot", "直接答复率"),
    "timely_dispatch": ("dispatch", "及时派遣率"),
    "accurate_dispatch": ("accurate", "准确派遣率"),
    "timely_acceptance": ("accept", "及时签收率"),
    "on_time_closure": ("on-time", "按期办结率"),
    "closure_rate": ("closed", "办结率"),
    "rework_rate": ("rework", "返工率"),
    "satisfaction": ("satisf.", "满意率"),
    "repeat_calls": ("repeat", "重复来电率"),
    "supervisions": ("superv.", "督办数"),
    "supervisions_yellow": ("yellow", "黄牌督办"),
    "supervisions_red": ("red", "红牌督办"),
    "supervisions_pending": ("pending", "督办未处理"),
}
TIER_NAMES = {"1": "一级(县)", "2": "二级(镇街)", "3": "三级(村社区)", "4": "四级(网格)"}


def _period(text: str) -> str:
    import re

    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", text.strip())
    if not m or (m.group(2) is not None and not 1 <= int(m.group(2)) <= 12):
        raise argparse.ArgumentTypeError(
            f"expected YYYY-MM (a month) or YYYY (a year), not {text!r}"
        )
    return text.strip()


def register(sub: Any) -> None:
    p = sub.add_parser(
        "stats",
        help="assessment indicators and composite score for one period",
        description="Indicators, composite score and ranking for one calendar month or year "
        "in the county's local time zone. Definitions: resources/analytics/indicators.toml.",
    )
    p.add_argument(
        "--db", metavar="URL", default=argparse.SUPPRESS, help="database URL or SQLite file"
    )
    p.add_argument(
        "--period",
        type=_period,
        metavar="YYYY-MM|YYYY",
        help="a month or a year (default: the last complete month)",
    )
    p.add_argument(
        "--by",
        choices=("unit", "town", "grid", "tier", "category"),
        help="group by accountable unit, town/street, grid (网格) of the location, tier or "
        "level-1 category "
        "(default: the county total only)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--rules", type=Path, metavar="FILE", help="counting rules (indicators.toml)")
    p.add_argument("--composite", type=Path, metavar="FILE", help="score terms (composite.toml)")
    p.add_argument(
        "--safety",
        action="store_true",
        help="the safety index (平安指数) per grid or town instead (needs --by grid|town)",
    )
    p.add_argument(
        "--safety-config",
        type=Path,
        metavar="FILE",
        help="safety index configuration (default resources/analytics/safety_index.toml)",
    )


def run(args: argparse.Namespace) -> int:
    if args.safety or args.safety_config:
        from commands.stats_safety import run_safety

        return run_safety(args)
    from sqlalchemy import select

    from core.analytics import DrillDatabase, load_composite, load_rules
    from core.analytics.published import compute_or_published
    from core.storage.schema import orders

    store = open_store(args)
    try:
        rules = load_rules(args.rules) if args.rules else load_rules()
        comp = load_composite(args.composite) if args.composite else load_composite()
        with store.engine.connect() as conn:
            has_orders = conn.execute(select(orders.c.id).limit(1)).first() is not None
        try:
            report, pub = compute_or_published(
                store.engine,
                period=args.period,
                by=args.by or "county",
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
        doc = report.to_dict()
        doc["database_has_orders"] = has_orders
        doc["published"] = (
            None
            if pub is None
            else {
                "at": pub.published_at.isoformat(),
                "by": pub.published_by,
                "rules_hash": pub.rules_hash,
            }
        )
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    where = f"{report.period.label} ({report.period.tz.key})"
    if not has_orders:
        print(f"The database holds no orders yet: nothing to assess for {where}.")
        return 0
    if report.empty and pub is None:
        print(f"No orders registered, due or acted on in {where}: nothing to assess.")
        return 0
    if pub is not None:
        at = pub.published_at.astimezone(report.period.tz).strftime("%Y-%m-%d")
        print(f"published {at} by {pub.published_by}: these figures are final")
    print_table(report)
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def _cell(name: str, row: GroupRow) -> str:
    m = row.measures[name]
    if m.denominator is None:
        return str(m.numerator)
    return "-" if m.value is None else f"{m.value * 100:.1f}%"


def _group_name(report: Report, row: GroupRow) -> str:
    if row.key == "county":
        return f"全县合计 {row.name or ''}".strip()
    if report.by == "tier":
        return TIER_NAMES.get(row.key, f"{row.key}级") if row.key != "none" else "未派单/中心"
    if report.by == "grid" and row.kind != "grid":
        return f"{row.name or row.key}(未落网格)"  # located above grid level
    if report.by == "unit" and row.kind in ("county", "city"):
        return f"{row.name or row.key}(中心)"  # orders the registering centre kept
    return row.name or row.key


def print_table(report: Report) -> None:
    by = report.by if report.by != "county" else "county total"
    print(f"Assessment {report.period.label} ({report.period.tz.key}), by {by}")
    print(f"as of {report.as_of.isoformat(timespec='seconds')}; rates in %; '-' = no denominator")
    names = list(LABELS)
    header = ["group", *(LABELS[n][0] for n in names), "score", "rank"]
    rows = [*report.groups, report.total]
    table = [header]
    for row in rows:
        score = "-" if row.score.value is None else f"{row.score.value:.2f}"
        rank = "" if row.rank is None else str(row.rank)
        table.append([_group_name(report, row), *(_cell(n, row) for n in names), score, rank])
    widths = [max(_width(r[i]) for r in table) for i in range(len(header))]
    for i, r in enumerate(table):
        cells = [_pad(r[0], widths[0])]
        cells += [_pad(c, w, right=True) for c, w in zip(r[1:], widths[1:], strict=True)]
        print("  ".join(cells).rstrip())
        if i == 0 or i == len(table) - 2:
            print("  ".join("-" * w for w in widths))
    print()
    print("County total: numerator / denominator")
    for n in names:
        m = report.total.measures[n]
        label, zh = LABELS[n]
        value = "" if m.denominator is None else _cell(n, report.total)
        frac = str(m.numerator) if m.denominator is None else f"{m.numerator} / {m.denominator}"
        print(f"  {_pad(zh, 12)} {_pad(label, 9)} {_pad(frac, 15, right=True)}  {value}")
    terms = ", ".join(f"{k} {v:.2f}" for k, v in report.total.score.terms.items())
    if report.total.score.value is not None:
        print(f"  composite {report.total.score.value:.2f} = {terms}")
