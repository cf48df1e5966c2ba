"""What every action needs besides the order: who, when, and the reference data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from core.calendar import WorkCalendar
from core.domain.actor import Actor
from core.org import OrgDirectory
from core.policy import PolicyBook
from core.taxonomy import CategoryBook


class IdSource(Protocol):
    def next_id(self, table: str) -> int:
        """A fresh id for a row of ``table`` (orders, hops, time_limits, …)."""
        ...

    def next_order_number(self, year: int) -> str:
        """The readable order number, from the year's counter."""
        ...


@dataclass(frozen=True)
class Reference:
    """Reference data shared by every action; reloaded when an administrator edits it."""

    org: OrgDirectory
    categories: CategoryBook
    policy: PolicyBook
    calendar: WorkCalendar
    tz: ZoneInfo


@dataclass(frozen=True)
class Ctx:
    now: datetime
    actor: Actor | None  # None: the service process acting on its own
    ref: Reference
    ids: IdSource

    @property
    def user_id(self) -> int | None:
        return self.actor.user_id if self.actor else None

    @property
    def unit_id(self) -> int | None:
        return self.actor.unit_id if self.actor else None
