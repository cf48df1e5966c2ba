"""Command Center entry point: the workstation, and administrators' sub-commands.

    python main.py                      the workstation (SQLite in the user data dir by default)
    python main.py --wall [--at 'YYYY-MM-DD HH:MM']   the wall (一屏全域), live or as of a moment
    python main.py --db DRILL --drill   the trainer's console (演练导调台) on a drill database
    python main.py --db URL ...         any command against another database
    python main.py db upgrade|current|check
    python main.py info | calendar … | policy … | stats … | publish … | report …
    python main.py service [--feed-port N] | feed send|list|confirm|dismiss …
    python main.py alerts list|ack ID|close ID --note T|check [--dry-run]   (预警研判)

Heavy imports stay inside functions, so ``--help`` and the sub-commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from datetime import datetime

# Sub-command modules, each with register(subparsers) and run(args) -> int.
COMMANDS = (
    "db",
    "info",
    "calendar",
    "policy",
    "demo",
    "stats",
    "publish",
    "report",
    "service",
    "roles",
    "import",
    "answers",
    "feed",
    "alerts",
    "drill",
)
# A command whose name is a Python keyword lives in a module named otherwise.
MODULES = {"import": "importing"}

SCHEMA_ADVICE = {
    "schema_missing": "the database has no schema yet: run `python main.py db upgrade` first",
    "schema_older": "the database schema is older than this client: run `main.py db upgrade`",
    "schema_newer": "the database was upgraded by a newer client: install that version here",
}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="main.py", description="Command Center 社会治理指挥中心")
    p.add_argument(
        "--db",
        metavar="URL",
        help="database URL or SQLite file (default: CC_DATABASE_URL, "
        "else command-center.sqlite3 in the user data directory)",
    )
    p.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="workstation language: zh (Simplified Chinese, the default) or en (English)",
    )
    p.add_argument(
        "--wall",
        action="store_true",
        help="open the wall (一屏全域) full screen instead of the workstation; no login",
    )
    p.add_argument(
        "--drill",
        action="store_true",
        help="open the workstation on the trainer's console (演练导调台); a drill database only",
    )
    p.add_argument(
        "--at",
        metavar="'YYYY-MM-DD HH:MM'",
        type=_moment,
        help="with --wall: show the county as it was at this past moment (county time)",
    )
    p.add_argument(
        "--wall-config",
        metavar="FILE",
        help="with --wall: the playlist file (default resources/wall.toml)",
    )
    sub = p.add_subparsers(dest="command")
    for name in COMMANDS:
        importlib.import_module(f"commands.{MODULES.get(name, name)}").register(sub)
    return p


def _moment(text: str) -> datetime:
    """A local moment, naive: the wall attaches the county's time zone."""
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), pattern)
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"{text!r} is not a moment: write 'YYYY-MM-DD HH:MM'")


def wall(args: argparse.Namespace) -> int:
    """The wall on its own: full screen, live or as of ``--at``."""
    from pathlib import Path

    from core.storage.db import resolve_url
    from core.wall.config import WALL_FILE
    from desktop.wall_app import run_wall

    config = Path(args.wall_config) if args.wall_config else WALL_FILE
    return run_wall(resolve_url(args.db), lang=args.lang, at=args.at, config_path=config)


def workstation(args: argparse.Namespace) -> int:
    """The desktop app. An empty database gets the schema and a demo county first."""
    from core.storage.db import resolve_url
    from desktop.app import run

    return run(resolve_url(args.db), lang=args.lang, console=args.drill)


def main(argv: Sequence[str] | None = None) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    from core.errors import CoreError, SchemaMismatch, ValidationError

    try:
        if args.command is None:
            if not args.wall and (args.at or args.wall_config):
                print("error: --at and --wall-config go with --wall", file=sys.stderr)
                return 2
            if args.wall and args.drill:
                print(
                    "error: --drill opens the trainer's console, --wall the wall: give one",
                    file=sys.stderr,
                )
                return 2
            return wall(args) if args.wall else workstation(args)
        if args.wall or args.at or args.wall_config or args.drill:
            print(
                "error: --wall, --at, --wall-config and --drill open a window: give no command",
                file=sys.stderr,
            )
            return 2
        module = MODULES.get(args.command, args.command)
        return int(importlib.import_module(f"commands.{module}").run(args))
    except ValidationError as exc:
        print("error: the input was refused:", file=sys.stderr)
        for e in exc.errors:
            print(f"  {e}", file=sys.stderr)
        return 1
    except SchemaMismatch as exc:
        print(f"error: {SCHEMA_ADVICE.get(exc.code, exc.code)}", file=sys.stderr)
        print(
            f"       database revision {exc.params.get('database')}, "
            f"client revision {exc.params.get('client')}",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:
        # The reader went away (`main.py roles list | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CoreError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        from commands import close_stores

        close_stores()


if __name__ == "__main__":
    sys.exit(main())
