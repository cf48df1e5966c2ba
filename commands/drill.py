"""drill create|drop|score: a drill's own database, made from the live organisation
(演练库), and the trainees' scores after the drill (演练评分).

    python main.py drill create --from LIVE_URL --to DRILL_URL --name NAME
    python main.py drill drop DRILL_URL
    python main.py --db DRILL_URL drill run --scenario F.toml | --replay F.csv --mapping M
    python main.py --db DRILL_URL drill score [--scenario F.toml] [--at ISO] --out F.xlsx|.pdf|.csv

score prints a short line per trainee and writes the report: xlsx and csv here
(core.drill.score_export), pdf by ``desktop.drill_report_pdf`` in a subprocess (commands
never import Qt). Without --scenario (a replay) routing accuracy is not scored.

The live database is only read. Bad input (a missing argument, a target that exists,
a live database given as the target or to drop) is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands import drill_run

if TYPE_CHECKING:
    from core.drill.scoring import DrillScore

USAGE_ERROR = 2
SCORE_FORMATS = ("xlsx", "csv", "pdf")

REASONS = {
    "drill_name_required": "give the drill a name (--name)",
    "drill_url_unsupported": "{url}: give a SQLite file or a postgresql:// URL with a database",
    "drill_name_unsupported": "database name {database!r}: use letters, digits, _ and - only",
    "drill_same_database": "{url} is the live database: a drill needs a database of its own",
    "drill_target_exists": "{url} exists already: a drill database is always created new",
    "drill_source_missing": "{url}: no such database file",
    "drill_source_unreadable": "cannot read the live database {url}: {reason}",
    "drill_source_is_drill": "{url} is a drill database: make drills from the live database",
    "createdb_required": "role {role} may not create databases: a drill database on "
    "PostgreSQL needs the {right} right (ALTER ROLE {role} CREATEDB)",
    "drill_missing": "{url}: no such database",
    "not_a_drill_database": "{url} is not a drill database: only a drill database is dropped",
}


def register(sub: Any) -> None:
    drill = sub.add_parser(
        "drill", help="a drill's own database: create it from the live one, drop it"
    ).add_subparsers(dest="action", required=True)
    create = drill.add_parser(
        "create",
        help="create a drill database from the live organisation (the live one is only read)",
        description="Copy the organisation, users, categories, standard addresses, calendar, "
        "policy and settings of the live database into a new drill database; no orders, "
        "events or alerts. On PostgreSQL the connecting role needs CREATEDB.",
    )
    create.add_argument("--from", dest="source", required=True, metavar="LIVE_URL")
    create.add_argument("--to", dest="target", required=True, metavar="DRILL_URL")
    create.add_argument("--name", required=True, help="the drill's name, shown on every screen")
    drop = drill.add_parser(
        "drop", help="delete a drill database (refuses any database that is not a drill's)"
    )
    drop.add_argument("target", metavar="DRILL_URL")
    score = drill.add_parser(
        "score",
        help="score each trainee of a drill: time to dispatch, time limits met, alerts, "
        "missed items, routing accuracy",
        description="Score every user who acted in the drill database (--db) as of --at "
        "(default now) against the scenario's expected handling, print a line per trainee "
        "and write the report: FILE.xlsx (a sheet of trainees, one of injects, one per "
        "trainee), FILE.csv or FILE.pdf (A4). Without --scenario (a replay) routing "
        "accuracy is not scored.",
    )
    score.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="the drill database")
    score.add_argument("--scenario", type=Path, metavar="FILE", help="the scenario (TOML)")
    score.add_argument(
        "--at", dest="score_at", metavar="ISO", help="as of this moment (county time if naive)"
    )
    score.add_argument("--format", choices=SCORE_FORMATS, help="default: the --out suffix")
    score.add_argument("--out", type=Path, required=True, metavar="FILE")
    drill_run.register(drill)


def _reason(exc: Any) -> str:
    template = REASONS.get(exc.code)
    if template is None:
        return str(exc)
    try:
        return template.format(**exc.params)
    except (KeyError, IndexError):
        return str(exc)


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import DBAPIError

    from core.drill.database import DrillError
    from core.errors import SchemaMismatch
    from core.storage.dbroles import RoleError

    if args.action == "score":
        return _score(args)
    if args.action == "run":
        return drill_run.run_drill(args)
    try:
        return _create(args) if args.action == "create" else _drop(args)
    except DrillError as exc:
        print(f"error: {_reason(exc)}", file=sys.stderr)
        return USAGE_ERROR
    except SchemaMismatch as exc:
        print(
            f"error: the live database is at schema revision {exc.params.get('database')}, "
            f"this client at {exc.params.get('client')}: upgrade first (main.py db upgrade)",
            file=sys.stderr,
        )
        return USAGE_ERROR
    except RoleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except DBAPIError as exc:
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"error: {message}", file=sys.stderr)
        return 1


def _create(args: argparse.Namespace) -> int:
    from core.drill.database import create_drill_database

    info = create_drill_database(args.source, args.target, name=args.name)
    print(f"drill database {info.name!r} created at {info.url}")
    print(f"  from {info.source} (read only)")
    for table, count in info.copied.items():
        print(f"  {table:<20} {count:>8} rows copied")
    print(
        "  orders, events, limits, attachments, feed items and alerts: none (a drill starts empty)"
    )
    print(f"open it:  python main.py --db {info.url}          (a trainee's workstation)")
    print(f"          python main.py --db {info.url} --wall   (the wall)")
    print(f"          python main.py --db {info.url} --drill  (the trainer's console)")
    if info.url.startswith("postgresql"):
        print(
            "trainees log in with their own usernames and passwords over this URL's role; "
            f"for per-user roles: python main.py --db {info.url} roles create --all"
        )
    print(f"drop it:  python main.py drill drop {info.url}")
    return 0


def _drop(args: argparse.Namespace) -> int:
    from core.drill.database import drop_drill_database

    dropped = drop_drill_database(args.target)
    print(f"drill database {dropped.name!r} dropped: {dropped.url}")
    for role in dropped.roles:
        print(f"  dropped role {role}")
    return 0


# --- score -------------------------------------------------------------------------------


class ScoreRefused(Exception):
    """Bad input for scoring: one line on stderr, exit code 2."""


def build_score(db: str | None, scenario_path: Path | None, at_text: str | None) -> DrillScore:
    """Open the drill database, read the scenario and score it (shared with the PDF
    renderer's subprocess, which gets the URL from the environment)."""
    from argparse import Namespace

    from commands import open_store
    from core.drill.database import NotADrillDatabase
    from core.drill.scenario import load_scenario
    from core.drill.scoring import score_drill
    from core.errors import CoreError, ValidationError

    store = open_store(Namespace(db=db))
    try:
        scenario = load_scenario(scenario_path) if scenario_path is not None else None
    except ValidationError as exc:
        first = exc.errors[0] if exc.errors else None
        where = f" ({first.field}: {first.code})" if first is not None else ""
        raise ScoreRefused(f"{scenario_path}: not a valid scenario{where}") from None
    at = None
    if at_text:
        try:
            at = datetime.fromisoformat(at_text)
        except ValueError:
            raise ScoreRefused(f"--at {at_text!r}: write an ISO moment") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=store.reference().tz)
    try:
        return score_drill(store, scenario, at=at)
    except NotADrillDatabase as exc:
        url = exc.params.get("url")
        raise ScoreRefused(f"{url} is not a drill database: only drills are scored") from None
    except CoreError as exc:
        if exc.code == "drill_scenario_mismatch":
            raise ScoreRefused(
                f"the drill ran scenario {exc.params.get('stored')!r}, "
                f"not {exc.params.get('scenario')!r}"
            ) from None
        raise


def _score(args: argparse.Namespace) -> int:
    from commands.report import Refused, _commit, _targets

    db = getattr(args, "db", None)
    try:
        fmt = args.format or args.out.suffix.lower().lstrip(".")
        if fmt not in SCORE_FORMATS:
            raise ScoreRefused(f"unknown format {fmt!r}: give --format xlsx, csv or pdf")
        (target,) = _targets(args.out, "xlsx")
        score = build_score(db, args.scenario, args.score_at)
        print_score(score)
        if fmt == "pdf":
            _write_pdf(db, args.scenario, args.score_at, target)
        else:
            from core.drill.score_export import write_csv, write_xlsx

            writer = write_xlsx if fmt == "xlsx" else write_csv
            _commit({target: lambda path: writer(score, path)})
    except (ScoreRefused, Refused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    print(f"wrote {target}")
    return 0


def print_score(score: DrillScore) -> None:
    """A short table: one line per trainee, then the team's missed items."""
    from core.drill.score_export import summary_lines

    for label, value in summary_lines(score):
        print(f"{label}: {value}")

    def secs(v: float | None) -> str:
        return "-" if v is None else f"{v:.0f}s"

    def share(v: float | None) -> str:
        return "-" if v is None else f"{v * 100:.0f}%"

    print(
        f"{'trainee':<16} {'disp':>4} {'median':>7} {'max':>7} {'limits':>11} "
        f"{'alerts':>6} {'feed':>5} {'routing':>12} missed"
    )
    for t in score.trainees:
        r = t.routing
        routing = "not scored" if r is None else f"{r.correct}/{r.total} {share(r.share)}"
        limits = f"{t.limits_met}/{t.limits_counted} {share(t.limits_share)}"
        feed = f"{t.feed_correct}/{t.feed_scored}" if t.feed_scored else str(len(t.feed_decisions))
        print(
            f"{t.display_name:<16} {len(t.dispatches):>4} {secs(t.dispatch_median):>7} "
            f"{secs(t.dispatch_max):>7} {limits:>11} {len(t.alerts_acknowledged):>6} "
            f"{feed:>5} {routing:>12} {','.join(t.missed) or '-'}"
        )


def _write_pdf(db: str | None, scenario: Path | None, at: str | None, target: Path) -> None:
    """The scores' PDF by ``desktop.drill_report_pdf`` (``commands.report.render_pdf``)."""
    from commands.report import Refused, render_pdf

    flags = ["--scenario", str(scenario)] if scenario is not None else []
    if at:
        flags += ["--at", at]
    try:
        render_pdf("desktop.drill_report_pdf", flags, db, target)
    except Refused as exc:
        raise ScoreRefused(str(exc)) from None
