"""What the trainer's console runs (core/drill/console.py and the pace of
core/drill/inject.py), on SQLite and PostgreSQL, on a ManualClock only: pause freezes drill
time, resume goes on from there, speed compresses arrivals and the pace survives a
restart; a jump fires what it skips over; stop ends the drill for every runner and scores
are taken as of the stop; a replay run behind the same controls; and ``arrivals`` puts
each outside order beside its first dispatch."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import ManualClock
from core.domain.actor import Actor
from core.drill.console import REPLAY, SCENARIO, DrillRun, arrivals
from core.drill.inject import InjectRunner, stopped_at
from core.drill.replay import ReplayRun
from core.drill.scenario import parse_scenario
from core.drill.scoring import score_drill
from core.errors import CoreError
from core.service import OrderService
from core.store import Store
from tests.core.county import County
from tests.core.test_drill_replay import small_replay
from tests.core.test_drill_scenario import SMALL, as_drill


def _clock(store: Store) -> ManualClock:
    clock = store.clock
    assert isinstance(clock, ManualClock)
    return clock


def _scenario_run(store: Store, actor: Actor) -> DrillRun:
    as_drill(store)
    runner = InjectRunner(store, parse_scenario(SMALL, "small.toml"), store.clock, actor)
    return DrillRun(store, runner, "测试演练")


def test_pause_freezes_drill_time_and_resume_goes_on_from_there(
    store: Store, actors: dict[str, Actor]
) -> None:
    clock = _clock(store)
    run = _scenario_run(store, actors["duty"])
    clock.advance(timedelta(seconds=30))
    run.pause()
    clock.advance(timedelta(hours=1))  # the trainer's coffee: nothing may arrive
    assert run.step() == [] and run.status().fired == 0
    status = run.status()
    assert status.paused and not status.running and status.reached == timedelta(seconds=30)
    assert status.next_due is None
    run.resume()
    clock.advance(timedelta(seconds=29))
    assert run.step() == []  # 59 s of drill time: the call is due at 1:00
    clock.advance(timedelta(seconds=1))
    assert [f.id for f in run.step()] == ["call-1"]  # type: ignore[union-attr]
    assert run.status().reached == timedelta(minutes=1)


def test_speed_compresses_arrivals_and_the_pace_survives_a_restart(
    store: Store, actors: dict[str, Actor]
) -> None:
    clock = _clock(store)
    run = _scenario_run(store, actors["duty"])
    run.set_speed(60)  # a minute of drill time every second
    clock.advance(timedelta(seconds=1))
    assert [f.id for f in run.step()] == ["call-1"]  # type: ignore[union-attr]
    assert run.status().next_due == clock.now() + timedelta(seconds=1)
    # the console is closed and opened again: the new runner reads the same pace
    again = InjectRunner(store, parse_scenario(SMALL, "small.toml"), store.clock, actors["duty"])
    assert again.speed == 60 and again.offset() == timedelta(minutes=1)
    clock.advance(timedelta(seconds=1))
    assert sorted(f.id for f in again.step()) == ["iot-1", "patrol-1"]
    with pytest.raises(CoreError) as bad:
        run.set_speed(601)
    assert bad.value.code == "speed_out_of_range"


def test_a_jump_fires_what_it_skips_and_a_paused_drill_stays_paused(
    store: Store, actors: dict[str, Actor]
) -> None:
    run = _scenario_run(store, actors["duty"])
    run.pause()
    run.jump(timedelta(minutes=2))
    status = run.status()
    assert status.fired == 3 and status.paused and status.reached == timedelta(minutes=2)
    with pytest.raises(CoreError) as back:
        run.jump(timedelta(minutes=1))
    assert back.value.code == "jump_backwards"


def test_stop_ends_the_drill_for_every_runner_and_scores_are_as_of_the_stop(
    store: Store, actors: dict[str, Actor], county: County
) -> None:
    clock = _clock(store)
    run = _scenario_run(store, actors["duty"])
    clock.advance(timedelta(minutes=1))
    got = run.step()
    assert [f.id for f in got] == ["call-1"]  # type: ignore[union-attr]
    order_id = got[0].order_id  # type: ignore[index]
    assert order_id is not None
    stop = run.stop()
    assert stopped_at(store) == stop and run.status().stopped_at == stop
    # a `drill run` on another machine sees it and fires nothing more
    other = InjectRunner(store, parse_scenario(SMALL, "small.toml"), store.clock, actors["duty"])
    reached = run.status().reached
    clock.advance(timedelta(minutes=5))
    assert run.status().reached == reached  # drill time ends with the drill
    assert other.step() == [] and run.step() == [] and other.stopped_at == stop
    assert run.stop() == stop  # the first stop stands
    with pytest.raises(CoreError):
        run.jump(timedelta(minutes=10))
    # a dispatch after the stop does not count: the drill had ended
    OrderService(store).dispatch(actors["dispatcher"], order_id, county.units["town1"])
    score = score_drill(store, parse_scenario(SMALL, "small.toml"))
    assert score.at == stop
    assert {i.inject: i.status for i in score.injects}["call-1"] == "pending"


def test_a_replay_runs_behind_the_same_controls(
    store: Store, actors: dict[str, Actor], county: County, tmp_path: Path
) -> None:
    as_drill(store)
    clock = _clock(store)
    replay = small_replay(tmp_path)
    run = DrillRun(store, ReplayRun(store, actors["duty"], replay, clock, speed=60), "small.csv")
    assert run.kind == REPLAY and run.scenario is None
    clock.advance(timedelta(seconds=10))  # 10 minutes of the source day
    assert run.step() == 2  # 09:00 and 09:10
    run.pause()
    clock.advance(timedelta(hours=1))
    assert run.step() == 0
    run.resume()
    run.set_speed(600)
    clock.advance(timedelta(seconds=2))  # 20 more minutes: 09:20 and 09:30
    assert run.step() == 2
    status = run.status()
    assert (status.fired, status.total, status.registered) == (4, 7, 4)
    assert status.source_time is not None and status.source_time.strftime("%H:%M") == "09:30"
    run.jump(timedelta(hours=2))  # to 11:00
    assert run.status().fired == 6
    other = DrillRun(store, ReplayRun(store, actors["duty"], replay, clock, speed=60), "again")
    stop = run.stop()
    reached = run.status().reached
    clock.advance(timedelta(hours=1))
    assert other.step() == [] and other.status().stopped_at == stop  # a second console
    clock.advance(timedelta(hours=1))
    assert run.step() == [] and run.status().stopped_at == stop and run.status().fired == 6
    assert run.status().reached == reached

    # arrivals: the newest first, each beside its first dispatch
    newest = arrivals(store, limit=3)
    assert [a.external_ref for a in newest] == ["S5", "S4", "S3"]
    assert all(a.dispatched_at is None and a.seconds is None for a in newest)
    clock.advance(timedelta(minutes=4))
    OrderService(store).dispatch(actors["dispatcher"], newest[1].order_id, county.units["town1"])
    got = {a.external_ref: a for a in arrivals(store)}
    town1 = store.reference().org.get(county.units["town1"])
    assert len(got) == 6 and got["S4"].unit == town1.name
    assert got["S4"].level == 2 and got["S4"].dispatched_by is not None
    assert got["S4"].seconds == (got["S4"].dispatched_at - got["S4"].registered_at).total_seconds()
    assert got["S4"].seconds >= 4 * 60


def test_a_scenario_file_is_checked_against_the_county_before_it_runs(
    store: Store, actors: dict[str, Actor], tmp_path: Path
) -> None:
    as_drill(store)
    path = tmp_path / "bad.toml"
    path.write_text(SMALL.replace('unit = "town1"', 'unit = "nowhere"'), encoding="utf-8")
    with pytest.raises(CoreError) as bad:
        DrillRun.of_scenario(store, path, actors["duty"])
    assert "nowhere" in str(bad.value.errors)  # type: ignore[attr-defined]
    path.write_text(SMALL, encoding="utf-8")
    run = DrillRun.of_scenario(store, path, actors["duty"], speed=10)
    assert run.kind == SCENARIO and run.status().speed == 10
    assert run.status().total == len(parse_scenario(SMALL, "small.toml").entries())
    # a second console on the same drill keeps the pace the first one set
    again = DrillRun.of_scenario(store, path, actors["duty"], speed=2, keep_pace=True)
    assert again.status().speed == 10
    # the command line's --speed sets it
    assert DrillRun.of_scenario(store, path, actors["duty"], speed=2).status().speed == 2


def test_drill_url_looks_without_creating_anything(store: Store, tmp_path: Path) -> None:
    """`main.py --drill` checks the URL first: a wrong path must not become a demo county."""
    from core.drill.database import is_drill_url

    missing = tmp_path / "typo.sqlite3"
    assert not is_drill_url(str(missing)) and not missing.exists()
    assert not is_drill_url(store.url)  # a live county
    as_drill(store)
    assert is_drill_url(store.url)
    if store.url.startswith("postgresql"):
        assert not is_drill_url(store.url.rsplit("/", 1)[0] + "/cc_no_such_database")
