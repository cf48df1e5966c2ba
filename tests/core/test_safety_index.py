"""The safety index (平安指数): hand-computed on the March scenario of test_analytics plus
three late entries (test_grid_grouping), on both backends; the count filters on a frame; a
9-category, 133-indicator configuration against a plain per-indicator reference; broken
configuration files; a published period's index never changes.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from core.analytics import compute
from core.analytics.published import publish
from core.analytics.safety import compute_safety, order_values
from core.analytics.safety_config import (
    SAFETY_FILE,
    SafetyConfig,
    load_safety,
    parse_safety,
)
from core.clock import ManualClock
from core.domain.actor import Actor
from core.errors import ValidationError
from core.service import OrderService
from core.storage.db import read_tx
from tests.core.conftest import sh
from tests.core.county import County
from tests.core.test_analytics import AS_OF, CAT_A, CAT_B, _draft, mar
from tests.core.test_grid_grouping import build_with_late_entries

GRIDS = ("town1v1g1", "town1v1g2", "town1v2g1", "town1v2g2", "town2v1g1", "town2v1g2",
         "town2v2g1", "town2v2g2", "school")  # fmt: skip


@pytest.fixture
def built(svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock) -> Any:
    return build_with_late_entries(svc, actors, county, clock)


SMALL = {
    "index": {"name": "测试指数", "round_to": 2},
    "category": [
        {
            "id": "load",
            "zh": "诉求压力",
            "weight": 1,
            "indicator": [
                # CAT_A is 0303:030301, CAT_B 0101:010101.
                {"id": "a", "zh": "市容", "source": "orders", "categories": ["0303"],
                 "weight": 1, "direction": "lower_is_better"},
                {"id": "c", "zh": "科教文体每千件", "source": "orders", "categories": ["01"],
                 "scale": "per_1000_orders", "weight": 1, "direction": "lower_is_better"},
            ],
        },
        {
            "id": "service",
            "zh": "服务",
            "weight": 3,
            "indicator": [
                {"id": "otc", "zh": "按期办结率", "source": "on_time_closure", "weight": 1,
                 "direction": "higher_is_better", "normalise": "band", "band": [0, 100]},
            ],
        },
    ],
}  # fmt: skip


def small() -> SafetyConfig:
    return parse_safety(SMALL, "small.toml")


def test_index_by_grid_by_hand(svc: OrderService, built: Any, county: County) -> None:
    u = county.units
    res = compute_safety(svc.store.engine, period="2025-03", by="grid", config=small(),
                         as_of=svc.store.clock.now())  # fmt: skip
    rows = res.by_key()
    key = {name: str(u[name]) for name in GRIDS}
    assert set(rows) == set(key.values())  # every grid; not the "no grid" groups
    g1, g2, school, t2 = (rows[key[n]] for n in ("town1v1g1", "town1v1g2", "school", "town2v1g1"))
    # a: CAT_A orders: 1-1-1 has 7, 2-1-1 one (O5), 1-1-2 one (G1); min 0, max 7, lower is
    #    better: 100 − 100 v / 7.
    assert [g1.indicators["a"].raw, t2.indicators["a"].raw, g2.indicators["a"].raw] == [7, 1, 1]
    assert g1.indicators["a"].score == 0 and t2.indicators["a"].score == pytest.approx(85.71)
    # c: CAT_B per 1000 orders: 1-1-1 0/7, 2-1-1 4/5, 1-1-2 0/1, the school 1/1 (G2); grids
    #    with no orders have no value. min 0, max 1000.
    assert [g1.indicators["c"].raw, t2.indicators["c"].raw, school.indicators["c"].raw] == [
        0, 800, 1000,
    ]  # fmt: skip
    assert rows[key["town2v2g2"]].indicators["c"].raw is None
    assert t2.indicators["c"].score == 20
    # Category load: the mean of a and c (equal weights), a alone where c has no value.
    assert g1.categories["load"] == 50 and t2.categories["load"] == pytest.approx(52.86)
    assert g2.categories["load"] == pytest.approx(92.86)
    # Service: on-time closure 4/6 (1-1-1), 1/3 (2-1-1), none due elsewhere.
    assert g1.categories["service"] == pytest.approx(66.67)
    assert t2.categories["service"] == pytest.approx(33.33)
    assert g2.categories["service"] is None
    # Index: (1 × load + 3 × service) / 4; load alone where service has no value.
    assert g1.index == 62.5  # (50 + 200) / 4
    assert t2.index == pytest.approx(38.21)  # (52.857 + 100) / 4
    assert g2.index == pytest.approx(92.86) and school.index == 50
    assert rows[key["town2v2g2"]].index == 100
    ranks = {n: rows[key[n]].rank for n in GRIDS}
    assert ranks == {
        "town1v2g1": 1, "town1v2g2": 1, "town2v1g2": 1, "town2v2g1": 1, "town2v2g2": 1,
        "town1v1g2": 6, "town1v1g1": 7, "school": 8, "town2v1g1": 9,
    }  # fmt: skip
    assert [r.rank for r in res.rows] == sorted(r.rank or 0 for r in res.rows)
    assert not res.published


def test_index_by_town_uses_the_town_figures(svc: OrderService, built: Any, county: County) -> None:
    u = county.units
    res = compute_safety(svc.store.engine, period="2025-03", by="town", config=small(),
                         as_of=svc.store.clock.now())  # fmt: skip
    rows = res.by_key()
    assert set(rows) == {str(u["town1"]), str(u["town2"])}  # not the county's own group
    t1, t2 = rows[str(u["town1"])], rows[str(u["town2"])]
    # town1: 7 + G1 + G3 CAT_A (9), G2 CAT_B; town2: O5 CAT_A, 4 CAT_B.
    assert (t1.indicators["a"].raw, t2.indicators["a"].raw) == (9, 1)
    assert (t1.indicators["c"].raw, t2.indicators["c"].raw) == (100, 800)  # 1/10, 4/5
    rep = compute(svc.store.engine, period="2025-03", by="town", as_of=svc.store.clock.now())
    m = {g.key: g.measures["on_time_closure"] for g in rep.groups}[str(u["town1"])]
    assert t1.indicators["otc"].raw == pytest.approx(100 * m.numerator / (m.denominator or 1))
    # a: town1 0, town2 100; c: town1 100, town2 0; load 50 each; service decides.
    assert t1.categories["load"] == 50 == t2.categories["load"]
    assert t1.rank == 1 and t2.rank == 2


def _counts_and_tree() -> tuple[pd.DataFrame, pd.DataFrame]:
    tree = pd.DataFrame.from_records(
        [
            ("L07", "07", False, None),
            ("L0703", "0703", False, "L07"),
            ("L070301", "070301", False, "L0703"),
            ("L09", "09", False, None),
            ("L0903", "0903", False, "L09"),
            ("L090305", "090305", True, "L0903"),
        ],
        columns=["node_id", "code", "is_dispute", "parent"],
    )
    counts = pd.DataFrame.from_records(
        [
            ("g1", "L070301", "normal", "", 5),
            ("g1", "L070301", "critical", "", 2),
            ("g1", "L090305", "normal", "red", 3),
            ("g1", "L090305", "urgent", "green", 4),
            ("g2", "L0703", "urgent", "", 1),
            ("g2", "L090305", "normal", "orange", 6),
        ],
        columns=["group", "category_node_id", "urgency", "risk_grade", "n"],
    )
    return counts, tree


def test_count_filters() -> None:
    counts, tree = _counts_and_tree()
    doc = {
        "category": [
            {"id": "k", "zh": "k", "weight": 1, "indicator": [
                {"id": "all", "zh": "x", "source": "orders", "weight": 1,
                 "direction": "lower_is_better"},
                {"id": "order07", "zh": "x", "source": "orders", "categories": ["07"],
                 "weight": 1, "direction": "lower_is_better"},
                {"id": "urgent", "zh": "x", "source": "orders", "weight": 1,
                 "urgency": ["urgent", "critical"], "direction": "lower_is_better"},
                {"id": "disputes", "zh": "x", "source": "orders", "dispute": True,
                 "weight": 1, "direction": "lower_is_better"},
                {"id": "not_disputes", "zh": "x", "source": "orders", "dispute": False,
                 "weight": 1, "direction": "lower_is_better"},
                {"id": "high_risk", "zh": "x", "source": "orders", "dispute": True,
                 "risk_grade": ["red", "orange"], "weight": 1, "direction": "lower_is_better"},
                {"id": "urgent_0903", "zh": "x", "source": "orders", "categories": ["0903"],
                 "urgency": ["urgent"], "weight": 1, "direction": "lower_is_better"},
            ]},
        ]
    }  # fmt: skip
    cfg = parse_safety(doc)
    got = order_values(list(cfg.indicators), counts, tree, "x.toml")
    assert got.loc["g1"].to_dict() == {
        "all": 14, "order07": 7, "urgent": 6, "disputes": 7, "not_disputes": 7,
        "high_risk": 3, "urgent_0903": 4,
    }  # fmt: skip
    assert got.loc["g2"].to_dict() == {
        "all": 7, "order07": 1, "urgent": 1, "disputes": 6, "not_disputes": 1,
        "high_risk": 6, "urgent_0903": 0,
    }  # fmt: skip
    bad = parse_safety({"category": [{"id": "k", "zh": "k", "weight": 1, "indicator": [
        {"id": "q", "zh": "x", "source": "orders", "categories": ["4711"], "weight": 1,
         "direction": "lower_is_better"}]}]})  # fmt: skip
    with pytest.raises(ValidationError) as err:
        order_values(list(bad.indicators), counts, tree, "x.toml")
    assert "unknown_category_code" in str(err.value) and "x.toml" in str(err.value)


CODES = ["03", "0303", "01", "0101", "07", "0703", "09"]
SOURCES = ["orders", "intake", "on_spot", "timely_dispatch", "on_time_closure", "closure_rate",
           "satisfaction", "repeat_calls", "timely_acceptance", "supervisions"]  # fmt: skip


def big_config(categories: int = 9, indicators: int = 133) -> dict[str, Any]:
    """A province-sized index: ``indicators`` spread over ``categories``, every source,
    scale, direction and normalisation in turn."""
    cats: list[dict[str, Any]] = [
        {"id": f"c{c}", "zh": f"类别{c}", "weight": 1 + c % 4, "indicator": []}
        for c in range(categories)
    ]
    combos = itertools.cycle(itertools.product(SOURCES, ("higher_is_better", "lower_is_better")))
    for i in range(indicators):
        source, direction = next(combos)
        item: dict[str, Any] = {"id": f"i{i}", "zh": f"指标{i}", "source": source,
                                "weight": 1 + i % 5, "direction": direction}  # fmt: skip
        if source == "orders":
            item["categories"] = [CODES[i % len(CODES)]] if i % 3 else []
            if i % 4 == 1:
                item["urgency"] = ["critical"]
        if source in ("orders", "intake", "supervisions") and i % 2:
            item["scale"] = "per_1000_orders"
        if source in ("on_time_closure", "satisfaction") and i % 3 == 0:
            item["normalise"], item["band"] = "band", [50, 90]
        cats[i % categories]["indicator"].append(item)
    return {"index": {"round_to": 4}, "category": cats}


def reference(cfg: SafetyConfig, svc: OrderService, county: County) -> dict[str, list[Any]]:
    """Raw values indicator by indicator, group by group, from the orders themselves (a
    plain loop; only for checking the vectorised computation)."""
    from sqlalchemy import select

    from core.analytics.groups import Directory
    from core.storage.schema import categories, orders

    engine = svc.store.engine
    rep = compute(engine, period="2025-03", by="grid", as_of=svc.store.clock.now())
    measures = {g.key: g.measures for g in rep.groups}
    with read_tx(engine) as conn:
        d = Directory(conn)
        code = {r.node_id: r.code for r in conn.execute(select(categories))}
        rows = conn.execute(select(orders)).all()
    start, end = sh(2025, 3, 1, 0, 0), sh(2025, 4, 1, 0, 0)
    mine = []
    for r in rows:
        at = (
            r.registered_at
            if r.registered_at.tzinfo
            else r.registered_at.replace(tzinfo=sh(2025, 1, 1, 0, 0).tzinfo)
        )
        if start <= at < end and r.state not in ("voided", "merged"):
            mine.append(r)
    out: dict[str, list[Any]] = {}
    for name in GRIDS:
        key = str(county.units[name])
        here = [r for r in mine if str(d.grid_of(r.location_unit_id)) == key]
        values: list[Any] = []
        for ind in cfg.indicators:
            if ind.source == "orders":

                def under(node: str, codes: tuple[str, ...] = ind.categories) -> bool:
                    cur: str | None = node
                    while cur is not None:
                        if code[cur] in codes:
                            return True
                        cur = d.categories[cur].parent_node_id
                    return False

                v: Any = sum(
                    1 for r in here
                    if (not ind.categories or under(r.category_node_id))
                    and (not ind.urgency or r.urgency in ind.urgency)
                )  # fmt: skip
            else:
                m = measures.get(key, {}).get(ind.source)
                if m is None:
                    v = 0 if ind.counts else None
                elif m.denominator is None:
                    v = m.numerator
                else:
                    v = 100 * m.numerator / m.denominator if m.denominator else None
            if v is not None and ind.scale == "per_1000_orders":
                v = 1000 * v / len(here) if here else None
            values.append(v)
        out[key] = values
    return out


def test_133_indicators_in_9_categories(svc: OrderService, built: Any, county: County) -> None:
    cfg = parse_safety(big_config(), "big.toml")
    assert len(cfg.categories) == 9 and len(cfg.indicators) == 133
    res = compute_safety(svc.store.engine, period="2025-03", by="grid", config=cfg,
                         as_of=svc.store.clock.now())  # fmt: skip
    rows = res.by_key()
    want = reference(cfg, svc, county)
    assert set(rows) == set(want)
    for key, values in want.items():
        got = [rows[key].indicators[i.id].raw for i in cfg.indicators]
        assert got == pytest.approx(values, nan_ok=True), key
    # Every score 0..100, the index a weighted mean of the category scores.
    for row in res.rows:
        scores = [s.score for s in row.indicators.values() if s.score is not None]
        assert all(0 <= s <= 100 for s in scores)
        cats = [(c.weight, row.categories[c.id]) for c in cfg.categories]
        present = [(w, s) for w, s in cats if s is not None]
        assert row.index == pytest.approx(
            sum(w * s for w, s in present) / sum(w for w, _ in present), abs=1e-3
        )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "safety_index.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_INDICATOR = """
[[category.indicator]]
id = "x"
zh = "测试"
source = "orders"
weight = 1
direction = "lower_is_better"
"""


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (('source = "orders"', 'source = "murders"'), "category[0].indicator[0].source",
         "unknown_source"),
        (("weight = 1\ndirection", "weight = -1\ndirection"), "category[0].indicator[0].weight",
         "not_positive"),
        (("weight = 2", "weight = 0"), "category[0].weight", "not_positive"),
        (('"lower_is_better"', '"down"'), "category[0].indicator[0].direction", "unknown_value"),
        (('id = "x"', 'id = "k"'), "category[0].indicator[0].id", "duplicate_id"),
        (('source = "orders"', 'source = "satisfaction"\nscale = "per_1000_orders"'),
         "category[0].indicator[0].scale", "scale_needs_a_count"),
        (('direction = "lower_is_better"', 'direction = "lower_is_better"\nnormalise = "band"'),
         "category[0].indicator[0].band", "bad_band"),
        (('source = "orders"', 'source = "orders"\nrisk_grade = ["purple"]'),
         "category[0].indicator[0].risk_grade", "unknown_value"),
    ],
)  # fmt: skip
def test_a_broken_file_is_refused(
    tmp_path: Path, change: tuple[str, str], field: str, code: str
) -> None:
    text = '[[category]]\nid = "k"\nzh = "类"\nweight = 2\n' + GOOD_INDICATOR
    assert change[0] in text
    path = write(tmp_path, text.replace(change[0], change[1], 1))
    with pytest.raises(ValidationError) as err:
        load_safety(path)
    assert (field, code) in {(e.field, e.code) for e in err.value.errors}
    assert all(e.params["file"] == str(path) for e in err.value.errors)


def test_bad_toml_and_the_shipped_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        load_safety(write(tmp_path, "[[category]\n"))
    assert err.value.errors[0].code == "bad_toml"
    assert str(tmp_path) in str(err.value)
    shipped = load_safety(SAFETY_FILE)
    assert shipped.categories and all(c.indicators for c in shipped.categories)


def test_shipped_index_computes(svc: OrderService, built: Any) -> None:
    res = compute_safety(svc.store.engine, period="2025-03", by="grid", as_of=AS_OF)
    assert len(res.rows) == 9
    assert all(r.index is None or 0 <= r.index <= 100 for r in res.rows)


def test_a_published_period_keeps_its_index(
    svc: OrderService, built: Any, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    engine = svc.store.engine

    def index() -> dict[str, Any]:
        res = compute_safety(engine, period="2025-03", by="grid", config=small(),
                             as_of=clock.now())  # fmt: skip
        return {r.key: (r.index, r.rank, r.categories, r.indicators) for r in res.rows}

    before = index()
    publish(engine, "2025-03", "李四", at=AS_OF)
    assert index() == before
    # Late entries and events inside March: more CAT_A orders in 2-1-1 and 1-1-2, one of
    # them dispatched; a visit of an older order.
    for i, (where, cat) in enumerate([("town2v1g1", CAT_A), ("town1v1g2", CAT_B)]):
        clock.set(mar(30, 9 + i))
        oid = svc.register(actors["duty"], _draft(where, f"1360000000{i}", cat)).order_id
        if i == 0:
            clock.set(mar(30, 12))
            svc.dispatch(actors["dispatcher"], oid, county.units["town2"], [])
    clock.set(AS_OF)
    res = compute_safety(engine, period="2025-03", by="grid", config=small(), as_of=clock.now())
    assert res.published and res.stored_basis
    assert index() == before
    # Unpublished, the same data would move the index: April moves when April changes.
    fresh = compute_safety(engine, period="2025-04", by="grid", config=small(), as_of=AS_OF)
    clock.set(sh(2025, 4, 3, 9, 0))
    svc.register(actors["duty"], _draft("town2v1g1", "13600000009", CAT_A))
    clock.set(AS_OF)
    moved = compute_safety(engine, period="2025-04", by="grid", config=small(), as_of=AS_OF)
    key = str(county.units["town2v1g1"])
    assert fresh.by_key()[key].indicators["a"].raw != moved.by_key()[key].indicators["a"].raw


def test_unknown_grouping_and_category_code_are_refused(svc: OrderService) -> None:
    with pytest.raises(ValidationError):
        compute_safety(svc.store.engine, period="2025-03", by="unit")
    doc = {"category": [{"id": "k", "zh": "k", "weight": 1, "indicator": [
        {"id": "q", "zh": "x", "source": "orders", "categories": ["0703", "4711"],
         "weight": 1, "direction": "lower_is_better"}]}]}  # fmt: skip
    with pytest.raises(ValidationError) as err:
        compute_safety(svc.store.engine, period="2025-03", config=parse_safety(doc, "f.toml"))
    assert [(e.field, e.code, e.params["file"], e.params["value"]) for e in err.value.errors] == [
        ("category[0].indicator[0].categories", "unknown_category_code", "f.toml", "4711")
    ]


def test_normalise_edge_cases() -> None:
    from core.analytics.safety import normalise

    cfg = parse_safety(
        {
            "category": [
                {
                    "id": "k",
                    "zh": "k",
                    "weight": 1,
                    "indicator": [
                        {
                            "id": "same",
                            "zh": "x",
                            "source": "intake",
                            "weight": 1,
                            "direction": "lower_is_better",
                        },
                        {
                            "id": "none",
                            "zh": "x",
                            "source": "satisfaction",
                            "weight": 1,
                            "direction": "higher_is_better",
                        },
                        {
                            "id": "band",
                            "zh": "x",
                            "source": "satisfaction",
                            "weight": 1,
                            "direction": "lower_is_better",
                            "normalise": "band",
                            "band": [10, 20],
                        },
                    ],
                }
            ]
        }
    )
    values = np.array([[3.0, np.nan, 5.0], [3.0, np.nan, 15.0], [3.0, np.nan, 25.0]])
    got = normalise(values, list(cfg.indicators))
    assert got[:, 0].tolist() == [100, 100, 100]  # all equal: full marks either way
    assert np.isnan(got[:, 1]).all()
    assert got[:, 2].tolist() == [100, 50, 0]


def _main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from main import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_stats_safety(
    svc: OrderService, built: Any, county: County, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    url = svc.store.engine.url.render_as_string(hide_password=False)
    base = ("stats", "--db", url, "--period", "2025-03", "--safety")
    code, out, err = _main(capsys, *base, "--by", "town")
    assert code == 0, err
    assert "平安指数 2025-03" in out and "第1镇" in out and "为民服务" in out
    code, out, err = _main(capsys, *base, "--by", "grid", "--json")
    assert code == 0, err
    doc = json.loads(out)
    want = compute_safety(svc.store.engine, period="2025-03", by="grid", as_of=AS_OF)
    assert [(g["key"], g["index"], g["rank"]) for g in doc["groups"]] == [
        (r.key, r.index, r.rank) for r in want.rows
    ]


def test_stats_safety_bad_input(
    svc: OrderService, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = svc.store.engine.url.render_as_string(hide_password=False)
    code, _out, err = _main(capsys, "stats", "--db", url, "--safety")
    assert code == 2 and "--safety needs --by grid or --by town" in err
    code, _out, err = _main(capsys, "stats", "--db", url, "--safety", "--by", "unit")
    assert code == 2 and "not --by unit" in err
    broken = write(tmp_path, '[[category]]\nid = "k"\nzh = "类"\nweight = -2\n' + GOOD_INDICATOR)
    argv = ("stats", "--db", url, "--safety", "--by", "grid", "--safety-config", str(broken))
    code, _out, err = _main(capsys, *argv)
    assert code == 1
    assert "category[0].weight: not_positive" in err and str(broken) in err
    code, _out, err = _main(capsys, "stats", "--db", url, "--safety-config", str(broken))
    assert code == 2 and "--safety-config needs --safety" in err
