"""Drill scenarios: the shipped examples read and name only the demo county's codes; a
broken file names each problem's place and line; the runner fires every inject and
situation at its offset on a manual clock, by the real paths, and never twice, not even
from a new runner over the same database."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from core.auth import load_actor
from core.clock import ManualClock
from core.demo import build_demo
from core.domain.actor import Actor
from core.domain.events import EventKind
from core.drill.inject import DRILL_SOURCE, FIRED_KEY, InjectRunner
from core.drill.scenario import (
    DRILLS,
    Expect,
    Scenario,
    load_scenario,
    parse_offset,
    parse_scenario,
    shipped,
    validate_against,
)
from core.errors import CoreError, ValidationError
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import events, feed_items, orders, settings, units, users
from core.store import Store, open_store
from core.workflow.intake import OrderDraft
from tests.core.county import County

# --- the file format -----------------------------------------------------------------------


def problems(text: str, check: Any = None) -> dict[str, tuple[str, int | None]]:
    with pytest.raises(ValidationError) as err:
        scenario = parse_scenario(text, "drill.toml")
        check(scenario)
    out = {}
    for e in err.value.errors:
        assert e.params["file"] == "drill.toml"
        assert e.field not in out, e.field
        out[e.field] = (e.code, e.params.get("line"))
    return out


def test_offsets() -> None:
    assert parse_offset("01:30:00") == timedelta(hours=1, minutes=30)
    assert parse_offset("90:05") == timedelta(minutes=90, seconds=5)
    assert parse_offset("100:00:00") == timedelta(hours=100)
    for bad in ("1h", "00:61:00", "00:00:60", "-01:00", "", 90, None, "1:2:3"):
        assert parse_offset(bad) is None, bad
    # a bare TOML time (at = 00:15:00, without quotes) reads too
    doc = parse_scenario(SMALL.replace('at = "01:00"', "at = 00:01:00"), "x.toml")
    assert doc.injects[0].at == timedelta(minutes=1)


def test_the_shipped_examples_read() -> None:
    found = {p.stem: load_scenario(p) for p in shipped()}
    assert set(found) == {"flood_night", "dispute_surge"}
    flood = found["flood_night"]
    assert flood.id == "flood_night" and flood.duration == timedelta(hours=2)
    assert {j.kind for j in flood.injects} == {
        "call",
        "iot_alert",
        "video_alert",
        "patrol_report",
        "city_handdown",
    }
    assert [(s.kind, s.unit) for s in flood.situations][1:] == [
        ("unit_unreachable", "dept:water"),
        ("unit_back", "dept:water"),
    ]
    video = next(j for j in flood.injects if j.kind == "video_alert")
    assert video.expect == Expect(dismiss=True, within=timedelta(minutes=10))
    # [inject.expect] as a table, after the inject's keys
    call = next(j for j in flood.injects if j.id == "flood-call-02")
    assert call.expect == Expect(2, "town06", timedelta(minutes=10))
    assert flood.lines["inject[3].expect.unit"] == flood.lines["inject[3].expect"] + 2
    disputes = found["dispute_surge"]
    grades = [j.risk_grade for j in disputes.injects if j.category == "090305"]
    assert grades == ["yellow", "orange", "red", "red"]
    assert all(e.at <= s.duration for s in found.values() for e in s.entries())


BAD = """\
[scenario]
id = "bad id"
title = ""
duration = "01:00:00"
colour = "red"

[[inject]]
id = "a"
at = "00:61:00"
kind = "call"
category = "030501"
description = "积水"
lon = 118.5
expect = { level = "city" }

[[inject]]
id = "a"
at = "02:00:00"
kind = "iot_alert"
category = "040304"
description = "水位"
phone = "13900000001"

[inject.expect]
level = "county"
dismiss = true
within = "soon"

[[inject]]
id = "c d"
at = "00:10"
kind = "fax"
description = ""

[[situation]]
at = "00:05:00"
kind = "unit_back"
unit = "dept:police"

[[situation]]
at = "00:06:00"
kind = "announcement"
"""


def test_a_broken_file_names_every_problem_with_its_line() -> None:
    assert problems(BAD) == {
        "scenario.id": ("bad_id", 2),
        "scenario.title": ("required", 3),
        "scenario.colour": ("unknown_key", 5),
        "inject[0].at": ("bad_offset", 9),
        "inject[0].lon": ("coordinates_incomplete", 13),
        "inject[0].phone": ("phone_required", 7),
        "inject[0].expect.level": ("unknown_value", 14),
        "inject[1]": ("location_required", 16),
        "inject[1].id": ("duplicate_id", 17),
        "inject[1].at": ("after_end", 18),
        "inject[1].phone": ("not_for_kind", 22),
        "inject[1].expect.level": ("not_with_dismiss", 25),
        "inject[1].expect.within": ("bad_duration", 27),
        "inject[2].id": ("bad_id", 30),
        "inject[2].kind": ("unknown_value", 32),
        "inject[2].category": ("required", 29),
        "inject[2].description": ("required", 33),
        "inject[2].expect": ("required", 29),
        "situation[0].unit": ("not_unreachable", 38),
        "situation[1].text": ("required", 40),
    }


def test_more_mistakes() -> None:
    text = SMALL.replace("expect = { dismiss = true }", "expect = { dismiss = 1 }")
    text = text.replace('phone = "13900000001"', 'phone = "12345"')
    text = text.replace("due_hours = 24\n", "")
    text = text.replace('expect = { level = "village", unit = "town2v1" }', "expect = 3")
    text = text.replace("lon = 118.52\nlat = 32.95", 'lon = 118.52\nlat = 32.95\ngrid = "town2"')
    got = problems(text)
    assert got == {
        "inject[0].phone": ("phone_bad_length", 10),
        "inject[1].grid": ("not_with_coordinates", 26),
        "inject[2].expect": ("not_a_table", 40),
        "inject[3].due_hours": ("required", 49),  # the inject's line: the key is missing
        "inject[4].expect.dismiss": ("not_bool", 71),
    }
    assert problems("")["inject"] == ("required", None)
    assert problems('[scenario]\nid = "x"\n')["scenario.duration"] == ("required", 1)
    over = problems(SMALL.replace('duration = "00:30:00"', 'duration = "200:00:00"'))
    assert over == {"scenario.duration": ("out_of_range", 4)}


def test_broken_toml_and_encoding_are_refused(tmp_path: Path) -> None:
    assert problems("[scenario\n")["file"] == ("bad_toml", 1)
    bad = tmp_path / "drill.toml"
    bad.write_bytes(SMALL.encode("gb18030"))
    with pytest.raises(ValidationError) as err:
        load_scenario(bad)
    assert err.value.errors[0].code == "bad_encoding"
    with pytest.raises(ValidationError) as err:
        load_scenario(tmp_path / "missing.toml")
    assert err.value.errors[0].code == "unreadable"


# --- codes against a database ----------------------------------------------------------------

CODES = """\
[scenario]
id = "codes"
title = "codes"
duration = "01:00:00"

[[inject]]
id = "a"
at = "00:01:00"
kind = "call"
category = "999999"
phone = "13900000001"
grid = "nowhere"
description = "x"
expect = { level = "town", unit = "town1v1" }

[[inject]]
id = "b"
at = "00:02:00"
kind = "patrol_report"
category = "090305"
grid = "dept:police"
description = "y"
expect = { level = "county", unit = "dept:nobody" }

[[inject]]
id = "c"
at = "00:03:00"
kind = "call"
category = "030501"
anonymous = true
risk_grade = "red"
lon = 100.0
lat = 30.0
description = "z"
expect = { level = "county" }

[[inject]]
id = "d"
at = "00:03:00"
kind = "iot_alert"
category = "0305"
grid = "town1"
description = "w"
expect = { dismiss = true }

[[inject]]
id = "e"
at = "00:03:00"
kind = "video_alert"
category = "090305"
grid = "town1"
description = "v"
expect = { level = "village" }

[[situation]]
at = "00:04:00"
kind = "unit_unreachable"
unit = "dept:ghost"
"""


def test_codes_are_checked_against_the_database(store: Store) -> None:
    ref = store.reference()
    validate_against(parse_scenario(SMALL, "drill.toml"), ref)
    got = problems(CODES, lambda s: validate_against(s, ref))
    assert got == {
        "inject[0].category": ("unknown_category", 10),
        "inject[0].grid": ("unknown_unit", 12),
        "inject[0].expect.unit": ("level_mismatch", 14),
        "inject[1].risk_grade": ("required", 16),
        "inject[1].grid": ("not_territorial", 21),
        "inject[1].expect.unit": ("unknown_unit", 23),
        "inject[2].category": ("not_a_dispute_category", 29),
        "inject[2].lon": ("outside_county", 32),
        "inject[3].category": ("category_not_selectable", 41),
        "inject[4].category": ("dispute_category_on_alert", 50),
        "situation[0].unit": ("unknown_unit", 58),
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county (seed 2026) without orders: the codes the examples name."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    build_demo(f"sqlite:///{path}", orders=0)
    return path


def as_drill(store: Store) -> None:
    with write_tx(store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )


@pytest.mark.parametrize("name", ["flood_night", "dispute_surge"])
def test_the_examples_run_on_the_demo_county(demo: Path, tmp_path: Path, name: str) -> None:
    copy = tmp_path / "drill.sqlite3"
    shutil.copyfile(demo, copy)
    scenario = load_scenario(DRILLS / f"{name}.toml")
    clock = ManualClock(datetime(2026, 7, 1, 13, 0, tzinfo=UTC))
    store = open_store(f"sqlite:///{copy}", clock=clock)
    try:
        validate_against(scenario, store.reference())
        as_drill(store)
        with read_tx(store.engine) as conn:
            uid = conn.execute(select(users.c.id).where(users.c.username == "duty01")).scalar()
            actor = load_actor(conn, uid)
        runner = InjectRunner(store, scenario, clock, actor)
        clock.advance(scenario.duration)
        fired = runner.step()
        assert [f.id for f in fired] == [e.id for e in scenario.entries()]
        assert [f.refused for f in fired] == [None] * len(fired)
        with read_tx(store.engine) as conn:
            refs = set(conn.execute(select(orders.c.external_ref)).scalars())
            items = set(conn.execute(select(feed_items.c.source_id)).scalars())
        assert refs == {j.id for j in scenario.injects if not j.is_alert}
        assert items == {j.id for j in scenario.injects if j.is_alert}
    finally:
        store.engine.dispose()


# --- the runner --------------------------------------------------------------------------------

SMALL = """\
[scenario]
id = "small"
title = "测试演练"
duration = "00:30:00"

[[inject]]
id = "call-1"
at = "01:00"
kind = "call"
phone = "13900000001"
category = "030501"
urgency = "urgent"
grid = "town1v1g1"
description = "路面积水"
expect = { level = "town", unit = "town1", within = "00:15:00" }

[[inject]]
id = "iot-1"
at = "02:00"
kind = "iot_alert"
category = "040304"
title = "水位超警戒"
description = "水位站报警"
lon = 118.52
lat = 32.95
device = "WL-1"
expect = { level = "county", unit = "dept:police" }

[[inject]]
id = "patrol-1"
at = "02:00"
kind = "patrol_report"
category = "090305"
grid = "town2v1"
description = "两户因院墙争吵"
dispute_type = "相邻关系"
risk_grade = "yellow"
parties = [{ name = "甲", role = "申请人" }, { name = "乙" }]
expect = { level = "village", unit = "town2v1" }

[[situation]]
id = "police-down"
at = "03:00"
kind = "unit_unreachable"
unit = "dept:police"
text = "县公安局值班电话无人接听"

[[inject]]
id = "HD-0001"
at = "05:00"
kind = "city_handdown"
category = "030501"
phone = "13900000002"
grid = "town1v2"
description = "市平台转办：路灯不亮"
due_hours = 24
expect = { level = "town" }

[[situation]]
at = "06:00"
kind = "unit_back"
unit = "dept:police"

[[inject]]
id = "video-1"
at = "06:00"
kind = "video_alert"
category = "030501"
description = "镜头雨滴误报"
grid = "town1v1g2"
expect = { dismiss = true }
"""


@pytest.fixture
def small() -> Scenario:
    return parse_scenario(SMALL, "small.toml")


def ids(fired: list[Any]) -> list[str]:
    return [f.id for f in fired]


def order_rows(store: Store) -> dict[str, dict[str, Any]]:
    with read_tx(store.engine) as conn:
        rows = conn.execute(
            select(orders, units.c.code)
            .join(units, units.c.id == orders.c.location_unit_id)
            .where(orders.c.external_source == DRILL_SOURCE)
        ).all()
    return {r.external_ref: dict(r._mapping) for r in rows}


def notices(store: Store, kind: EventKind) -> list[dict[str, Any]]:
    with read_tx(store.engine) as conn:
        q = select(events).where(events.c.kind == kind.value).order_by(events.c.id)
        return [dict(r._mapping) for r in conn.execute(q)]


def test_a_live_database_is_refused(
    store: Store, small: Scenario, clock: ManualClock, actors: dict[str, Actor]
) -> None:
    with pytest.raises(CoreError) as err:
        InjectRunner(store, small, clock, actors["duty"])
    assert err.value.code == "not_a_drill_database"


def test_injects_fire_at_their_offsets_by_the_real_paths_and_never_twice(
    store: Store,
    small: Scenario,
    clock: ManualClock,
    actors: dict[str, Actor],
    county: County,
) -> None:
    as_drill(store)
    start = clock.now()
    runner = InjectRunner(store, small, clock, actors["duty"])
    assert runner.start == start and runner.next_due() == start + timedelta(minutes=1)
    assert runner.step() == []
    clock.set(start + timedelta(seconds=59))
    assert runner.step() == []
    clock.set(start + timedelta(minutes=1))
    first = runner.step()
    assert ids(first) == ["call-1"] and first[0].at == first[0].due == clock.now()
    assert runner.step() == []  # nothing twice
    clock.set(start + timedelta(minutes=2))
    assert ids(runner.step()) == ["iot-1", "patrol-1"]
    assert [e.id for e in runner.pending] == ["police-down", "HD-0001", "situation-2", "video-1"]

    # a restart: a new runner over the same database keeps the start and fires nothing again
    again = InjectRunner(store, small, clock, actors["duty"])
    assert again.start == start and again.step() == []
    assert [e.id for e in again.done] == ["call-1", "iot-1", "patrol-1"]
    clock.set(start + timedelta(minutes=10))
    late = again.step()
    assert ids(late) == ["police-down", "HD-0001", "situation-2", "video-1"]
    assert [f.due - start for f in late] == [timedelta(minutes=m) for m in (3, 5, 6, 6)]
    assert all(f.at == clock.now() for f in late)
    assert runner.step() == [] and again.step() == [] and again.pending == []
    assert again.next_due() is None

    # orders, by the intake path, keyed (drill, inject id)
    got = order_rows(store)
    assert set(got) == {"call-1", "patrol-1", "HD-0001"}
    assert {k: (r["channel"], r["code"]) for k, r in got.items()} == {
        "call-1": ("hotline", "town1v1g1"),
        "patrol-1": ("grid_patrol", "town2v1"),
        "HD-0001": ("city_platform", "town1v2"),
    }
    assert got["call-1"]["state"] == "registered" and got["call-1"]["urgency"] == "urgent"
    assert got["patrol-1"]["risk_grade"] == "yellow"
    assert got["patrol-1"]["parties"] == [{"name": "甲", "role": "申请人"}, {"name": "乙"}]
    handdown = got["HD-0001"]
    assert handdown["upstream_due"] == late[1].at + timedelta(hours=24)
    assert first[0].order_id == got["call-1"]["id"]
    assert first[0].order_number == got["call-1"]["number"]

    # alerts wait in the feed inbox
    with read_tx(store.engine) as conn:
        items = {r.source_id: r for r in conn.execute(select(feed_items))}
    assert set(items) == {"iot-1", "video-1"}
    iot, video = items["iot-1"], items["video-1"]
    assert (iot.source, iot.kind, iot.status) == (DRILL_SOURCE, "iot", "pending")
    assert (video.kind, video.status) == ("video", "pending")
    assert iot.unit_id == county.units["town2v1g1"] and video.unit_id == county.units["town1v1g2"]
    assert iot.occurred_at == start + timedelta(minutes=2)
    assert iot.payload["extra"] == {"device": "WL-1"}
    assert len(notices(store, EventKind.FEED_RECEIVED)) == 2

    # situations and injects as order-less events
    situations = notices(store, EventKind.DRILL_SITUATION)
    assert [(e["payload"]["situation"], e["payload"]["kind"]) for e in situations] == [
        ("police-down", "unit_unreachable"),
        ("situation-2", "unit_back"),
    ]
    assert situations[0]["order_id"] is None
    assert situations[0]["payload"]["unit_id"] == county.units["police"]
    assert situations[0]["payload"]["text"] == "县公安局值班电话无人接听"
    injected = notices(store, EventKind.DRILL_INJECT)
    assert [e["payload"]["inject"] for e in injected] == [
        "call-1",
        "iot-1",
        "patrol-1",
        "HD-0001",
        "video-1",
    ]
    assert injected[1]["payload"]["feed_item"] == iot.id
    assert injected[0]["payload"]["order_id"] == got["call-1"]["id"]
    with read_tx(store.engine) as conn:
        ledger = conn.execute(select(settings.c.value).where(settings.c.key == FIRED_KEY))
        stored = ledger.scalar_one()
    assert stored["scenario"] == "small" and len(stored["fired"]) == 7


def test_a_drill_keeps_its_scenario_and_start(
    store: Store, small: Scenario, clock: ManualClock, actors: dict[str, Actor]
) -> None:
    as_drill(store)
    start = clock.now()
    InjectRunner(store, small, clock, actors["duty"])
    clock.advance(minutes=5)
    assert InjectRunner(store, small, clock, actors["duty"]).start == start
    assert InjectRunner(store, small, clock, actors["duty"], start=start).start == start
    with pytest.raises(CoreError) as err:
        InjectRunner(store, small, clock, actors["duty"], start=clock.now())
    assert err.value.code == "drill_already_started"
    other = parse_scenario(SMALL.replace('id = "small"', 'id = "other"'), "other.toml")
    with pytest.raises(CoreError) as err:
        InjectRunner(store, other, clock, actors["duty"])
    assert err.value.code == "drill_scenario_mismatch"


def test_an_order_registered_before_its_mark_is_not_registered_again(
    store: Store, small: Scenario, clock: ManualClock, actors: dict[str, Actor], county: County
) -> None:
    """A crash between registering an inject's order and marking it fired: the next
    step finds the order by its key and only marks it."""
    as_drill(store)
    runner = InjectRunner(store, small, clock, actors["duty"])
    draft = OrderDraft(
        channel="hotline",
        request_type="help",
        category_node_id="db44t2479-2024:0305:030501",
        description="路面积水",
        phone="13900000001",
        location_unit_id=county.units["town1v1g1"],
        external_ref="call-1",
        external_source=DRILL_SOURCE,
    )
    number = OrderService(store).register(actors["duty"], draft).value
    clock.advance(minutes=1)
    fired = runner.step()
    assert ids(fired) == ["call-1"] and fired[0].order_number == number
    assert len(order_rows(store)) == 1


def test_a_refused_inject_is_spent_not_retried(
    store: Store, clock: ManualClock, actors: dict[str, Actor]
) -> None:
    """The intake refuses what the file alone cannot know is wrong (a category this
    database lacks): the inject is marked with the refusal and never fired again."""
    as_drill(store)
    scenario = parse_scenario(SMALL.replace('category = "030501"', 'category = "999999"', 1))
    runner = InjectRunner(store, scenario, clock, actors["duty"])
    clock.advance(minutes=1)
    fired = runner.step()
    assert ids(fired) == ["call-1"] and fired[0].refused == "validation_failed"
    assert any("category_node_id" in p for p in fired[0].problems)
    assert fired[0].order_id is None and order_rows(store) == {}
    assert runner.step() == []
    payload = notices(store, EventKind.DRILL_INJECT)[0]["payload"]
    assert payload["refused"] == "validation_failed" and payload["order_id"] is None
