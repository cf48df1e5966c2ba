"""Coordinates, GCJ-02, polygons and the grid lookup.

Chinese consumer maps (高德/Amap, WeChat, Tencent) report GCJ-02, which is offset
from WGS-84 by hundreds of metres. Grid boundaries are WGS-84, so a GCJ-02 point
must go through ``gcj02_to_wgs84`` before ``GridIndex.locate`` or the order lands
in the neighbouring grid. All coordinates are (lon, lat) in degrees, like GeoJSON.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from numbers import Real
from typing import Any

from core.domain.enums import GridKind
from core.errors import FieldError

LonLat = tuple[float, float]
Ring = Sequence[LonLat]  # closed or open; always treated as closed

EARTH_RADIUS_M = 6371008.8  # mean radius (IUGG)
_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
_BAND_TARGET_EDGES = 4  # edges per horizontal band; keeps a ray test to a few edges


def _is_number(v: object) -> bool:
    if isinstance(v, bool) or not isinstance(v, Real | Decimal):
        return False
    return math.isfinite(v)


def _ring(points: Iterable[Sequence[float]], what: str) -> tuple[LonLat, ...]:
    """Float pairs without the closing duplicate; at least 3 distinct positions."""
    ring = tuple((float(p[0]), float(p[1])) for p in points)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(set(ring)) < 3:
        raise ValueError(f"{what} needs at least 3 distinct positions, got {len(set(ring))}")
    return ring


def _signed_area_and_moment(ring: Ring) -> tuple[float, float, float]:
    """Shoelace area (degrees², counter-clockwise positive) and first moments."""
    area = mx = my = 0.0
    x0, y0 = ring[0]  # shifted origin keeps precision for small grids far from (0, 0)
    for (xa, ya), (xb, yb) in zip(ring, [*ring[1:], ring[0]], strict=True):
        xa, ya, xb, yb = xa - x0, ya - y0, xb - x0, yb - y0
        cross = xa * yb - xb * ya
        area += cross
        mx += (xa + xb) * cross
        my += (ya + yb) * cross
    return area / 2, mx / 6 + x0 * area / 2, my / 6 + y0 * area / 2


_Edge = tuple[float, float, float, float, float, float]  # y_lo, y_hi, x_i, y_i, x_j, y_j


class _RingTest:
    """Even-odd ray casting with edges bucketed into horizontal bands.

    Gives exactly the answer of the plain PNPOLY loop (so the boundary is
    deterministic) while testing only the edges that span the point's latitude.
    """

    def __init__(self, ring: Ring) -> None:
        n = len(ring)
        ys = [p[1] for p in ring]
        self.y0, y1 = min(ys), max(ys)
        self.bands = max(1, n // _BAND_TARGET_EDGES)
        self.h = (y1 - self.y0) / self.bands or 1.0
        table: list[list[_Edge]] = [[] for _ in range(self.bands)]
        for i in range(n):
            (xi, yi), (xj, yj) = ring[i], ring[i - 1]  # PNPOLY's order, for identical rounding
            if yi == yj:
                continue  # horizontal edges never cross a horizontal ray
            lo, hi = min(yi, yj), max(yi, yj)
            edge = (lo, hi, xi, yi, xj, yj)
            for b in range(self._band(lo), self._band(hi) + 1):
                table[b].append(edge)
        self.table = [tuple(t) for t in table]

    def _band(self, y: float) -> int:
        return min(self.bands - 1, max(0, int((y - self.y0) / self.h)))

    def inside(self, x: float, y: float) -> bool:
        c = False
        for lo, hi, xi, yi, xj, yj in self.table[self._band(y)]:
            # lo <= y < hi is PNPOLY's (yi > y) != (yj > y)
            if lo <= y < hi and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                c = not c
        return c


@dataclass(frozen=True)
class Polygon:
    """One outer ring with optional holes, in WGS-84 (lon, lat); rings stored open."""

    outer: tuple[LonLat, ...]
    holes: tuple[tuple[LonLat, ...], ...] = ()
    _bbox: tuple[float, float, float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "outer", _ring(self.outer, "outer ring"))
        holes = tuple(_ring(h, f"hole {i}") for i, h in enumerate(self.holes))
        object.__setattr__(self, "holes", holes)
        xs, ys = [p[0] for p in self.outer], [p[1] for p in self.outer]
        object.__setattr__(self, "_bbox", (min(xs), min(ys), max(xs), max(ys)))

    @classmethod
    def from_json(cls, data: Any) -> Polygon:
        """A GeoJSON Polygon object; the ValueError names the first thing wrong."""
        if not isinstance(data, Mapping):
            raise ValueError(f"polygon must be a JSON object, got {type(data).__name__}")
        if data.get("type") != "Polygon":
            raise ValueError(f"polygon 'type' must be 'Polygon', got {data.get('type')!r}")
        rings = data.get("coordinates")
        if not isinstance(rings, list | tuple) or not rings:
            raise ValueError("polygon 'coordinates' must be a non-empty list of rings")
        parsed: list[tuple[LonLat, ...]] = []
        for r, ring in enumerate(rings):
            where = f"coordinates[{r}]"
            if not isinstance(ring, list | tuple):
                raise ValueError(f"{where} must be a list of [lon, lat] positions")
            for p, pos in enumerate(ring):
                if not (isinstance(pos, list | tuple) and len(pos) >= 2):
                    raise ValueError(f"{where}[{p}] must be a [lon, lat] position, got {pos!r}")
                lon, lat = pos[0], pos[1]
                if not (_is_number(lon) and _is_number(lat)):
                    raise ValueError(f"{where}[{p}] must hold finite numbers, got {pos!r}")
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    raise ValueError(f"{where}[{p}] is out of range: {pos!r}")
            parsed.append(_ring(ring, "outer ring" if r == 0 else f"hole {r - 1}"))
        return cls(parsed[0], tuple(parsed[1:]))

    def to_json(self) -> dict[str, Any]:
        """GeoJSON with closed rings, as the format requires."""
        rings = (self.outer, *self.holes)
        return {"type": "Polygon", "coordinates": [[[*p] for p in (*r, r[0])] for r in rings]}

    @cached_property
    def _tests(self) -> tuple[_RingTest, tuple[_RingTest, ...]]:
        return _RingTest(self.outer), tuple(_RingTest(h) for h in self.holes)

    def contains(self, pt: LonLat) -> bool:
        """Even-odd test; inside a hole is outside. Boundary points: fixed, not guaranteed."""
        x, y = pt
        min_x, min_y, max_x, max_y = self.bbox()
        if not (min_x <= x <= max_x and min_y <= y <= max_y):
            return False
        outer, holes = self._tests
        return outer.inside(x, y) and not any(h.inside(x, y) for h in holes)

    def bbox(self) -> tuple[float, float, float, float]:
        return self._bbox

    def area_m2(self) -> float:
        """Planar area at the mean latitude: enough to rank overlapping grids by size."""
        mean_lat = sum(p[1] for p in self.outer) / len(self.outer)
        m_per_deg = EARTH_RADIUS_M * math.pi / 180
        deg2 = abs(_signed_area_and_moment(self.outer)[0])
        deg2 -= sum(abs(_signed_area_and_moment(h)[0]) for h in self.holes)
        return max(0.0, deg2) * m_per_deg**2 * math.cos(math.radians(mean_lat))

    def centroid(self) -> LonLat:
        """Area centroid (holes subtracted); may lie outside a concave polygon."""
        total = mx = my = 0.0
        for i, ring in enumerate((self.outer, *self.holes)):
            a, rx, ry = _signed_area_and_moment(ring)
            sign = (1.0 if a >= 0 else -1.0) * (1.0 if i == 0 else -1.0)
            total, mx, my = total + sign * a, mx + sign * rx, my + sign * ry
        if abs(total) < 1e-18:  # degenerate: fall back to the vertex mean
            n = len(self.outer)
            return sum(p[0] for p in self.outer) / n, sum(p[1] for p in self.outer) / n
        return mx / total, my / total


def out_of_china(lon: float, lat: float) -> bool:
    """The rough rectangle every GCJ-02 implementation uses; outside it no offset applies."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _gcj_offset(lon: float, lat: float) -> LonLat:
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    common = (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += common
    d_lat += (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * pi) + 320 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += common
    d_lon += (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * pi
    magic = math.sin(rad_lat)
    magic = 1 - _KRASOVSKY_EE * magic * magic
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_KRASOVSKY_A * (1 - _KRASOVSKY_EE)) / (magic * sqrt_magic) * pi)
    d_lon = (d_lon * 180.0) / (_KRASOVSKY_A / sqrt_magic * math.cos(rad_lat) * pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """The published GCJ-02 obfuscation (Krasovsky 1940); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _gcj_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> LonLat:
    """Inverse by fixed-point iteration to 1e-9° (the one-step inverse errs by metres)."""
    w_lon, w_lat = lon, lat
    for _ in range(30):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        if abs(e_lon) < 1e-9 and abs(e_lat) < 1e-9:
            break
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
    return w_lon, w_lat


def haversine_m(a: LonLat, b: LonLat) -> float:
    """Great-circle distance in metres on the mean-radius sphere."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def validate_lonlat(lon: Any, lat: Any, field: str = "coordinates") -> list[FieldError]:
    """Problems with a (lon, lat) pair; a likely swap is reported instead of the range."""
    params = {"lon": lon, "lat": lat}
    if not (_is_number(lon) and _is_number(lat)):
        return [FieldError(field, "coordinates_not_numbers", params)]
    if 73 <= lat <= 136 and 3 <= lon <= 54:  # a Chinese (lat, lon) typed as (lon, lat)
        return [FieldError(field, "coordinates_swapped", params)]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [FieldError(field, "coordinates_out_of_range", params)]
    return []


@dataclass(frozen=True)
class GridShape:
    unit_id: int
    kind: GridKind
    polygon: Polygon


class GridIndex:
    """Finds the grid for a WGS-84 point. Special grids (a school, an enterprise) overlap
    comprehensive grids and win inside their boundary; of two overlapping special grids the
    smaller wins; ties break on lower unit_id (deterministic).

    Shapes are ranked once and dropped into a uniform bucket grid over their bboxes, so a
    lookup tests only the few polygons whose bbox covers the point's cell, best rank first.
    """

    def __init__(self, grids: Iterable[GridShape]) -> None:
        def rank(s: GridShape) -> tuple[int, float, int]:
            # Area rounded to 1 m² so float noise cannot reorder equal shapes.
            return (s.kind is not GridKind.SPECIAL, round(s.polygon.area_m2()), s.unit_id)

        self._shapes = sorted(grids, key=rank)
        self._buckets: dict[tuple[int, int], list[int]] = {}
        self._bounds = (math.inf, math.inf, -math.inf, -math.inf)
        if not self._shapes:
            return
        boxes = [s.polygon.bbox() for s in self._shapes]
        self._x0, self._y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        self._n = max(1, min(512, 2 * math.isqrt(len(boxes)) + 1))
        self._cw = (x1 - self._x0) / self._n or 1.0
        self._ch = (y1 - self._y0) / self._n or 1.0
        self._bounds = (self._x0, self._y0, x1, y1)
        for i, (bx0, by0, bx1, by1) in enumerate(boxes):  # in rank order
            ix0, iy0 = self._cell(bx0, by0)
            ix1, iy1 = self._cell(bx1, by1)
            for ix in range(ix0, ix1 + 1):
                for iy in range(iy0, iy1 + 1):
                    self._buckets.setdefault((ix, iy), []).append(i)

    @property
    def bounds(self) -> tuple[float, float, float, float] | None:
        """(lon_min, lat_min, lon_max, lat_max) of every grid; None without grids."""
        return None if math.isinf(self._bounds[0]) else self._bounds

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        n = self._n - 1
        return min(n, int((x - self._x0) / self._cw)), min(n, int((y - self._y0) / self._ch))

    def _candidates(self, pt: LonLat) -> list[int]:
        x0, y0, x1, y1 = self._bounds
        if not (x0 <= pt[0] <= x1 and y0 <= pt[1] <= y1):
            return []
        return self._buckets.get(self._cell(pt[0], pt[1]), [])

    def locate(self, pt: LonLat) -> int | None:
        """The winning grid's unit_id, or None outside every grid."""
        for i in self._candidates(pt):
            if self._shapes[i].polygon.contains(pt):
                return self._shapes[i].unit_id
        return None

    def locate_all(self, pt: LonLat) -> list[int]:
        """Every unit whose grid contains the point, winner first, each unit once."""
        found: list[int] = []
        for i in self._candidates(pt):
            uid = self._shapes[i].unit_id
            if uid not in found and self._shapes[i].polygon.contains(pt):
                found.append(uid)
        return found

    def __len__(self) -> int:
        return len(self._shapes)
