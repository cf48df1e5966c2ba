"""Simulated time: working hours, delays and an in-memory id source for the generator."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select, update

from core.calendar import WorkCalendar
from core.storage import ids as db_ids
from core.storage.schema import counters

DAY_START, DAY_END = time(8, 30), time(18, 0)


class OfficeHours:
    """Moves simulated actions into office hours on working days, as staff would act."""

    def __init__(self, cal: WorkCalendar, tz: ZoneInfo, rng: random.Random) -> None:
        self.cal, self.tz, self.rng = cal, tz, rng

    def after(self, t: datetime, hours: float, anytime: bool = False) -> datetime:
        out = t + timedelta(hours=hours)
        if anytime:
            return out
        local = out.astimezone(self.tz)
        day = local.date()
        if self.cal.is_working_day(day) and DAY_START <= local.time() < DAY_END:
            return out
        if self.cal.is_working_day(day) and local.time() < DAY_START:
            start = day
        else:
            start = self.cal.next_working_day(day)
        opening = datetime.combine(start, DAY_START, self.tz)
        return opening + timedelta(minutes=self.rng.uniform(0, 150))


class MemoryIds:
    """Ids handed out in memory and written back to the counter rows at each flush.

    Safe only while the generator is the database's sole writer, which it is.
    """

    def __init__(self, conn: Connection) -> None:
        self.values = {r.name: int(r.value) for r in conn.execute(select(counters))}

    def next_id(self, table: str) -> int:
        self.values[table] = self.values.get(table, 0) + 1
        return self.values[table]

    def next_order_number(self, year: int) -> str:
        return f"{year}-{self.next_id(f'order_number:{year}'):06d}"

    def write_back(self, conn: Connection) -> None:
        for name, value in self.values.items():
            if name in ("events", "state_intervals"):
                continue  # flush allocates these itself, in commit order
            db_ids.ensure_counter(conn, name)
            conn.execute(update(counters).where(counters.c.name == name).values(value=value))
