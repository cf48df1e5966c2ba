"""Drill-down for the assessment page: the orders behind one group's figures, the period
before, and the indicators' Chinese names from the rule file.

An order is "behind" a group when it is a member of one of the group's order-keyed
cohorts (registered, falling due, reviewed, visited, supervised, repeat calls...) or got
a hop sent in the period that counts for the group (timely acceptance). The grouping is
the one ``compute`` uses (``groups.order_groups`` / ``groups.hop_groups``), read in the
same kind of snapshot, so the list matches the figures.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from core.analytics import frames
from core.analytics.groups import COUNTY, GROUPINGS, Directory, hop_groups
from core.analytics.period import Period, month
from core.analytics.report import DrillDatabase, _collect, _snapshot, _zone, database_settings
from core.analytics.rules import INDICATORS, INDICATORS_FILE, Rules, load_rules
from core.analytics.sql import Window, id_array
from core.domain.enums import HopRole
from core.errors import FieldError, ValidationError
from core.storage.schema import orders

BLOCK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class DrillRow:
    id: int
    number: str
    title: str
    state: str
    registered_at: datetime  # aware UTC


def shift_month(period: Period, months: int) -> Period:
    """The month ``months`` after (negative: before) a month period."""
    if period.month is None:
        raise ValidationError([FieldError("period", "bad_period", {"value": period.label})])
    index = period.year * 12 + (period.month - 1) + months
    return month(index // 12, index % 12 + 1, period.tz)


def indicator_names(path: Path = INDICATORS_FILE) -> dict[str, str]:
    """indicator code → its Chinese name (``zh``) in the rule file; the code when absent."""
    with path.open("rb") as fh:
        doc = tomllib.load(fh)
    tables = doc.get("indicator", {})
    return {n: str(tables.get(n, {}).get("zh") or n) for n in INDICATORS}


def group_order_ids(
    engine: Engine,
    period: Period,
    by: str,
    key: str,
    *,
    rules: Rules | None = None,
    as_of: datetime | None = None,
) -> set[int]:
    """Ids of the orders behind group ``key`` of grouping ``by`` in ``period``."""
    if by not in GROUPINGS:
        raise ValidationError([FieldError("by", "unknown_value", {"value": by})])
    rules = rules or load_rules()
    as_of = (as_of or datetime.now(UTC)).astimezone(UTC)
    with _snapshot(engine) as conn:
        conf = database_settings(conn)
        if conf.get("database_kind") == "drill":
            raise DrillDatabase()
        _zone(conf)
        directory = Directory(conn)
        rows, _hop_rows, groups_of = _collect(conn, directory, period, by, rules, as_of)
        w = Window(period.start, period.end, as_of)
        roles = [HopRole.LEAD.value] + ([HopRole.ASSIST.value] if rules.score_assisting else [])
        sent = frames.sent_hops(conn, w, frames.hop_orders(conn, w), roles)
    keyed: set[int] = set()
    for frame in rows.values():
        keyed.update(int(k) for k in frame.key.tolist())
    if by == COUNTY:
        return keyed | {int(i) for i in sent.order_id.tolist()}
    mine = groups_of[groups_of.group == key]
    ids = keyed & {int(i) for i in mine.order_id.tolist()}
    hops = hop_groups(directory, by, sent, groups_of)
    ids |= {int(i) for i in hops[hops.group.astype(str) == key].order_id.tolist()}
    return ids


def order_rows(engine: Engine, ids: Sequence[int] | set[int]) -> list[DrillRow]:
    """Number, title, state and registration time of these orders, oldest first."""
    wanted = [int(i) for i in id_array(list(ids))]
    o = orders
    out: list[DrillRow] = []
    with engine.connect() as conn:
        for i in range(0, len(wanted), BLOCK):
            q = select(o.c.id, o.c.number, o.c.title, o.c.state, o.c.registered_at).where(
                o.c.id.in_(wanted[i : i + BLOCK])
            )
            for r in conn.execute(q):
                at = r.registered_at
                at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
                out.append(DrillRow(int(r.id), str(r.number), str(r.title), str(r.state), at))
    out.sort(key=lambda r: (r.registered_at, r.id))
    return out


def group_orders(
    engine: Engine,
    period: Period,
    by: str,
    key: str,
    *,
    rules: Rules | None = None,
    as_of: datetime | None = None,
) -> list[DrillRow]:
    """The orders behind one group, as rows for a list."""
    return order_rows(engine, group_order_ids(engine, period, by, key, rules=rules, as_of=as_of))
