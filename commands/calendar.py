"""calendar status | set | import: the working-day calendar's overrides."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from commands import open_store


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def register(sub: Any) -> None:
    cal = sub.add_parser("calendar", help="the working-day calendar")
    acts = cal.add_subparsers(dest="action", required=True)
    acts.add_parser("status", help="years known, years on the weekends-only fallback, overrides")
    one = acts.add_parser("set", help="correct one day")
    one.add_argument("day", type=_iso_date, help="YYYY-MM-DD")
    one.add_argument("kind", choices=["work", "off"], help="work: a working day; off: a day off")
    one.add_argument("--note", default="", help="e.g. 春节调休上班")
    imp = acts.add_parser("import", help="load an override file (TOML, see resources/calendar/)")
    imp.add_argument("file", type=Path)


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from sqlalchemy import delete, insert, select

    from core.calendar import WorkCalendar, load_overrides
    from core.storage.db import write_tx
    from core.storage.schema import calendar_overrides

    store = open_store(args)
    if args.action == "status":
        ref = store.reference()
        this_year = datetime.now(UTC).year
        for year in range(this_year - 1, this_year + 3):
            guessed = ref.calendar.is_fallback_year(year)
            print(
                f"{year}: "
                + ("FALLBACK: weekends only; enter the dates" if guessed else "official")
            )
        with store.engine.connect() as conn:
            rows = conn.execute(select(calendar_overrides).order_by(calendar_overrides.c.day)).all()
        print(f"overrides: {len(rows)}")
        for r in rows:
            print(f"  {r.day} {'work' if r.working else 'off '} {r.note}")
        return 0
    now = datetime.now(UTC)
    if args.action == "set":
        items = [(args.day, args.kind == "work", args.note)]
    else:
        items = [(o.day, o.working, o.note) for o in load_overrides(args.file)]
    with write_tx(store.engine) as conn:
        for day, working, note in items:
            conn.execute(delete(calendar_overrides).where(calendar_overrides.c.day == day))
            conn.execute(
                insert(calendar_overrides).values(day=day, working=working, note=note, set_at=now)
            )
    guessed = sorted({d.year for d, _, _ in items if WorkCalendar().is_fallback_year(d.year)})
    print(f"saved {len(items)} day(s)")
    if guessed:
        print(f"years the library does not know, so overrides are all there is: {guessed}")
    return 0
