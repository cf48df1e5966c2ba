"""What the wall's window reads and works out, as blocking calls for the lanes and small
pure helpers. Never touches a widget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.domain.enums import GridKind, UnitKind
from core.org import OrgDirectory, is_within
from core.store import Store
from core.stream import Link, LinkState
from core.wall.config import Page, WallConfig
from core.wall.figures import read_figures, read_rates
from core.wall.model import Kpis, Rates, Scope, WallFigures
from desktop.widgets.wall_map import MapShape

DEFAULT_TILES = ("intake_today", "open", "overdue", "on_time_rate", "satisfaction", "response_rate")


def read(store: Store, scope: Scope, at: datetime | None, config: WallConfig) -> WallFigures:
    return read_figures(
        store,
        scope,
        at,
        ticker_items=config.ticker_items,
        alert_items=config.alert_items,
        flash_minutes=config.flash_minutes,
    )


def read_page_rates(store: Store, scope: Scope, at: datetime | None, config: WallConfig) -> Rates:
    return read_rates(store, scope, at, ranking_items=config.ranking_items)


def map_layers(
    org: OrgDirectory,
) -> tuple[list[MapShape], MapShape | None, list[MapShape]]:
    """The map's grids (active, with a polygon), the county's outline and the towns'."""
    grids: list[MapShape] = []
    towns: list[MapShape] = []
    county: MapShape | None = None
    root = org.territory_root()
    for u in org.all():
        ring = _ring(u.polygon)
        if ring is None or not u.active:
            continue
        if u.kind == UnitKind.GRID:
            kind = "special" if u.grid_kind == GridKind.SPECIAL else "grid"
            grids.append(MapShape(u.id, u.name, kind, ring))
        elif u.kind in (UnitKind.TOWN, UnitKind.STREET):
            towns.append(MapShape(u.id, u.name, "town", ring))
        elif root is not None and u.id == root.id:
            county = MapShape(u.id, u.name, "county", ring)
    return grids, county, towns


Focus = tuple[tuple[float, float, float, float] | None, frozenset[int] | None]


def focus(org: OrgDirectory, unit_id: int | None) -> Focus:
    """Where a page's map looks: the extent of the grids inside ``unit_id`` (a town's
    page frames its town), with a small margin, and those grids' ids; (None, None) for
    the whole county or a unit without grids."""
    if unit_id is None:
        return None, None
    path = org.get(unit_id).path
    grids = [u for u in org.all() if u.kind == UnitKind.GRID and is_within(u.path, path)]
    points = [pt for u in grids for pt in (_ring(u.polygon) or [])]
    if not points:
        return None, None
    x0, y0 = min(p[0] for p in points), min(p[1] for p in points)
    x1, y1 = max(p[0] for p in points), max(p[1] for p in points)
    mx, my = (x1 - x0) * 0.04, (y1 - y0) * 0.04
    return (x0 - mx, y0 - my, x1 + mx, y1 + my), frozenset(u.id for u in grids)


def _ring(polygon: Mapping[str, Any] | None) -> list[tuple[float, float]] | None:
    """A GeoJSON polygon's exterior ring (the first polygon of a multipolygon)."""
    if not polygon:
        return None
    coords = polygon.get("coordinates") or []
    if polygon.get("type") == "MultiPolygon":
        coords = coords[0] if coords else []
    if not coords or not coords[0]:
        return None
    return [(float(pt[0]), float(pt[1])) for pt in coords[0]]


def tiles_for(page: Page) -> tuple[str, ...]:
    """The six tiles of the issue, the page's emphasised one first when it is not among
    them (warning, closed_today)."""
    if page.emphasis in DEFAULT_TILES:
        return DEFAULT_TILES
    return (page.emphasis, *DEFAULT_TILES[:5])


def merged_kpis(figures: WallFigures, rates: Rates | None) -> Kpis:
    if rates is None:
        return figures.kpis
    return replace(
        figures.kpis,
        on_time_rate=rates.on_time_rate,
        satisfaction=rates.satisfaction,
        response_rate=rates.response_rate,
    )


def rates_label(rates: Rates | None, scope: Scope, county: str) -> str:
    """Under the rate tiles: the month, and "county" on a themed page, whose rates are the
    county's (core.wall.figures.read_rates)."""
    if rates is None:
        return ""
    themed = rates.for_unit is None and (scope.limit_classes or scope.channels)
    return f"{rates.period} · {county}" if themed else rates.period


def freshness(
    now: datetime,
    at: datetime | None,
    link: Link | None,
    figures: WallFigures | None,
    stale_seconds: float,
    tz: ZoneInfo,
) -> tuple[str, str]:
    """("live" | "stale" | "past", the time to show). Live while the stream confirmed the
    figures within ``stale_seconds``; stale when the link is down or silent longer."""
    if at is not None:
        return "past", f"{at.astimezone(tz):%Y-%m-%d %H:%M}"
    confirmed = link.confirmed_at if link is not None else None
    if confirmed is None and figures is not None:
        confirmed = figures.at
    if confirmed is None:
        return "stale", "—"
    shown = f"{confirmed.astimezone(tz):%H:%M:%S}"
    down = link is not None and link.state is LinkState.DOWN
    if down or (now - confirmed).total_seconds() > stale_seconds:
        return "stale", shown
    return "live", shown
