"""drill run: feed a drill database from the command line while trainees work: a
scenario's injects at their offsets, or a real day of 311 requests in its own rhythm.

    python main.py --db DRILL drill run --scenario resources/drills/flood_night.toml [--speed 10]
    python main.py --db DRILL drill run --replay NYC.csv --mapping resources/imports/nyc311.toml \
        [--speed 60] [--thin-to 160] [--minutes 30]

``--speed`` compresses the time between arrivals, never the time trainees have: a
scenario's ``within`` deadlines stay as written. A scenario's speed is kept in the drill
(the console's speed control changes it too). Each fired inject or registered batch is
one line; Ctrl+C stops (what fired stays fired: running again continues a scenario
where it stopped, and a replay skips what it registered). Refuses a live database.

The loop (``drive``) takes its clock and its sleep as arguments, so tests run it on a
``ManualClock`` without waiting.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

TICK_SECONDS = 1.0


class Steps(Protocol):
    def step(self) -> Any: ...


def register(drill: Any) -> None:
    run = drill.add_parser(
        "run",
        help="feed the drill database: a scenario's injects, or a real day of 311 requests",
        description="Fire a scenario's injects at their offsets, or replay a 311 CSV export in "
        "its own rhythm, into the drill database (--db) until done, --minutes pass or Ctrl+C. "
        "--speed compresses the time between arrivals (1-600; 600 is for load tests).",
    )
    run.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="the drill database")
    what = run.add_mutually_exclusive_group(required=True)
    what.add_argument("--scenario", type=Path, metavar="FILE", help="a scenario (TOML)")
    what.add_argument("--replay", type=Path, metavar="CSV", help="a 311 CSV export")
    run.add_argument("--mapping", type=Path, metavar="FILE", help="the replay's column mapping")
    run.add_argument("--speed", type=float, help="1-600 (default: the scenario's, else 60)")
    run.add_argument(
        "--thin-to", type=float, metavar="N", help="replay about N requests a day (a county's)"
    )
    run.add_argument("--minutes", type=float, help="stop after this many real minutes")
    run.add_argument("--as", dest="as_user", metavar="NAME", help="the acting duty officer")


def run_drill(args: argparse.Namespace) -> int:
    from commands import open_store
    from commands.importing import registering_user
    from core.drill.database import NotADrillDatabase, require_drill
    from core.errors import CoreError, ValidationError

    store = open_store(args)
    try:
        require_drill(store)
    except NotADrillDatabase:
        print(
            f"error: {store.url} is not a drill database: drills never write to live data",
            file=sys.stderr,
        )
        return 2
    actor = registering_user(store, args.as_user)
    if actor is None:
        print(
            "error: no active duty officer to take the calls in (give --as NAME)", file=sys.stderr
        )
        return 2
    if args.replay and args.mapping is None:
        print("error: a replay needs its column mapping (--mapping FILE)", file=sys.stderr)
        return 2
    if args.speed is not None and not 1 <= args.speed <= 600:
        print(f"error: --speed {args.speed:g}: give 1 to 600", file=sys.stderr)
        return 2
    try:
        runner = (
            _scenario_runner(store, actor, args)
            if args.scenario
            else _replay_runner(store, actor, args)
        )
    except ValidationError as exc:
        print("error: refused:", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e}", file=sys.stderr)
        return 2
    except CoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    until = time.monotonic() + args.minutes * 60 if args.minutes else None
    try:
        drive(runner, time.sleep, lambda: until is not None and time.monotonic() > until)
    except KeyboardInterrupt:
        print("stopped (what fired stays fired; run again to continue)")
    return 0


def _scenario_runner(store: Any, actor: Any, args: argparse.Namespace) -> Steps:
    from core.drill.inject import InjectRunner
    from core.drill.scenario import load_scenario, validate_against

    scenario = load_scenario(args.scenario)
    validate_against(scenario, store.reference())
    runner = InjectRunner(store, scenario, store.clock, actor)
    if args.speed is not None:
        runner.set_speed(args.speed)
    elif not runner.done:  # a fresh drill runs at the scenario's speed; a restart keeps its own
        runner.set_speed(scenario.speed)
    print(
        f"scenario {scenario.id} ({scenario.title}) at {runner.speed:g}x: "
        f"{len(scenario.entries())} injects and situations"
    )
    return _Printed(runner, store)


def _replay_runner(store: Any, actor: Any, args: argparse.Namespace) -> Steps:
    from core.drill.replay import ReplayRun, load_replay, thin
    from core.imports.mapping import load_mapping
    from core.imports.run import county_box
    from core.service import OrderService

    mapping = load_mapping(args.mapping, str(store.reference().tz))
    replay = load_replay(args.replay, mapping, county=county_box(OrderService(store)))
    if args.thin_to:
        replay = thin(replay, target_per_day=args.thin_to)
    speed = args.speed or 60.0
    print(f"replay {args.replay.name}: {len(replay.rows)} requests at {speed:g}x")
    return _Printed(ReplayRun(store, actor, replay, store.clock, speed=speed), store)


class _Printed:
    """A runner whose steps are printed as they happen; done once the drill is stopped
    (by the trainer's console) too."""

    def __init__(self, runner: Any, store: Any) -> None:
        self.runner, self.store = runner, store

    def step(self) -> Any:
        got = self.runner.step()
        now = datetime.now().strftime("%H:%M:%S")
        if isinstance(got, int):
            if got:
                print(f"{now}  {got} registered")
        else:
            for fired in got:
                what = fired.order_number or fired.feed_item or fired.refused or fired.kind
                print(f"{now}  {fired.id}: {what}")
        return got

    @property
    def done(self) -> bool:
        from core.drill.inject import stopped_at

        if stopped_at(self.store) is not None:
            print("the drill was stopped")
            return True
        return finished(self.runner)


def finished(runner: Any) -> bool:
    """A scenario's runner when nothing is pending (its ``done`` lists what fired) or it
    was stopped; a replay's when its ``done`` says so."""
    pending = getattr(runner, "pending", None)
    if isinstance(pending, list):
        return not pending or runner.stopped_at is not None
    return bool(runner.done)


def drive(
    runner: Steps,
    sleep: Callable[[float], None],
    stop: Callable[[], bool],
    tick: float = TICK_SECONDS,
) -> int:
    """Step ``runner`` every ``tick`` seconds (``sleep``: ``time.sleep``, or a test's that
    moves a ``ManualClock``) until it is done or ``stop()``; returns the steps taken."""
    steps = 0
    while True:
        runner.step()
        steps += 1
        if finished(runner) or stop():
            return steps
        sleep(tick)
