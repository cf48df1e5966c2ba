"""The safety index (平安指数) per grid or per town: configurable categories of indicators
(resources/analytics/safety_index.toml), each indicator normalised to 0..100 across the
period's grids or towns (or against a band), weighted into category scores, and the
categories weighted into the index.

Sources are the assessment indicators (``compute``'s figures for the grouping, so the two
agree) and counts of the period's orders by category, urgency and risk grade, read in one
grouped query (``safety_basis.order_counts``). However many indicators the file lists, the
normalisation and the weighting are matrix operations over (groups × indicators).

A published period is computed from its stored figures and stored basis only
(``published.publish`` stores both), so its index never changes. A period published before
the basis was stored has its order counts read as they stand now (``stored_basis`` False).

Missing values: a rate with no denominator in a group, or a count scaled per 1000 orders in
a group with no orders, has no value there. Its weight goes to the category's indicators
that have one, in proportion to their weights; a category none of whose indicators has a
value hands its weight to the other categories the same way; a group with no category
valued has no index and no rank.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, select

from core.analytics.composite import rank
from core.analytics.groups import Directory
from core.analytics.period import Period
from core.analytics.published import compute_or_published
from core.analytics.report import Report
from core.analytics.rules import Composite, Rules
from core.analytics.safety_basis import (
    RANKED_KINDS,
    counts_from_stored,
    order_counts,
    ranked_groups,
)
from core.analytics.safety_config import ORDERS, SafetyConfig, SafetyIndicator, load_safety
from core.errors import FieldError, ValidationError
from core.storage.db import read_tx
from core.storage.schema import categories

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

SAFETY_GROUPINGS = tuple(RANKED_KINDS)


@dataclass(frozen=True)
class IndicatorScore:
    raw: float | None  # rates in percent; counts as counted (or per 1000 orders)
    score: float | None  # 0..100, None when the group has no value


@dataclass(frozen=True)
class SafetyRow:
    key: str
    name: str | None
    index: float | None
    rank: int | None
    categories: dict[str, float | None]  # category id -> 0..100
    indicators: dict[str, IndicatorScore] = field(default_factory=dict)


@dataclass(frozen=True)
class SafetyResult:
    period: Period
    by: str
    as_of: datetime
    config: SafetyConfig
    rows: tuple[SafetyRow, ...]  # ranked, best first; unranked last
    published: bool = False
    stored_basis: bool = False  # a published period's order counts were stored with it

    def by_key(self) -> dict[str, SafetyRow]:
        return {r.key: r for r in self.rows}


def compute_safety(
    engine: Engine,
    *,
    period: Period | str | None = None,
    by: str = "grid",
    config: SafetyConfig | None = None,
    rules: Rules | None = None,
    composite: Composite | None = None,
    as_of: datetime | None = None,
    report: Report | None = None,
) -> SafetyResult:
    """The index of every grid (``by="grid"``) or town/street (``by="town"``) for
    ``period``. ``report``: the grouping's report when the caller has it already."""
    if by not in SAFETY_GROUPINGS:
        raise ValidationError([FieldError("by", "unknown_value", {"value": by})])
    config = config or load_safety()
    pub = None
    if report is None or report.by != by:
        report, pub = compute_or_published(
            engine, period=period, by=by, rules=rules, composite=composite, as_of=as_of
        )
    else:
        from core.analytics.published import published

        with read_tx(engine) as conn:
            pub = published(conn, report.period.label)
    stored = (pub.figures.get("safety_basis") or {}).get(by) if pub is not None else None
    with read_tx(engine) as conn:
        if stored is not None:
            groups = [(str(k), str(n)) for k, n in stored["groups"]]
            counts = counts_from_stored(stored["orders"])
        else:
            groups = ranked_groups(conn, by)
            counts = order_counts(conn, Directory(conn), report.period, by)
        tree = _category_tree(conn)
    rows = score_groups(config, groups, report, counts, tree)
    return SafetyResult(
        report.period, by, report.as_of, config, rows, pub is not None, stored is not None
    )


def _category_tree(conn: Connection) -> pd.DataFrame:
    """(node_id, code, is_dispute, parent_node_id) of every category."""
    import pandas as pd

    c = categories
    q = select(c.c.node_id, c.c.code, c.c.is_dispute, c.c.parent_node_id)
    rows = [tuple(r) for r in conn.execute(q)]
    return pd.DataFrame.from_records(
        rows, columns=["node_id", "code", "is_dispute", "parent"], nrows=len(rows)
    )


def _ancestor_codes(tree: pd.DataFrame, nodes: Any) -> pd.DataFrame:
    """(node_id, code) for each node and each of its ancestors' codes."""
    import pandas as pd

    parent = dict(zip(tree.node_id, tree.parent, strict=True))
    code = dict(zip(tree.node_id, tree.code, strict=True))
    pairs: list[tuple[str, str]] = []
    for node in nodes:
        cur = node
        while cur is not None and cur in code:
            pairs.append((node, str(code[cur])))
            cur = parent.get(cur)
    return pd.DataFrame.from_records(pairs, columns=["category_node_id", "code"], nrows=len(pairs))


def order_values(
    inds: list[SafetyIndicator],
    counts: pd.DataFrame,
    tree: pd.DataFrame,
    source: str,
    places: dict[str, str] | None = None,
) -> pd.DataFrame:
    """groups × "orders" indicators: the counts, all indicators at once (merges and one
    group-by; no loop over the orders)."""
    import pandas as pd

    nodes = counts.category_node_id.unique()
    codes = _ancestor_codes(tree, nodes)
    known = set(tree.code.astype(str))
    pairs: list[tuple[str, str]] = []
    for ind in inds:
        for code in ind.categories:
            if code not in known:
                raise ValidationError(
                    [
                        FieldError(
                            f"{(places or {}).get(ind.id, 'indicator ' + ind.id)}.categories",
                            "unknown_category_code",
                            {"file": source, "value": code},
                        )
                    ]
                )
            pairs.append((ind.id, code))
    wanted = pd.DataFrame.from_records(pairs, columns=["ind", "code"], nrows=len(pairs))
    matched = wanted.merge(codes, on="code").drop(columns="code").drop_duplicates()
    every = [ind.id for ind in inds if not ind.categories]
    if every:
        cross = pd.DataFrame({"ind": every}).merge(
            pd.DataFrame({"category_node_id": nodes}), how="cross"
        )
        matched = pd.concat([matched, cross], ignore_index=True)
    rows = counts.merge(matched, on="category_node_id")
    dispute = dict(zip(tree.node_id, tree.is_dispute.fillna(False).astype(bool), strict=True))
    rows["is_dispute"] = rows.category_node_id.map(dispute).fillna(False).astype(bool)
    keep = pd.Series(True, index=rows.index)
    for col, attr in (("urgency", "urgency"), ("risk_grade", "risk_grade")):
        limited = {ind.id for ind in inds if getattr(ind, attr)}
        if limited:
            allowed = {f"{ind.id}|{v}" for ind in inds for v in getattr(ind, attr)}
            keep &= ~rows.ind.isin(limited) | (rows.ind + "|" + rows[col].astype(str)).isin(allowed)
    wants = {ind.id: ind.dispute for ind in inds if ind.dispute is not None}
    if wants:
        want = rows.ind.map(wants)
        keep &= want.isna() | (want == rows.is_dispute)
    sums = rows[keep].groupby(["group", "ind"]).n.sum().unstack("ind")
    return sums.reindex(columns=[ind.id for ind in inds]).fillna(0).astype(float)


def indicator_values(inds: list[SafetyIndicator], report: Report, keys: list[str]) -> Any:
    """groups × indicator-sourced indicators: rates in percent (NaN without a denominator),
    counts as counted (0 for a group the report has no line for)."""
    import numpy as np

    names = sorted({i.source for i in inds})
    col = {n: j for j, n in enumerate(names)}
    num = np.zeros((len(keys), len(names)))
    den = np.full((len(keys), len(names)), np.nan)  # NaN: a count (no denominator)
    row = {k: r for r, k in enumerate(keys)}
    for g in report.groups:
        r = row.get(g.key)
        if r is None:
            continue
        for n in names:
            m = g.measures[n]
            num[r, col[n]] = m.numerator
            den[r, col[n]] = np.nan if m.denominator is None else m.denominator
    pick = [col[i.source] for i in inds]
    is_count = np.array([i.counts for i in inds])
    nums, dens = num[:, pick], den[:, pick]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(dens > 0, 100.0 * nums / np.where(dens > 0, dens, 1.0), np.nan)
    return np.where(is_count, nums, rate)


def score_groups(
    config: SafetyConfig,
    groups: list[tuple[str, str]],
    report: Report,
    counts: pd.DataFrame,
    tree: pd.DataFrame,
) -> tuple[SafetyRow, ...]:
    import numpy as np

    inds = list(config.indicators)
    keys = [k for k, _ in groups]
    names = dict(groups)
    totals = counts.groupby("group").n.sum().reindex(keys).fillna(0).to_numpy(float)
    values = np.full((len(keys), len(inds)), np.nan)
    column = {ind.id: j for j, ind in enumerate(inds)}
    from_orders = [i for i in inds if i.source == ORDERS]
    if from_orders:
        places = {
            ind.id: f"category[{c}].indicator[{j}]"
            for c, cat in enumerate(config.categories)
            for j, ind in enumerate(cat.indicators)
        }
        got = order_values(from_orders, counts, tree, config.source, places)
        cols = [column[i.id] for i in from_orders]
        values[:, cols] = got.reindex(index=keys).fillna(0.0).to_numpy(float)
    by_source = [i for i in inds if i.source != ORDERS]
    if by_source:
        values[:, [column[i.id] for i in by_source]] = indicator_values(by_source, report, keys)
    per_k = np.array([i.scale == "per_1000_orders" for i in inds], dtype=bool)
    if per_k.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = values * 1000.0 / totals[:, None]
        scaled[totals == 0, :] = np.nan
        values = np.where(per_k, scaled, values)
    scores = normalise(values, inds)
    cat_scores, index = weigh(scores, config)
    digits = config.round_to
    listed = _listed(np.round(index, digits))
    ranks = rank(listed)
    raws = [_listed(r) for r in np.round(values, 6)]
    normed = [_listed(r) for r in np.round(scores, digits)]
    cat_rows = [_listed(r) for r in np.round(cat_scores, digits)]
    ind_ids = [i.id for i in inds]
    cat_ids = [c.id for c in config.categories]
    out = [
        SafetyRow(
            key,
            names.get(key),
            listed[r],
            ranks[r],
            dict(zip(cat_ids, cat_rows[r], strict=True)),
            {
                i: IndicatorScore(v, sc)
                for i, v, sc in zip(ind_ids, raws[r], normed[r], strict=True)
            },
        )
        for r, key in enumerate(keys)
    ]
    out.sort(key=lambda row: (row.rank is None, row.rank or 0, _natural(row.key)))
    return tuple(out)


def _listed(values: np.ndarray) -> list[float | None]:
    """Python floats, None for NaN (one pass over the array, not one call per cell)."""
    return [None if v != v else v for v in values.tolist()]


def normalise(values: np.ndarray, inds: list[SafetyIndicator]) -> np.ndarray:
    """groups × indicators → 0..100. min_max: (v − min) / (max − min) over the groups with a
    value (all of them equal: 100 each); band: (v − low) / (high − low), clipped to 0..1.
    Both reversed (1 − share) for lower_is_better."""
    import warnings

    import numpy as np

    band = np.array([i.normalise == "band" for i in inds], dtype=bool)
    lower = np.array([i.direction == "lower_is_better" for i in inds], dtype=bool)
    if values.shape[0] == 0 or values.shape[1] == 0:
        return values.copy()
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: no value anywhere
        lo = np.nanmin(values, axis=0)
        hi = np.nanmax(values, axis=0)
    span = hi - lo
    spread = span > 0
    with np.errstate(all="ignore"):
        minmax = (values - lo) / np.where(spread, span, 1.0)
        blo = np.array([i.band[0] if i.band else 0.0 for i in inds])
        bhi = np.array([i.band[1] if i.band else 1.0 for i in inds])
        banded = np.clip((values - blo) / (bhi - blo), 0.0, 1.0)
    share = np.where(band, banded, minmax)
    share = np.where(lower, 1.0 - share, share)
    share = np.where(~band & ~spread, 1.0, share)
    return np.where(np.isnan(values), np.nan, share * 100.0)


def weigh(scores: np.ndarray, config: SafetyConfig) -> tuple[np.ndarray, np.ndarray]:
    """Category scores (groups × categories) and the index (groups), each a weighted mean
    over what has a value (the weights of what has none are redistributed)."""
    import numpy as np

    inds = config.indicators
    member = np.zeros((len(inds), len(config.categories)))
    j = 0
    for c, cat in enumerate(config.categories):
        member[j : j + len(cat.indicators), c] = 1.0
        j += len(cat.indicators)
    w = np.array([i.weight for i in inds])
    cw = np.array([c.weight for c in config.categories])
    cats = _weighted(scores, w, member)
    index = _weighted(cats, cw, np.ones((len(cw), 1)))[:, 0]
    return cats, index


def _weighted(scores: np.ndarray, w: np.ndarray, member: np.ndarray) -> np.ndarray:
    import numpy as np

    present = ~np.isnan(scores)
    num = (np.where(present, scores, 0.0) * w) @ member
    den = (present * w) @ member
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def _natural(key: str) -> tuple[int, int | str]:
    return (0, int(key)) if key.isdigit() else (1, key)
