"""Published (locked) periods: a period's assessment figures computed once, stored, and
served from then on instead of being recomputed.

Late registrations and events with times inside a published period would otherwise move
figures that were already announced and ranked. Publication is final: a published period
is never recomputed and never published again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from core.analytics.composite import Score
from core.analytics.groups import COUNTY
from core.analytics.indicators import Measure
from core.analytics.period import Period, last_complete_month, parse_period
from core.analytics.report import GroupRow, Report, compute_many, county_timezone
from core.analytics.rules import Composite, Rules, load_composite, load_rules
from core.analytics.safety_basis import basis
from core.errors import CoreError
from core.storage.db import read_tx, write_tx
from core.storage.schema import published_periods

# Every grouping the assessment report and ``stats --by`` use.
GROUPINGS = ("county", "town", "grid", "unit", "tier", "category")


class AlreadyPublished(CoreError):
    """The period is published: its figures are final and are not published again."""

    code = "already_published"


@dataclass(frozen=True)
class Publication:
    period: str
    published_at: datetime
    published_by: str
    rules_hash: str
    figures: dict[str, Any]  # grouping -> serialised Report; "safety_basis" (safety_basis.py)

    def report(self, by: str, period: Period) -> Report:
        return report_from_dict(self.figures[by], period)


def rules_hash(rules: Rules, composite: Composite) -> str:
    """Which counting rules and score terms the figures were computed with."""
    doc = json.dumps({"rules": asdict(rules), "composite": asdict(composite)}, sort_keys=True)
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def publish(
    engine: Engine,
    period: str,
    by: str,
    *,
    rules: Rules | None = None,
    composite: Composite | None = None,
    at: datetime | None = None,
) -> Publication:
    """Compute ``period`` for every grouping as of ``at`` and store it. ``by`` is who
    published (a login name). Raises AlreadyPublished: a lock is final."""
    rules = rules or load_rules()
    comp = composite or load_composite()
    at = (at or datetime.now(UTC)).astimezone(UTC)
    resolved = parse_period(period, county_timezone(engine))
    label = resolved.label
    with read_tx(engine) as conn:
        if published(conn, label) is not None:
            raise AlreadyPublished(period=label)
    reports = compute_many(
        engine, period=label, bys=GROUPINGS, rules=rules, composite=comp, as_of=at
    )
    figures: dict[str, Any] = {g: report_to_dict(reports[g]) for g in GROUPINGS}
    # What the safety index reads besides these figures (safety.py), so it is final too.
    figures["safety_basis"] = basis(engine, resolved, at)
    pub = Publication(label, at, by, rules_hash(rules, comp), figures)
    try:
        with write_tx(engine) as conn:
            conn.execute(
                published_periods.insert().values(
                    period=pub.period,
                    published_at=pub.published_at,
                    published_by=pub.published_by,
                    rules_hash=pub.rules_hash,
                    figures=pub.figures,
                )
            )
    except IntegrityError:  # published by someone else meanwhile
        raise AlreadyPublished(period=label) from None
    return pub


def published(conn: Connection, period: str) -> Publication | None:
    """The stored publication of ``period`` (a label such as "2026-10"), or None."""
    row = conn.execute(
        select(published_periods).where(published_periods.c.period == period)
    ).first()
    if row is None:
        return None
    return Publication(row.period, row.published_at, row.published_by, row.rules_hash, row.figures)


def compute_or_published(
    engine: Engine,
    *,
    period: Period | str | None = None,
    by: str = COUNTY,
    rules: Rules | None = None,
    composite: Composite | None = None,
    as_of: datetime | None = None,
) -> tuple[Report, Publication | None]:
    """The stored figures of a published period (whatever ``rules`` say: they are final),
    else a fresh ``compute``. The period is resolved as ``compute`` resolves it."""
    reports, pub = compute_or_published_many(
        engine, period=period, bys=(by,), rules=rules, composite=composite, as_of=as_of
    )
    return reports[by], pub


def compute_or_published_many(
    engine: Engine,
    *,
    period: Period | str | None = None,
    bys: Sequence[str],
    rules: Rules | None = None,
    composite: Composite | None = None,
    as_of: datetime | None = None,
) -> tuple[dict[str, Report], Publication | None]:
    """``compute_or_published`` for several groupings, the cohorts read once. A published
    period lacking one of them (published before it existed) is computed fresh."""
    if period is None:
        period = last_complete_month(
            (as_of or datetime.now(UTC)).astimezone(UTC), county_timezone(engine)
        )
    elif isinstance(period, str):
        period = parse_period(period, county_timezone(engine))
    with read_tx(engine) as conn:
        pub = published(conn, period.label)
    if pub is not None and all(by in pub.figures for by in bys):
        return {by: pub.report(by, period) for by in bys}, pub
    reports = compute_many(
        engine, period=period, bys=bys, rules=rules, composite=composite, as_of=as_of
    )
    return reports, None


def report_to_dict(rep: Report) -> dict[str, Any]:
    """Everything needed to rebuild the Report exactly (``Report.to_dict`` leaves out
    a score's missing terms)."""
    return {
        "period": rep.period.label,
        "by": rep.by,
        "as_of": rep.as_of.astimezone(UTC).isoformat(),
        "rules": asdict(rep.rules),
        "total": _row(rep.total),
        "groups": [_row(g) for g in rep.groups],
    }


def _row(row: GroupRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "kind": row.kind,
        "measures": {n: [m.numerator, m.denominator] for n, m in row.measures.items()},
        "score": row.score.value,
        "terms": row.score.terms,
        "missing": list(row.score.missing),
        "rank": row.rank,
    }


def report_from_dict(doc: dict[str, Any], period: Period) -> Report:
    return Report(
        period,
        str(doc["by"]),
        datetime.fromisoformat(doc["as_of"]),
        Rules(**doc["rules"]),
        _unrow(doc["total"]),
        tuple(_unrow(g) for g in doc["groups"]),
    )


def _unrow(d: dict[str, Any]) -> GroupRow:
    return GroupRow(
        d["key"],
        d["name"],
        d["kind"],
        {
            n: Measure(int(v[0]), None if v[1] is None else int(v[1]))
            for n, v in d["measures"].items()
        },
        Score(d["score"], dict(d["terms"]), tuple(d["missing"])),
        d["rank"],
    )
