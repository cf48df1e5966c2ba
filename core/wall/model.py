"""What the wall shows, as plain values: one ``WallFigures`` per page and moment.

``core.wall.figures.read_figures`` fills it in one read transaction, live (the moment is
now) or as of a past moment (time travel); the desktop only draws it. Every count is for
the page's ``Scope`` (the whole county, a town's territory, or a theme such as disputes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The tiers of the funnel: the level of the unit holding the order (county 1, town 2,
# village 3), as the dispatch panels count them (core.queues).
TIERS = (1, 2, 3)
# Open states in the order the funnel draws them.
FUNNEL_STATES = (
    "registered",
    "dispatched",
    "in_progress",
    "paused",
    "pending_review",
    "pending_visit",
)
RISK_GRADES = ("red", "orange", "yellow", "green")


@dataclass(frozen=True)
class Scope:
    """Which orders a page counts. Every filter given must hold; none given: all orders.

    ``unit_id``: orders located in this unit's territory (a town: its villages and grids).
    ``limit_classes``: orders of these time-limit classes (disputes: simple_dispute and
    hard_dispute; public safety: safety). ``channels``: orders taken in on these channels
    (the hotline page: hotline and city_platform)."""

    unit_id: int | None = None
    limit_classes: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kpis:
    intake_today: int  # orders registered since local midnight of the moment
    open: int  # orders in an open state
    overdue: int  # open orders with an open time limit past its due time
    warning: int  # open orders past a limit's warning time but not overdue (临期)
    # Month to the moment, from core.analytics' indicators (None: nothing to measure yet).
    on_time_rate: float | None  # indicator on_time_closure, 0..1
    satisfaction: float | None  # indicator satisfaction, 0..1
    response_rate: float | None  # indicator timely_acceptance, 0..1
    closed_today: int  # orders closed since local midnight


@dataclass(frozen=True)
class GridLoad:
    unit_id: int  # a grid (or a village or town an order without a grid is filed under)
    open: int
    overdue: int


@dataclass(frozen=True)
class TrendPoint:
    hour_start: datetime  # aware UTC, the start of a one-hour bucket
    count: int


@dataclass(frozen=True)
class CategoryShare:
    code: str  # the top-level category's node id
    name: str
    count: int  # open orders of this category and its children


@dataclass(frozen=True)
class RankRow:
    unit_id: int
    name: str
    score: float
    rank: int


@dataclass(frozen=True)
class AlertRow:
    id: int
    rule: str
    severity: str  # red, orange, yellow
    title: str
    raised_at: datetime
    status: str  # raised or acknowledged, as it stood at the moment
    unit_name: str | None


@dataclass(frozen=True)
class TickerItem:
    event_id: int
    at: datetime
    kind: str  # the event kind (registered, dispatched, overdue, closed …)
    order_number: str | None
    title: str | None
    place: str | None  # the town (or county department) the order belongs to


@dataclass(frozen=True)
class Spot:
    """An order on the map: a new arrival flashes, an overdue one keeps a halo."""

    order_id: int
    lon: float
    lat: float
    at: datetime  # registered (flash) or fell due (halo)


@dataclass(frozen=True)
class Rates:
    """The month-to-the-moment rates and the unit ranking, from ``core.analytics.compute``
    (the indicators of resources/analytics/indicators.toml, as the assessment page shows
    them). Slower than the counts, so the wall reads them every few minutes."""

    period: str  # e.g. "2026-12"
    for_unit: int | None  # the town these rates are for; None: the whole county
    on_time_rate: float | None  # indicator on_time_closure
    satisfaction: float | None  # indicator satisfaction
    response_rate: float | None  # indicator timely_acceptance
    best: tuple[RankRow, ...]
    worst: tuple[RankRow, ...]


@dataclass(frozen=True)
class WallFigures:
    at: datetime  # the moment shown, aware UTC
    live: bool  # False: time travel
    newest_event_id: int  # the newest event the figures include
    newest_event_at: datetime | None
    kpis: Kpis
    grids: tuple[GridLoad, ...]
    trend_today: tuple[TrendPoint, ...]  # the 24 hours up to the moment, oldest first
    trend_last_week: tuple[TrendPoint, ...]  # the same 24 hours seven days earlier
    # funnel[(tier, state)] = open orders held at that tier in that state
    funnel: dict[tuple[int, str], int]
    categories: tuple[CategoryShare, ...]  # largest first
    disputes_by_risk: dict[str, int]  # open dispute orders by risk grade
    best: tuple[RankRow, ...]  # best composite scores, best first
    worst: tuple[RankRow, ...]  # worst composite scores, worst first
    alerts: tuple[AlertRow, ...]  # open at the moment, red first, then newest first
    ticker: tuple[TickerItem, ...]  # newest first
    arrivals: tuple[Spot, ...]  # registered in the last minutes before the moment
    overdue_spots: tuple[Spot, ...]  # open overdue orders with coordinates
    ranking_period: str = ""  # the month the ranking and rates are for, e.g. 2026-12
    drill: bool = False  # the database is a drill database
    notes: tuple[str, ...] = field(default_factory=tuple)  # codes of what could not be read
