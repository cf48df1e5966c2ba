"""Replaying a real day of 311 requests (core/drill/replay.py) on SQLite and PostgreSQL: the
NYC day at 600× registers every mappable request exactly once, across a restart too;
thinning keeps the hourly shape; pause, resume, jump and speed move replay time as
documented, on the injected clock only; a bad speed and a file that is not a 311 export
are refused naming what was wrong."""

from __future__ import annotations

import csv
import math
import statistics
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.clock import ManualClock
from core.domain.actor import Actor
from core.drill.replay import (
    Replay,
    ReplayError,
    ReplayRun,
    load_replay,
    per_hour,
    thin,
)
from core.imports.mapping import load_mapping, parse_mapping
from core.imports.run import county_box, import_drafts
from core.imports.tabular import FileRefused
from core.resources import RESOURCES
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import orders
from core.store import Store
from tests.core.county import POINTS
from tests.shared_data import need, shared_data

DATA = shared_data() / "replay"
NYC_MAPPING = RESOURCES / "imports" / "nyc311.toml"
NYC_DAY = "nyc311_2018-10-21_sample.csv"
BOX = (116.0, 33.0, 116.4, 33.3)  # any county extent, for the tests without a database

# A small export of our own: exact times, every point inside the test county.
SMALL = """
[source]
name = "drilltest"
timezone = "Asia/Shanghai"
[columns]
id = "id"
created = { column = "created", format = "%Y-%m-%d %H:%M" }
description = "text"
lon = "lon"
lat = "lat"
[category]
default = "db44t2479-2024:0303:030302"
"""
SMALL_TIMES = ["09:00", "09:10", "09:20", "09:30", "10:00", "11:00", "12:00"]


def small_replay(tmp_path: Path) -> Replay:
    lon, lat = POINTS["town1v1g1"]
    path = tmp_path / "small.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "created", "text", "lon", "lat"])
        # written out of order: the replay sorts by time
        for i, hhmm in reversed(list(enumerate(SMALL_TIMES))):
            w.writerow([f"S{i}", f"2024-06-01 {hhmm}", f"路灯不亮 {i}", lon, lat])
    return load_replay(path, parse_mapping(SMALL, "small.toml"))


def source_count(store: Store, source: str) -> int:
    with read_tx(store.engine) as conn:
        q = select(func.count()).select_from(orders).where(orders.c.external_source == source)
        return int(conn.execute(q).scalar_one())


def registered_at(store: Store, source: str) -> dict[str, datetime]:
    with read_tx(store.engine) as conn:
        q = select(orders.c.external_ref, orders.c.registered_at).where(
            orders.c.external_source == source
        )
        return {ref: at for ref, at in conn.execute(q)}


def nyc_day(county: tuple[float, float, float, float]) -> Replay:
    return load_replay(need(DATA / NYC_DAY), load_mapping(NYC_MAPPING), county=county)


# --- the NYC day, whole ------------------------------------------------------------------


@pytest.mark.slow
def test_the_nyc_day_at_600x_registers_every_mappable_request_once(
    store: Store, svc: OrderService, actors: dict[str, Actor], clock: ManualClock
) -> None:
    duty = actors["duty"]
    replay = nyc_day(county_box(svc))
    assert replay.read == len(replay.rows) == 6765 and replay.refused == ()  # every row maps
    assert replay.first.isoformat() == "2018-10-21T00:00:00-04:00"
    mappable = import_drafts(svc, duty, replay.rows, replay.source, dry_run=True).accepted
    assert mappable > 0.9 * len(replay.rows)

    start = clock.now()
    run = ReplayRun(store, duty, replay, clock, speed=600)
    total, steps = run.step(), 1
    while not run.done:
        clock.advance(seconds=5)
        total += run.step()
        steps += 1
    drill_span = replay.span / 600  # 26 h 41 min of NYC in 2 min 40 s of drill time
    assert steps == math.ceil(drill_span / timedelta(seconds=5)) + 1
    assert total == mappable == source_count(store, "nyc311")
    p = run.progress
    assert (p.done, p.total, p.registered, p.already) == (6765, 6765, mappable, 0)
    assert p.refused == len(replay.rows) - mappable
    assert {(x.field, x.code) for x in run.refused} <= {("coordinates", "outside_county")}
    assert all(x.row >= 2 for x in run.refused)
    assert p.reached == replay.last and p.fraction == 1.0
    times = registered_at(store, "nyc311")
    assert min(times.values()) == start and max(times.values()) == clock.now()

    # nothing twice: the same run again, and a new run over the same file
    clock.advance(seconds=5)
    assert run.step() == 0
    again = ReplayRun(store, duty, replay, clock, speed=600, start_at=start)
    assert again.step() == 0 and again.done
    assert again.progress.already == mappable
    assert source_count(store, "nyc311") == mappable


def test_a_restarted_replay_registers_only_the_rest(
    store: Store, actors: dict[str, Actor], clock: ManualClock, tmp_path: Path
) -> None:
    replay = small_replay(tmp_path)
    start = clock.now()
    first = ReplayRun(store, actors["duty"], replay, clock, speed=60)
    clock.advance(seconds=20)  # 20 min of the source: 09:00, 09:10, 09:20
    assert first.step() == 3
    # the workstation restarts: a new run from the same start finds the first three there
    second = ReplayRun(store, actors["duty"], replay, clock, speed=60, start_at=start)
    assert second.step() == 0 and second.progress.already == 3
    clock.advance(minutes=3)  # 09:00 + 200 min: all seven due
    assert second.step() == 4 and second.done
    assert source_count(store, "drilltest") == 7


def test_rows_intake_refuses_are_reported_with_their_row(
    store: Store, actors: dict[str, Actor], clock: ManualClock, tmp_path: Path
) -> None:
    path = tmp_path / "two.csv"
    inside, outside = POINTS["town1v1g1"], POINTS["outside"]
    path.write_text(
        "id,created,text,lon,lat\n"
        f"A,2024-06-01 09:00,井盖缺失,{inside[0]},{inside[1]}\n"
        f"B,2024-06-01 09:00,外县,{outside[0]},{outside[1]}\n"
        "C,,没有时间,,\n",
        encoding="utf-8",
    )
    replay = load_replay(path, parse_mapping(SMALL, "small.toml"))
    assert [(p.row, p.field, p.code) for p in replay.refused] == [(4, "created", "required")]
    run = ReplayRun(store, actors["duty"], replay, clock)
    assert run.step() == 1 and run.done
    assert [(p.row, p.field, p.code) for p in run.refused] == [(3, "coordinates", "outside_county")]
    assert (run.progress.done, run.progress.registered, run.progress.refused) == (2, 1, 1)


# --- thinning ----------------------------------------------------------------------------


def test_thinning_keeps_the_hourly_shape() -> None:
    day = nyc_day(BOX)
    thinned = thin(day, target_per_day=160, seed=7)
    factor = len(day.rows) / 160  # one day (26.7 h rounds to 1): 6765 / 160
    assert thinned.factor == pytest.approx(factor) and 42 < factor < 43
    assert abs(len(thinned.rows) - round(len(day.rows) / factor)) <= 1
    before, after = per_hour(day), per_hour(thinned)
    hours = list(before)
    assert len(hours) == 27  # 00:00 on the 21st to 02:00 on the 22nd, New York time
    shares = [before[h] / factor for h in hours]
    kept = [after.get(h, 0) for h in hours]
    assert statistics.correlation(shares, kept) > 0.95
    assert all(abs(k - s) <= 1 for k, s in zip(kept, shares, strict=True))
    # the kept rows are rows of the day, in time order, and the same seed keeps the same
    assert {r.row for r in thinned.rows} <= {r.row for r in day.rows}
    assert [r.created for r in thinned.rows] == sorted(r.created for r in thinned.rows)
    assert thin(day, target_per_day=160, seed=7).rows == thinned.rows
    assert thin(day, target_per_day=160, seed=8).rows != thinned.rows
    # a factor of 42 on top of an earlier thinning compounds; a target above the rate keeps all
    assert thin(thin(day, 2.0), 3.0).factor == 6.0
    assert thin(day, target_per_day=100_000).rows == day.rows


def test_quiet_hours_carry_their_remainder_forward(tmp_path: Path) -> None:
    replay = small_replay(tmp_path)  # hours 09 (4 rows), 10, 11, 12 (1 each)
    thinned = thin(replay, 2.0)
    # running share: 4/2=2 → 2 kept; 5/2=2.5 → 3 (one from 10:00); 6/2=3 → 3; 7/2=3.5 → 4
    assert [(h.hour, n) for h, n in per_hour(thinned).items()] == [
        (9, 2),
        (10, 1),
        (11, 0),
        (12, 1),
    ]
    assert thin(replay, 1.0).rows == replay.rows
    for bad in (0.5, float("nan")):
        with pytest.raises(ReplayError) as caught:
            thin(replay, bad)
        assert caught.value.code == "thin_factor_below_one"
    with pytest.raises(ReplayError, match="thin_needs_factor_or_target"):
        thin(replay)


# --- pause, resume, jump, speed ----------------------------------------------------------


def test_pause_resume_jump_and_speed_move_replay_time_as_documented(
    store: Store, actors: dict[str, Actor], clock: ManualClock, tmp_path: Path
) -> None:
    replay = small_replay(tmp_path)
    assert [r.external_id for r in replay.rows] == [f"S{i}" for i in range(7)]
    t0 = clock.now()
    run = ReplayRun(store, actors["duty"], replay, clock, speed=60)  # 10 min → 10 s
    assert run.step() == 1  # 09:00 is due at the start
    clock.advance(seconds=9)
    assert run.step() == 0
    assert run.next_due_at() == t0 + timedelta(seconds=10)
    clock.advance(seconds=1)
    assert run.step() == 1  # 09:10

    run.pause()
    run.pause()  # idempotent
    clock.advance(hours=1)
    assert run.step() == 0 and run.next_due_at() is None
    p = run.progress
    assert p.paused and p.offset == timedelta(minutes=10) and p.reached.hour == 9
    run.resume()
    clock.advance(seconds=10)
    assert run.step() == 1  # 09:20: the paused hour did not count

    run.set_speed(120)  # from now on 10 min → 5 s
    clock.advance(seconds=5)
    assert run.step() == 1  # 09:30
    assert run.progress.offset == timedelta(minutes=30) and run.speed == 120

    assert run.jump(timedelta(hours=2)) == 2  # 10:00 and 11:00 arrive at once
    with pytest.raises(ReplayError) as caught:
        run.jump(timedelta(hours=1))
    assert caught.value.code == "jump_backwards"
    assert run.next_due_at() == clock.now() + timedelta(seconds=30)  # 1 h at 120×

    run.pause()
    assert run.jump(timedelta(hours=5)) == 1 and run.paused  # past the end is the end
    assert run.done and run.progress.offset == replay.span and run.progress.fraction == 1.0
    assert source_count(store, "drilltest") == 7

    # each order carries the drill clock's time of the step that registered it
    at = registered_at(store, "drilltest")
    assert at["S0"] == t0 and at["S1"] == t0 + timedelta(seconds=10)
    assert at["S2"] == t0 + timedelta(hours=1, seconds=20)
    assert at["S4"] == at["S5"] == at["S6"] == clock.now()


def test_the_clock_set_to_next_due_at_finds_the_next_row_due(
    store: Store, actors: dict[str, Actor], clock: ManualClock, tmp_path: Path
) -> None:
    # 7.3×: ten source minutes are not a whole number of microseconds of drill time
    run = ReplayRun(store, actors["duty"], small_replay(tmp_path), clock, speed=7.3)
    steps = 0
    while not run.done and steps < 20:
        at = run.next_due_at()
        assert at is not None and at >= clock.now()
        clock.set(at)
        assert run.step() == 1  # each arrival in a step of its own, none early
        steps += 1
    assert steps == len(SMALL_TIMES) and run.next_due_at() is None


# --- refusals ----------------------------------------------------------------------------


def test_a_speed_outside_1_to_600_is_refused(
    store: Store, actors: dict[str, Actor], clock: ManualClock, tmp_path: Path
) -> None:
    replay = small_replay(tmp_path)
    run = ReplayRun(store, actors["duty"], replay, clock, speed=600)
    assert ReplayRun(store, actors["duty"], replay, clock, speed=1).speed == 1
    for speed in (0, 0.5, 601, 10_000, float("nan"), float("inf"), -60):
        with pytest.raises(ReplayError) as caught:
            ReplayRun(store, actors["duty"], replay, clock, speed=speed)
        assert caught.value.code == "speed_out_of_range"
        assert caught.value.params["min"] == 1 and caught.value.params["max"] == 600
        assert caught.value.params["speed"] == speed or math.isnan(speed)
        with pytest.raises(ReplayError, match="speed_out_of_range"):
            run.set_speed(speed)
        assert run.speed == 600  # unchanged
    with pytest.raises(ReplayError, match="speed_not_a_number"):
        run.set_speed(True)
    assert source_count(store, "drilltest") == 0  # refusing wrote nothing


def test_a_file_that_is_not_a_311_export_is_refused_naming_what_is_wrong(
    tmp_path: Path,
) -> None:
    nyc = load_mapping(NYC_MAPPING)
    with pytest.raises(FileRefused) as caught:  # Boston's export, another schema
        load_replay(need(DATA / "boston311-100.csv"), nyc, county=BOX)
    assert caught.value.code == "missing_columns"
    assert {"Unique Key", "Created Date", "Complaint Type"} <= set(caught.value.params["columns"])

    notes = tmp_path / "notes.csv"
    notes.write_text("just,some\nnotes,here\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="missing_columns"):
        load_replay(notes, nyc, county=BOX)

    # NYC's columns, but the portal's own time format: no row has a time the mapping reads
    with pytest.raises(ReplayError) as nothing:
        load_replay(need(DATA / "nyc311-100.csv"), nyc, county=BOX)
    assert nothing.value.code == "nothing_to_replay"
    assert nothing.value.params["rows"] == 100 and nothing.value.params["refused"] == 100

    with pytest.raises(ReplayError, match="county_extent_needed"):
        load_replay(need(DATA / NYC_DAY), nyc)
    untimed = parse_mapping(SMALL.replace('created = { column = "created", ', "# "))
    with pytest.raises(ReplayError, match="mapping_without_created"):
        load_replay(notes, untimed)
