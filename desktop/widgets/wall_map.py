"""The county map of the wall: each grid coloured by its load (open or overdue orders) on
the dark ramp, town outlines with their names, new orders flashing where they came from,
and a pulsing red halo with a triangle on every overdue order.

The polygons change rarely, so they are painted once into the panel's cached pixmap (again
on resize or new loads); only the spots are painted per frame. One ~30 fps timer runs only
while a flash is on, and a 2 fps timer pulses the halos while there are overdue spots and
the map is visible. Longitude is scaled by cos(latitude), so the county keeps its shape.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPointF, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QFontMetricsF,
    QHideEvent,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
    QRegion,
    QShowEvent,
)
from PySide6.QtWidgets import QWidget

from core.wall.model import GridLoad, Spot
from desktop.widgets.wall_style import (
    TextBox,
    WallPanel,
    colour,
    draw_mark,
    fmt_count,
    mix,
    wall_font,
)

LonLatRing = Sequence[tuple[float, float]]
FILLED_KINDS = ("grid", "special")  # always coloured; other kinds only when they carry load
NAME_UNITS = 2.8
FLASH_SECONDS = 3.0
FRESH_SECONDS = 120.0  # an arrival older than this when first seen does not flash
# At most this many rings at once, the newest: a surge (a replay, a load test) would else
# animate hundreds and stall the screen; the others still show as dots.
MAX_FLASHES = 16
FLASH_MS = 33
PULSE_MS = 500
PULSE_RADII = (2.0, 2.6, 3.2, 2.6)  # halo radius in units, one step per pulse tick
PULSE_ALPHA = (150, 110, 70, 110)


@dataclass(frozen=True)
class MapShape:
    """A unit's territory: ``ring`` is the exterior ring in WGS-84 (lon, lat)."""

    unit_id: int
    name: str
    kind: str  # "county", "town", "village", "grid" or "special"
    ring: LonLatRing


class WallMap(WallPanel):
    """The county's grids by load, with the flashes of new orders and overdue halos."""

    def __init__(
        self,
        shapes: Sequence[MapShape],
        *,
        county: MapShape | None = None,
        towns: Sequence[MapShape] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = self.tr("Grid load")
        self.measure_names = {
            "open": self.tr("Open orders"),
            "overdue": self.tr("Overdue orders"),
        }
        self.word_overdue = self.tr("Overdue")
        self.word_new = self.tr("New")
        order = {"town": 0, "village": 1}
        self.shapes = sorted(shapes, key=lambda s: order.get(s.kind, 2))
        self.county = county
        self.towns = tuple(towns)
        rings = [s.ring for s in (*self.shapes, *self.towns)]
        if county is not None:
            rings.append(county.ring)
        self.whole = _bounds(rings)
        self.bounds = self.whole
        self.inside: frozenset[int] | None = None  # grids of the framed town; None: all
        self.kx = math.cos(math.radians((self.bounds[1] + self.bounds[3]) / 2))
        self.measure = "open"
        self.values: dict[int, int] = {}
        self.low = self.high = 0
        self._scale = 1.0
        self._origin = QPointF(0, 0)
        self._arrivals: list[Spot] = []
        self._overdue: list[Spot] = []
        self._flashes: dict[int, float] = {}  # order id → monotonic start
        self._seen: set[int] = set()
        self._projected: dict[tuple[int, float, float, float], QPolygonF] = {}
        self._region = QRegion()
        self._map_area = QRectF()
        self._phase = 0
        self.flash_seconds = FLASH_SECONDS
        self.fresh_seconds = FRESH_SECONDS
        self.flash_timer = QTimer(self)
        self.flash_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.flash_timer.setInterval(FLASH_MS)
        self.flash_timer.timeout.connect(self._flash_tick)
        self.pulse_timer = QTimer(self)
        self.pulse_timer.setInterval(PULSE_MS)
        self.pulse_timer.timeout.connect(self._pulse_tick)
        self._place(QRectF(self.rect()))

    def _fonts_changed(self) -> None:
        super()._fonts_changed()
        self.name_font = wall_font(self.unit, NAME_UNITS, bold=True)

    def fonts(self) -> dict[str, QFont]:
        return {**super().fonts(), "name": self.name_font}

    def minimum_units(self) -> tuple[float, float]:
        return (40.0, 30.0)

    def preferred_units(self) -> tuple[float, float]:
        return (70.0, 60.0)

    # --- data ---------------------------------------------------------------------------

    def set_loads(self, grids: Sequence[GridLoad], measure: str) -> None:
        """Colour each grid by ``measure`` ("open" or "overdue") from ramp_low (the least
        loaded) to ramp_high (the busiest)."""
        if measure not in self.measure_names:
            raise ValueError(f"unknown measure {measure!r}: open or overdue")
        values = {g.unit_id: int(getattr(g, measure)) for g in grids}
        if measure == self.measure and values == self.values and self._cache is not None:
            return  # the same colours: keep the rendered map
        self.measure = measure
        self.values = values
        shown = [self.values.get(s.unit_id, 0) for s in self.shapes if self._filled(s)]
        self.low, self.high = (min(shown), max(shown)) if shown else (0, 0)
        self.invalidate()

    def set_focus(
        self,
        bounds: tuple[float, float, float, float] | None,
        inside: frozenset[int] | None = None,
    ) -> None:
        """Frame the map on ``bounds`` (lon_min, lat_min, lon_max, lat_max: a town's
        page), or on the whole county with None; what lies outside is cut off, and grids
        not ``inside`` (the town's) are drawn dim, as the background they are."""
        wanted = bounds or self.whole
        if wanted == self.bounds and inside == self.inside:
            return
        self.bounds = wanted
        self.inside = inside
        self.kx = math.cos(math.radians((self.bounds[1] + self.bounds[3]) / 2))
        self._projected.clear()
        self.invalidate()
        self._update_spots()

    def grid_colour(self, unit_id: int) -> QColor:
        """A grid's fill on the ramp; the busiest is ramp_high, the least loaded ramp_low."""
        value = self.values.get(unit_id, 0)
        if self.high <= self.low:
            t = 1.0 if self.high > 0 else 0.0
        else:
            t = (value - self.low) / (self.high - self.low)
        return mix(colour("ramp_low"), colour("ramp_high"), t)

    def set_spots(self, arrivals: Sequence[Spot], overdue: Sequence[Spot], now: datetime) -> None:
        """``arrivals`` not seen before (and at most ``fresh_seconds`` old at ``now``) flash,
        then stay as dots while listed; every ``overdue`` spot keeps a pulsing halo."""
        started = time.monotonic()
        for spot in arrivals:
            fresh = (now - spot.at).total_seconds() <= self.fresh_seconds
            if spot.order_id not in self._seen and fresh:
                self._flashes[spot.order_id] = started
        self._seen = {s.order_id for s in arrivals}
        live = [(v, k) for k, v in self._flashes.items() if k in self._seen]
        # the newest MAX_FLASHES (arrivals come newest first: a later start, or a higher id)
        self._flashes = {k: v for v, k in sorted(live, reverse=True)[:MAX_FLASHES]}
        self._update_spots()  # where the old spots were
        self._arrivals = list(arrivals)
        self._overdue = list(overdue)
        self._update_spots()
        self._sync_timers()

    def is_flashing(self) -> bool:
        return bool(self._flashes)

    # --- geometry -----------------------------------------------------------------------

    def _filled(self, shape: MapShape) -> bool:
        return shape.kind in FILLED_KINDS or shape.unit_id in self.values

    def project(self, lon: float, lat: float) -> QPointF:
        """Widget pixels of a WGS-84 point, as the last render laid the map out."""
        return QPointF(
            self._origin.x() + (lon - self.bounds[0]) * self.kx * self._scale,
            self._origin.y() - (lat - self.bounds[1]) * self._scale,
        )

    def _place(self, area: QRectF) -> None:
        x0, y0, x1, y1 = self.bounds
        w = max((x1 - x0) * self.kx, 1e-9)
        h = max(y1 - y0, 1e-9)
        self._scale = max(min(area.width() / w, area.height() / h), 1e-9)
        left = area.left() + (area.width() - w * self._scale) / 2
        bottom = area.bottom() - (area.height() - h * self._scale) / 2
        self._origin = QPointF(left, bottom)

    def _polygon(self, ring: LonLatRing) -> QPolygonF:
        """The ring in widget pixels, kept while the layout stays (a re-render after new
        figures reuses them: projecting every grid again took most of the render)."""
        key = (id(ring), self._scale, self._origin.x(), self._origin.y())
        found = self._projected.get(key)
        if found is None:
            if len(self._projected) > 4 * (len(self.shapes) + len(self.towns) + 2):
                self._projected.clear()  # the layout changed: the old ones are of no use
            found = self._projected[key] = QPolygonF([self.project(lon, lat) for lon, lat in ring])
        return found

    # --- the cached background ----------------------------------------------------------

    def render_content(self, p: QPainter) -> None:
        area = self.draw_frame(p)
        legend_h = self.line_height(self.body_font)
        map_area = area.adjusted(0, 0, 0, -(legend_h + self.u(0.8)))
        self._place(map_area)
        self._map_area = map_area
        thin = max(1.0, self.u(0.1))
        p.save()
        p.setClipRect(map_area)  # a town's page frames the town: its neighbours are cut off
        if self.county is not None:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(colour("surface_alt")))
            p.drawPolygon(self._polygon(self.county.ring))
        p.setPen(QPen(colour("window"), thin))
        # Grids tile the county: their shared edges need no smoothing, and without it the
        # 650 fills of the demo county render in a third of the time (a redraw a second).
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        fills: dict[int, QBrush] = {}  # one brush per distinct count
        outside = QBrush(colour("window"))
        for shape in self.shapes:
            if not self._filled(shape):
                continue
            if self.inside is not None and shape.unit_id not in self.inside:
                p.setBrush(outside)
                p.drawPolygon(self._polygon(shape.ring))
                continue
            value = self.values.get(shape.unit_id, 0)
            brush = fills.get(value)
            if brush is None:
                brush = fills[value] = QBrush(self.grid_colour(shape.unit_id))
            p.setBrush(brush)
            p.drawPolygon(self._polygon(shape.ring))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.setPen(QPen(colour("muted"), self.u(0.25)))
        for town in self.towns:
            p.drawPolygon(self._polygon(town.ring))
        if self.county is not None:
            p.setPen(QPen(colour("accent"), self.u(0.35)))
            p.drawPolygon(self._polygon(self.county.ring))
        self._town_names(p, map_area)
        p.restore()
        self._legend(p, QRectF(area.left(), area.bottom() - legend_h, area.width(), legend_h))

    def _town_names(self, p: QPainter, area: QRectF) -> None:
        """Each town's name at its centroid, haloed so it reads on any fill; a name that
        would overlap one already placed is left out."""
        placed: list[QRectF] = []
        halo = QPen(colour("window"), self.u(0.5))
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        for town in self.towns:
            cx, cy = _centroid(town.ring)
            at = self.project(cx, cy)
            path = QPainterPath()
            path.addText(0, 0, self.name_font, town.name)
            ink = path.boundingRect()
            line = QFontMetricsF(self.name_font)
            box = QRectF(0, -line.ascent(), line.horizontalAdvance(town.name), line.height())
            dx = min(max(at.x() - box.width() / 2, area.left()), area.right() - box.width())
            dy = min(
                max(at.y() - box.center().y(), area.top() - box.top()), area.bottom() - box.bottom()
            )
            box.translate(dx, dy)
            if box.width() > area.width() or any(box.intersects(b) for b in placed):
                continue
            placed.append(box)
            path.translate(dx, dy)
            p.strokePath(path, halo)
            p.fillPath(path, QBrush(colour("text")))
            used = ink.translated(dx, dy).united(box)
            self.text_boxes.append(TextBox(QRectF(area), used, town.name, QFont(self.name_font)))

    def _legend(self, p: QPainter, row: QRectF) -> None:
        """The measure's name, the ramp from the lowest to the highest count, and what the
        two spot shapes mean."""
        font = self.body_font
        m = QFontMetricsF(font)
        gap = self.u(1.0)
        name = self.measure_names[self.measure]
        low, high = fmt_count(self.low), fmt_count(self.high)
        bar_w = self.u(10.0)
        mark = self.u(2.2)
        ramp_w = sum(m.horizontalAdvance(t) for t in (name, low, high)) + bar_w + 3 * gap
        shapes_w = (
            2 * (mark + self.u(0.6))
            + m.horizontalAdvance(self.word_overdue)
            + m.horizontalAdvance(self.word_new)
            + 3 * gap
        )
        x = row.left()
        for text, pen in ((name, colour("muted")), (low, colour("text"))):
            w = m.horizontalAdvance(text)
            self.draw_text(p, QRectF(x, row.top(), w, row.height()), text, font, pen)
            x += w + gap
        bar = QRectF(x, row.center().y() - self.u(0.7), bar_w, self.u(1.4))
        ramp = QLinearGradient(bar.topLeft(), bar.topRight())
        ramp.setColorAt(0, colour("ramp_low"))
        ramp.setColorAt(1, colour("ramp_high"))
        p.setPen(QPen(colour("border"), max(1.0, self.u(0.1))))
        p.setBrush(QBrush(ramp))
        p.drawRect(bar)
        x = bar.right() + gap
        w = m.horizontalAdvance(high)
        self.draw_text(p, QRectF(x, row.top(), w, row.height()), high, font, colour("text"))
        if ramp_w + shapes_w > row.width():
            return  # too narrow for the key of the spots
        x = row.right() - shapes_w + gap
        for shape, pen, word in (
            ("triangle", colour("danger"), self.word_overdue),
            ("circle", colour("text"), self.word_new),
        ):
            draw_mark(p, shape, QPointF(x + mark / 2, row.center().y()), mark, pen)
            x += mark + self.u(0.6)
            w = m.horizontalAdvance(word)
            self.draw_text(p, QRectF(x, row.top(), w, row.height()), word, font, colour("text"))
            x += w + gap

    # --- what moves ---------------------------------------------------------------------

    def paint_overlay(self, p: QPainter, clip: QRectF) -> None:
        if not (self._arrivals or self._overdue):
            return
        p.setClipRect(self._map_area, Qt.ClipOperation.IntersectClip)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = self.u(PULSE_RADII[self._phase])
        halo = colour("danger")
        halo.setAlpha(PULSE_ALPHA[self._phase])
        danger = colour("danger")
        # Only what the repainted region touches: a ring's tick repaints a few small rects.
        halo_reach = self.u(max(PULSE_RADII)) + 2
        flash_reach = self.u(8.5) + 2
        for spot in self._overdue:
            at = self.project(spot.lon, spot.lat)
            if not self._touches(at, halo_reach):
                continue
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QBrush(halo))
            p.drawEllipse(at, radius, radius)
            draw_mark(p, "triangle", at, self.u(1.8), danger)
        now = time.monotonic()
        ring = colour("text")
        for spot in self._arrivals:
            at = self.project(spot.lon, spot.lat)
            if not self._touches(at, flash_reach):
                continue
            started = self._flashes.get(spot.order_id)
            if started is not None:
                t = min(max((now - started) / self.flash_seconds, 0.0), 1.0)
                ring.setAlphaF(1.0 - t)
                p.setPen(QPen(ring, self.u(0.5)))
                p.setBrush(Qt.BrushStyle.NoBrush)
                r = self.u(1.0 + 7.0 * t)
                p.drawEllipse(at, r, r)
            draw_mark(p, "circle", at, self.u(1.6), colour("text"))

    def paintEvent(self, event: QPaintEvent) -> None:
        self._region = event.region()
        super().paintEvent(event)

    def _touches(self, at: QPointF, reach: float) -> bool:
        """Whether a mark within ``reach`` of ``at`` is in the region being repainted."""
        r = int(reach) + 1
        return self._region.intersects(QRect(int(at.x()) - r, int(at.y()) - r, 2 * r, 2 * r))

    def _spot_rect(self, spot: Spot, reach: float) -> QRectF:
        at = self.project(spot.lon, spot.lat)
        r = self.u(reach) + 2
        return QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r)

    def _update_spots(self, flashes_only: bool = False) -> None:
        for spot in self._arrivals:
            if not flashes_only or spot.order_id in self._flashes:
                self.update(self._spot_rect(spot, 8.5).toAlignedRect())
        if not flashes_only:
            for spot in self._overdue:
                self.update(self._spot_rect(spot, max(PULSE_RADII)).toAlignedRect())

    def _flash_tick(self) -> None:
        self._update_spots(flashes_only=True)
        now = time.monotonic()
        done = [k for k, v in self._flashes.items() if now - v >= self.flash_seconds]
        if done:
            self._update_spots(flashes_only=True)  # erase the last ring before dropping it
            for k in done:
                del self._flashes[k]
            self._sync_timers()

    def _pulse_tick(self) -> None:
        self._phase = (self._phase + 1) % len(PULSE_RADII)
        for spot in self._overdue:
            self.update(self._spot_rect(spot, max(PULSE_RADII)).toAlignedRect())

    def _sync_timers(self) -> None:
        visible = self.isVisible()
        for timer, needed in (
            (self.flash_timer, visible and bool(self._flashes)),
            (self.pulse_timer, visible and bool(self._overdue)),
        ):
            if needed and not timer.isActive():
                timer.start()
            elif not needed and timer.isActive():
                timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._sync_timers()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._sync_timers()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flash_timer.stop()
        self.pulse_timer.stop()
        super().closeEvent(event)


def _bounds(rings: Sequence[LonLatRing]) -> tuple[float, float, float, float]:
    """(lon_min, lat_min, lon_max, lat_max) of every point of ``rings``."""
    points = [pt for ring in rings for pt in ring] or [(0.0, 0.0), (1.0, 1.0)]
    return (
        min(p[0] for p in points),
        min(p[1] for p in points),
        max(p[0] for p in points),
        max(p[1] for p in points),
    )


def _centroid(ring: LonLatRing) -> tuple[float, float]:
    """The area centroid of a simple ring (the vertex mean if it has no area)."""
    pts = list(ring)
    if len(pts) < 3:
        n = max(len(pts), 1)
        return sum(p[0] for p in pts) / n, sum(p[1] for p in pts) / n
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return cx / (3 * a), cy / (3 * a)
