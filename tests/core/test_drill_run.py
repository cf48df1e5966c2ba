"""`main.py drill run`: its loop on an injected clock (a test's sleep moves a ManualClock,
nothing waits), speed compressing arrivals but not the time trainees have, and the
refusals: a live database, a replay without its mapping, a speed out of range."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from commands.drill_run import drive
from core.clock import ManualClock
from core.domain.actor import Actor
from core.drill.inject import InjectRunner
from core.drill.scenario import parse_scenario
from core.store import Store
from main import main
from tests.core.test_drill_scenario import SMALL, as_drill


def test_the_loop_fires_each_inject_once_at_its_offset_at_60x(
    store: Store, actors: dict[str, Actor]
) -> None:
    as_drill(store)
    clock = store.clock
    assert isinstance(clock, ManualClock)
    start = clock.now()
    original = parse_scenario(SMALL, "small.toml")
    last = max(e.at for e in original.entries()).total_seconds() / 60  # 6 s: 6 min at 60x
    runner = InjectRunner(store, original, clock, actors["duty"], start=start)
    runner.set_speed(60)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(timedelta(seconds=seconds))

    steps = drive(runner, sleep, lambda: False, tick=0.5)
    assert not runner.pending
    assert [e.id for e in runner.done] == [e.id for e in original.entries()]
    assert sum(slept) == last and steps == last / 0.5 + 1  # done at the last offset
    assert drive(runner, sleep, lambda: False) == 1  # nothing left: one look, no sleep


def test_stop_ends_the_loop_before_the_drill_is_done(
    store: Store, actors: dict[str, Actor]
) -> None:
    as_drill(store)
    clock = store.clock
    assert isinstance(clock, ManualClock)
    runner = InjectRunner(store, parse_scenario(SMALL, "small.toml"), clock, actors["duty"])
    looks: list[int] = []
    drive(
        runner,
        lambda s: clock.advance(timedelta(seconds=s)),
        lambda: len(looks) > 2 or bool(looks.append(1)),
    )
    assert runner.pending  # the call is due at 1 min; the loop stopped after 3 s


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--scenario", "resources/drills/flood_night.toml"], "not a drill database"),
        (["--replay", "x.csv"], "is not a drill database"),
    ],
)
def test_a_live_database_is_refused(
    store: Store, args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", store.url, "drill", "run", *args]) == 2
    assert says in capsys.readouterr().err


def test_bad_arguments_are_refused_with_the_reason(
    store: Store, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    as_drill(store)
    assert main(["--db", store.url, "drill", "run", "--replay", "x.csv"]) == 2
    assert "--mapping" in capsys.readouterr().err
    scenario = tmp_path / "s.toml"
    scenario.write_text(SMALL, encoding="utf-8")
    assert (
        main(["--db", store.url, "drill", "run", "--scenario", str(scenario), "--speed", "700"])
        == 2
    )
    assert "1 to 600" in capsys.readouterr().err
    broken = tmp_path / "broken.toml"
    broken.write_text(SMALL.replace('at = "01:00"', 'at = "soon"'), encoding="utf-8")
    assert main(["--db", store.url, "drill", "run", "--scenario", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "inject[0].at" in err and "line" in err
