"""Early-warning rules (core.warning), each on a crafted sequence of orders: it fires, it
fires once (running again raises nothing new), and what it must not count it does not.
On both backends; the clock is the test's, never slept on."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.events import EventKind
from core.errors import ValidationError
from core.service import OrderService
from core.service_process import Job, Jobs, default_jobs, early_warning
from core.storage.db import read_tx
from core.storage.schema import alerts, events, settings
from core.warning.config import WarningRules, load_rules
from core.warning.model import Candidate, Rule
from core.warning.run import CheckReport, check, run_once
from core.workflow.intake import OrderDraft
from tests.core.county import POINTS, X0, Y0, County

STREETLIGHT = "db44t2479-2024:0303:030301"  # 建筑工程管理
SANITATION = "db44t2479-2024:0303:030302"  # 市容环卫
FIRE_HAZARD = "db44t2479-2024:0704:070403"  # 火灾隐患
HARDSHIP = "db44t2479-2024:0901:090108"  # 困难群体救助

_phones = itertools.count(1)


def draft(at: str | tuple[float, float] = "town1v1g1", **kw: object) -> OrderDraft:
    """An order at a named point (or lon/lat) from a caller never seen before."""
    lon, lat = POINTS[at] if isinstance(at, str) else at
    base: dict[str, object] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id=STREETLIGHT,
        description="工地夜间施工",
        phone=f"139{next(_phones):08d}",
        caller_name="王先生",
        lon=lon,
        lat=lat,
    )
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


def only(rules: WarningRules, *keep: str) -> WarningRules:
    """The shipped rules with every rule but ``keep`` turned off."""
    off = {
        "cluster": replace(rules.cluster, enabled=False),
        "repeat_caller": replace(rules.repeat_caller, enabled=False),
        "sensitive_words": replace(rules.sensitive_words, enabled=False),
        "surge": replace(rules.surge, enabled=False),
        "near_breach": replace(rules.near_breach, enabled=False),
    }
    return replace(rules, **{k: v for k, v in off.items() if k not in keep})


@pytest.fixture(scope="module")
def shipped() -> WarningRules:
    return load_rules()


def fired(report: CheckReport, rule: Rule | None = None) -> list[Candidate]:
    return [c for c in report.fresh if rule is None or c.rule is rule]


def alert_rows(svc: OrderService) -> list[dict[str, object]]:
    with read_tx(svc.store.engine) as conn:
        return [dict(r._mapping) for r in conn.execute(select(alerts).order_by(alerts.c.id))]


def notices(svc: OrderService, kind: EventKind) -> list[dict[str, object]]:
    with read_tx(svc.store.engine) as conn:
        rows = conn.execute(
            select(events).where(events.c.kind == kind.value).order_by(events.c.id)
        ).all()
    return [dict(r._mapping) for r in rows]


# --- 聚集 clusters ------------------------------------------------------------------------


def test_a_cluster_in_one_grid_fires_once_per_episode(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    shipped: WarningRules,
) -> None:
    rules = only(shipped, "cluster")
    duty = actors["duty"]
    ids = []
    for _ in range(3):
        ids.append(svc.register(duty, draft()).order_id)
        clock.advance(minutes=30)
    report = run_once(svc, rules)
    [found] = fired(report)
    assert found.rule is Rule.CLUSTER and found.unit_id == county.units["town1v1g1"]
    assert found.order_ids == ids and found.detail["kind"] == "grid"
    assert found.title == "1-1-1网格 2小时内 3 起 建筑工程管理"
    assert len(report.raised) == 1
    assert run_once(svc, rules).raised == []  # the same orders: nothing twice
    svc.register(duty, draft())  # the episode goes on: no alert per order
    clock.advance(minutes=5)
    assert run_once(svc, rules).raised == []
    # Two hours later the first alert's orders have left the window: three new ones are
    # a new episode.
    clock.advance(hours=2)
    for _ in range(3):
        svc.register(duty, draft())
        clock.advance(minutes=10)
    assert len(run_once(svc, rules).raised) == 1
    [raised] = notices(svc, EventKind.ALERT_RAISED)[:1]
    assert raised["order_id"] is None and raised["payload"]["rule"] == "cluster"


def test_no_cluster_when_spread_out_of_the_window_or_across_categories(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "cluster")
    duty = actors["duty"]
    svc.register(duty, draft())
    clock.advance(hours=2, minutes=1)  # the first has left the 2-hour window
    svc.register(duty, draft())
    svc.register(duty, draft(category_node_id=SANITATION))  # another category
    svc.register(duty, draft("town2v1g1"))  # another grid, far away
    voided = svc.register(duty, draft()).order_id
    svc.void(actors["dispatcher"], voided, "误登记")  # voided orders do not count
    assert fired(run_once(svc, rules)) == []
    # Comparing level-2 categories (0303 市容市貌) makes two of them one family.
    wider = replace(rules, cluster=replace(rules.cluster, category_level=2, min_count=2))
    [found] = fired(run_once(svc, wider))
    assert found.detail["category"] == "db44t2479-2024:0303" and found.detail["count"] == 2


def test_a_radius_cluster_crosses_a_grid_border(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    shipped: WarningRules,
) -> None:
    rules = only(shipped, "cluster")
    border = X0 + 0.05  # between grids town1v1g1 and town1v1g2
    west, east = (border - 0.0008, Y0 + 0.05), (border + 0.0008, Y0 + 0.05)
    north = (border + 0.0002, Y0 + 0.0515)
    ids = [svc.register(actors["duty"], draft(p)).order_id for p in (west, east, north)]
    svc.register(actors["duty"], draft((border - 0.01, Y0 + 0.05)))  # 900 m west: 2 a grid
    [found] = fired(run_once(svc, rules))
    assert found.detail["kind"] == "radius" and sorted(found.order_ids) == sorted(ids)
    assert found.key.startswith("radius:") and found.detail["radius_m"] == 300
    assert "附近300米内" in found.title
    assert run_once(svc, rules).raised == []
    no_radius = replace(rules, cluster=replace(rules.cluster, radius_m=0))
    assert fired(check(svc, no_radius, apply=False)) == []


# --- 重复来电 repeat callers ----------------------------------------------------------------


def test_three_calls_in_72_hours(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "repeat_caller")
    duty = actors["duty"]
    phone = "13812345678"
    first = svc.register(duty, draft(phone=phone, category_node_id=SANITATION)).order_id
    clock.advance(hours=30)
    svc.register(duty, draft("town2v1g1", phone="13900009999"))  # someone else
    second = svc.register(duty, draft("town2v1g1", phone=phone)).order_id
    assert fired(run_once(svc, rules)) == []  # two calls
    clock.advance(hours=30)
    third = svc.register(duty, draft(phone="138 1234 5678")).order_id
    [found] = fired(run_once(svc, rules))
    assert found.key == f"72h:{third}" and found.order_ids == [first, second, third]
    assert found.severity == "orange" and found.title == "来电 138****5678 72小时内 3 次"
    text = f"{found.key}{found.title}{found.detail}"
    assert phone not in text and "12345678" not in text  # never the full number
    clock.advance(hours=1)
    svc.register(duty, draft(phone=phone))  # the fourth call: the same episode
    assert run_once(svc, rules).raised == []


def test_five_calls_in_30_days_and_added_callers_count(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "repeat_caller")
    duty = actors["duty"]
    phone = "13700001111"
    ids = []
    for _ in range(3):
        ids.append(svc.register(duty, draft(phone=phone)).order_id)
        clock.advance(days=4)  # never three within 72 hours
    other = svc.register(duty, draft(phone="13600002222")).order_id
    svc.add_caller(duty, other, "李女士", phone)  # the number calls again, on another order
    clock.advance(days=4)
    voided = svc.register(duty, draft(phone=phone)).order_id
    svc.void(actors["dispatcher"], voided, "误登记")
    clock.advance(days=1)
    assert fired(run_once(svc, rules)) == []  # 4 calls that count
    clock.advance(days=3)
    last = svc.register(duty, draft(phone=phone)).order_id
    [found] = fired(run_once(svc, rules))
    assert found.detail["window_hours"] == 720 and found.severity == "yellow"
    assert found.order_ids == sorted([*ids, other, last]) and found.detail["count"] == 5
    assert found.title == "来电 137****1111 30天内 5 次"


# --- 敏感词 sensitive words -----------------------------------------------------------------


def test_sensitive_words_raise_the_urgency_through_an_edit(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "sensitive_words")
    duty = actors["duty"]
    oid = svc.register(duty, draft(description="邻居扬言要跳楼，情绪激动")).order_id
    version = svc.load(duty, oid).order.version
    clock.advance(minutes=1)
    report = run_once(svc, rules)
    [found] = fired(report)
    assert report.urgency_raised == [oid]
    order = svc.load(duty, oid).order
    assert order.urgency == "critical" and order.version == version + 1
    assert found.severity == "red" and found.detail["words"] == ["跳楼"]
    assert found.title == f"工单 {order.number} 含敏感词：跳楼（紧急程度 一般→特急）"
    with read_tx(svc.store.engine) as conn:
        [edit] = conn.execute(
            select(events).where(
                events.c.order_id == oid, events.c.kind == EventKind.FIELD_EDITED.value
            )
        ).all()
    assert edit.actor_user_id is None and edit.reason == "敏感词：跳楼"
    assert edit.payload["field"] == "urgency"
    assert edit.payload["from"] == {"urgency": "normal"}
    assert edit.payload["to"] == {"urgency": "critical"}
    assert edit.order_version == version + 1
    again = run_once(svc, rules)
    assert again.raised == [] and again.urgency_raised == []
    assert svc.load(duty, oid).order.version == version + 1


def test_words_in_an_edited_description_and_the_strongest_group_wins(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "sensitive_words")
    duty = actors["duty"]
    oid = svc.register(duty, draft(urgency="urgent")).order_id
    clock.advance(minutes=1)
    assert run_once(svc, rules).raised == []
    clock.advance(minutes=1)
    svc.edit(duty, oid, {"description": "多名工人讨薪，准备集体上访，有人持刀"})
    clock.advance(minutes=1)
    [found] = fired(run_once(svc, rules))
    assert found.detail["words"] == ["持刀", "上访", "讨薪"]
    assert found.detail["groups"] == ["生命安全", "涉稳"]
    assert found.severity == "red" and svc.load(duty, oid).order.urgency == "critical"


def test_category_names_ignored_phrases_and_closed_orders(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "sensitive_words")
    duty = actors["duty"]
    # The demo's own wording: the category's name is in the text, and it is no alarm.
    svc.register(duty, draft(category_node_id=FIRE_HAZARD, description="某小区存在火灾隐患隐患"))
    svc.register(duty, draft(category_node_id=HARDSHIP, description="咨询困难群体救助政策"))
    svc.register(duty, draft(description="建议加强特殊群体关爱"))  # an ignored phrase
    critical = svc.register(duty, draft(urgency="critical", description="仓库起火")).order_id
    closed = svc.register(
        duty,
        draft(request_type="consultation", description="咨询爆炸品运输", answer_on_spot="已答复"),
    ).order_id
    clock.advance(minutes=1)
    report = run_once(svc, rules)
    assert sorted(c.order_ids[0] for c in fired(report)) == sorted([critical, closed])
    assert report.urgency_raised == []  # already critical; closed keeps its urgency
    assert svc.load(duty, closed).order.urgency == "normal"
    assert all("→" not in c.title for c in fired(report))


# --- 激增 surge ---------------------------------------------------------------------------


def test_a_surge_against_the_same_hour_of_previous_weeks(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    shipped: WarningRules,
) -> None:
    rules = only(shipped, "surge")
    duty = actors["duty"]
    now = clock.now()
    clock.set(now - timedelta(weeks=5))
    svc.register(duty, draft("town2v1g1"))  # the history begins before the 4 weeks
    for k in range(1, 5):  # the usual volume of this hour: 2 orders in town 1
        clock.set(now - timedelta(weeks=k, minutes=30))
        for _ in range(2):
            svc.register(duty, draft())
    clock.set(now - timedelta(minutes=55))
    for _ in range(11):
        svc.register(duty, draft(category_node_id=SANITATION))
        clock.advance(minutes=5)
    clock.set(now)
    assert fired(run_once(svc, rules)) == []  # 11 < min_count 12
    svc.register(duty, draft("town1v1g2"))
    [found] = fired(run_once(svc, rules))
    assert found.unit_id == county.units["town1"] and found.detail["scope"] == "town"
    assert found.detail["count"] == 12 and found.detail["usual"] == 2.0
    assert found.title == "第1镇 近1小时受理 12 件，同时段常量 2.0 件（6.0 倍）"
    assert found.key == f"town:{county.units['town1']}:2025-03-03T09"
    svc.register(duty, draft())
    clock.advance(minutes=10)
    assert run_once(svc, rules).raised == []  # once per clock hour
    # The county as a whole, with a lower bar than shipped: the window (10 minutes on)
    # holds 11 against 2 usually.
    county_only = replace(
        rules.surge, scopes=(replace(rules.surge.scopes[0], min_count=10, factor=3.0),)
    )
    [whole] = fired(check(svc, replace(rules, surge=county_only), apply=False))
    assert whole.unit_id == county.units["county"] and whole.detail["count"] == 11


def test_no_surge_without_weeks_of_history(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "surge")
    for _ in range(40):
        svc.register(actors["duty"], draft())
    assert fired(run_once(svc, rules)) == []


# --- 临期预警 near breach ------------------------------------------------------------------


def test_an_urgent_order_about_to_breach(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    shipped: WarningRules,
) -> None:
    rules = only(shipped, "near_breach")
    duty = actors["duty"]
    urgent = svc.register(duty, draft(urgency="urgent")).order_id
    svc.register(duty, draft())  # an ordinary order is 临期's business only
    handout = next(x for x in svc.load(duty, urgent).limits if x.kind == "handout")
    clock.advance(minutes=39)
    assert fired(run_once(svc, rules)) == []  # 21 minutes left
    clock.advance(minutes=2)
    [found] = fired(run_once(svc, rules))
    assert found.key == f"limit:{handout.id}" and found.order_ids == [urgent]
    assert found.unit_id == county.units["county"] and found.severity == "red"
    number = svc.load(duty, urgent).order.number
    assert found.title == f"紧急工单 {number} 派单签收时限 10:00 到期（还剩 19 分钟），测试县"
    assert run_once(svc, rules).raised == []
    # Dispatched: the handout limit runs on until acceptance, and the hop's own acceptance
    # limit gets its alert when its turn comes, at the receiving unit.
    hop = svc.dispatch(actors["dispatcher"], urgent, county.units["town1"]).value[0]
    clock.advance(minutes=45)
    found = fired(run_once(svc, rules))
    assert [c.unit_id for c in found] == [county.units["town1"]]
    assert found[0].detail["limit_kind"] == "accept"
    svc.accept(actors["h_town1"], urgent, hop)
    clock.advance(minutes=15)
    assert fired(run_once(svc, rules)) == []  # overdue limits are not "about to" breach


def test_a_unit_with_many_orders_due_within_hours(
    svc: OrderService,
    actors: dict[str, Actor],
    clock: ManualClock,
    county: County,
    shipped: WarningRules,
) -> None:
    rules = only(shipped, "near_breach")
    rules = replace(
        rules,
        near_breach=replace(rules.near_breach, unit=replace(rules.near_breach.unit, min_orders=3)),
    )
    duty = actors["duty"]
    ids = [svc.register(duty, draft()).order_id for _ in range(3)]
    # Handout: 1 working day to the end of the day, i.e. Tuesday 23:59:59.
    clock.set(datetime.fromisoformat("2025-03-04T19:00:00+08:00"))
    assert fired(run_once(svc, rules)) == []  # 5 hours left
    clock.advance(hours=1, minutes=1)
    [found] = fired(run_once(svc, rules))
    assert found.key == f"unit:{county.units['county']}:2025-03-04"
    assert sorted(found.order_ids) == sorted(ids) and found.detail["count"] == 3
    assert found.title == "测试县 有 3 件工单将在 4 小时内到期"
    clock.advance(hours=1)
    assert run_once(svc, rules).raised == []  # once per unit and day


# --- the service's job --------------------------------------------------------------------


def test_the_service_job_runs_the_rules_and_remembers_where_it_was(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    jobs = Jobs(default_jobs(svc))
    assert "early_warning" in [j.name for j in jobs.jobs]
    oid = svc.register(actors["duty"], draft(description="有人在楼顶扬言自杀")).order_id
    clock.advance(minutes=1)
    report = jobs.run_due()
    assert report.counts["early_warning"] == 1 and not report.errors
    assert svc.load(actors["duty"], oid).order.urgency == "critical"
    with read_tx(svc.store.engine) as conn:
        cursor = conn.execute(
            select(settings.c.value).where(settings.c.key == "early_warning")
        ).scalar_one()
    assert cursor == {"checked_at": clock.now().isoformat()}
    clock.advance(minutes=2)
    for job in jobs.jobs:
        job.next_at = 0.0
    assert Jobs(jobs.jobs).run_due().counts["early_warning"] == 0
    [row] = alert_rows(svc)
    assert row["rule"] == "sensitive_words" and row["status"] == "raised"


def test_a_late_commit_inside_the_overlap_is_still_seen(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, shipped: WarningRules
) -> None:
    rules = only(shipped, "sensitive_words")
    early = clock.now()
    clock.advance(minutes=5)
    assert run_once(svc, rules).raised == []
    clock.set(early + timedelta(minutes=1))  # saved with an instant before the last run
    svc.register(actors["duty"], draft(description="有人持刀伤人"))
    clock.set(early + timedelta(minutes=6))
    assert len(run_once(svc, rules).raised) == 1


def test_a_broken_rules_file_fails_the_job_alone_until_it_is_fixed(
    svc: OrderService, actors: dict[str, Actor], clock: ManualClock, tmp_path: Path
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[service]\nevery_seconds = 5\n", encoding="utf-8")
    job = early_warning(svc, path)
    assert job.every == 5.0
    path.write_text("[cluster]\nmin_count = 0\n", encoding="utf-8")
    svc.register(actors["duty"], draft(description="有人持刀"))
    clock.advance(minutes=1)
    jobs = Jobs([Job("other", lambda: 7), job])
    report = jobs.run_due()
    assert report.counts == {"other": 7}
    assert isinstance(report.errors["early_warning"], ValidationError)
    assert alert_rows(svc) == []
    fixed = '[[sensitive_words.group]]\nname = "x"\nwords = ["持刀"]\nurgency = "urgent"\n'
    path.write_text(fixed + 'severity = "red"\n', encoding="utf-8")  # the next run catches up
    job.next_at = 0.0
    assert Jobs([job]).run_due().counts == {"early_warning": 1}


def test_radius_neighbours_by_cells_equal_every_pair_measured() -> None:
    """The cell hash finds exactly the pairs a full comparison finds (near cell borders,
    across them, and at the radius), so a burst of orders costs no accuracy."""
    import random
    from datetime import UTC, datetime

    from core.geo import haversine_m
    from core.warning.clusters import _neighbours, _Order

    rng = random.Random(7)
    at = datetime(2026, 12, 4, tzinfo=UTC)
    for radius in (50.0, 300.0, 1000.0):
        placed = [
            _Order(i, at, "c", 1, 118.45 + rng.random() * 0.03, 32.97 + rng.random() * 0.03)
            for i in range(400)
        ]
        got = _neighbours(placed, radius)
        for i, x in enumerate(placed):
            want = [
                j
                for j, y in enumerate(placed)
                if haversine_m((x.lon or 0, x.lat or 0), (y.lon or 0, y.lat or 0)) <= radius
            ]
            assert sorted(got[i]) == want
