"""GCJ-02 conversion, polygons and the grid lookup that routes orders to grids."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.geo import (
    GridIndex,
    GridKind,
    GridShape,
    LonLat,
    Polygon,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    validate_lonlat,
    wgs84_to_gcj02,
)

TIANANMEN_WGS = (116.397128, 39.916527)

# --- GCJ-02 ------------------------------------------------------------------------------


def test_forward_matches_the_published_reference_vector() -> None:
    # wandergis/coordTransform README: wgs84togcj02(116.404, 39.915)
    lon, lat = wgs84_to_gcj02(116.404, 39.915)
    assert lon == pytest.approx(116.41024449916938, abs=1e-12)
    assert lat == pytest.approx(39.91640428150164, abs=1e-12)


def test_offset_near_beijing_is_hundreds_of_metres() -> None:
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS)
    assert 200 < haversine_m(gcj, TIANANMEN_WGS) < 700


def test_inverse_is_exact_not_the_one_step_approximation() -> None:
    gcj = wgs84_to_gcj02(*TIANANMEN_WGS)
    lon, lat = gcj02_to_wgs84(*gcj)
    assert abs(lon - TIANANMEN_WGS[0]) < 1e-6 and abs(lat - TIANANMEN_WGS[1]) < 1e-6
    assert haversine_m((lon, lat), TIANANMEN_WGS) < 0.1
    # The one-step inverse (subtract the offset at the GCJ point) is off by about a metre;
    # ours must be far better than that.
    one_step = wgs84_to_gcj02(*gcj)
    naive = (2 * gcj[0] - one_step[0], 2 * gcj[1] - one_step[1])
    assert haversine_m((lon, lat), TIANANMEN_WGS) < haversine_m(naive, TIANANMEN_WGS) / 100


@given(st.floats(73.7, 134.9), st.floats(18.2, 53.5))
def test_round_trip_inside_china(lon: float, lat: float) -> None:
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert abs(back[0] - lon) < 1e-6 and abs(back[1] - lat) < 1e-6
    again = wgs84_to_gcj02(*gcj02_to_wgs84(lon, lat))
    assert abs(again[0] - lon) < 1e-6 and abs(again[1] - lat) < 1e-6


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(139.6917, 35.6895), (-0.1276, 51.5072), (-74.006, 40.7128), (151.2093, -33.8688)],
)
def test_outside_china_nothing_moves(lon: float, lat: float) -> None:
    assert out_of_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)


@pytest.mark.parametrize(("lon", "lat"), [TIANANMEN_WGS, (121.4737, 31.2304), (87.6, 43.8)])
def test_inside_china(lon: float, lat: float) -> None:
    assert not out_of_china(lon, lat)


def test_haversine() -> None:
    assert haversine_m((116.0, 39.0), (116.0, 40.0)) == pytest.approx(111195, rel=1e-4)
    assert haversine_m(TIANANMEN_WGS, TIANANMEN_WGS) == 0.0
    # Beijing to Shanghai, about 1068 km
    assert haversine_m((116.4074, 39.9042), (121.4737, 31.2304)) == pytest.approx(1.068e6, rel=0.01)


# --- validate_lonlat ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lon", "lat", "codes"),
    [
        (116.4, 39.9, []),
        (-180, -90, []),
        (180.0, 90.0, []),
        (0, 0, []),
        ("116.4", 39.9, ["coordinates_not_numbers"]),
        (116.4, None, ["coordinates_not_numbers"]),
        (True, 39.9, ["coordinates_not_numbers"]),
        (math.nan, 39.9, ["coordinates_not_numbers"]),
        (116.4, math.inf, ["coordinates_not_numbers"]),
        (180.5, 39.9, ["coordinates_out_of_range"]),
        (116.4, -91, ["coordinates_out_of_range"]),
        (39.9, 116.4, ["coordinates_swapped"]),
        (22.5, 114.1, ["coordinates_swapped"]),
    ],
)
def test_validate_lonlat(lon: Any, lat: Any, codes: list[str]) -> None:
    errors = validate_lonlat(lon, lat, field="location")
    assert [e.code for e in errors] == codes
    assert all(e.field == "location" for e in errors)


# --- Polygon -----------------------------------------------------------------------------


def square(x0: float, y0: float, size: float) -> tuple[LonLat, ...]:
    return ((x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size))


DONUT = Polygon(square(0, 0, 10), (square(4, 4, 2),))


@pytest.mark.parametrize(
    ("pt", "inside"),
    [
        ((1, 1), True),
        ((9.5, 5), True),
        ((5, 5), False),  # in the hole
        ((3.9, 5), True),
        ((11, 5), False),
        ((-1, -1), False),
        ((5, 10.5), False),
    ],
)
def test_contains_with_hole(pt: LonLat, inside: bool) -> None:
    assert DONUT.contains(pt) is inside


def test_concave_polygon() -> None:
    u_shape = Polygon(((0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)))
    assert u_shape.contains((0.5, 2))
    assert u_shape.contains((2.5, 2))
    assert not u_shape.contains((1.5, 2))
    assert u_shape.contains((1.5, 0.5))


def test_closed_and_open_rings_are_the_same_polygon() -> None:
    ring = square(0, 0, 1)
    assert Polygon((*ring, ring[0])) == Polygon(ring)
    triangle = Polygon(((0, 0), (1, 0), (0, 1)))
    assert triangle.outer == ((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))
    assert all(type(c) is float for p in triangle.outer for c in p)
    assert hash(triangle) == hash(Polygon(((0, 0), (1, 0), (0, 1), (0, 0))))


def _pnpoly(ring: tuple[LonLat, ...], x: float, y: float) -> bool:
    """The textbook loop, to check the banded version gives identical answers."""
    c = False
    j = len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i], ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            c = not c
        j = i
    return c


def _blob(cx: float, cy: float, r: float, n: int, rng: random.Random) -> tuple[LonLat, ...]:
    return tuple(
        (
            cx + r * (0.5 + rng.random()) * math.cos(2 * math.pi * i / n),
            cy + r * (0.5 + rng.random()) * math.sin(2 * math.pi * i / n),
        )
        for i in range(n)
    )


def test_banded_ray_casting_agrees_with_the_plain_loop_everywhere() -> None:
    rng = random.Random(7)
    for _ in range(20):
        ring = _blob(117.0, 30.0, 0.01, rng.randint(3, 120), rng)
        poly = Polygon(ring)
        probes = [*ring, *((x + 1e-12, y) for x, y in ring)]  # vertices: the hard cases
        probes += [((x + xx) / 2, (y + yy) / 2) for (x, y), (xx, yy) in itertools.pairwise(ring)]
        probes += [
            (117 + rng.uniform(-0.02, 0.02), 30 + rng.uniform(-0.02, 0.02)) for _ in range(300)
        ]
        for x, y in probes:
            assert poly.contains((x, y)) is _pnpoly(poly.outer, x, y)


def test_bbox_area_centroid() -> None:
    assert DONUT.bbox() == (0, 0, 10, 10)
    # 0.01° square at 30°N: (0.01° * 111.195 km)² * cos 30°
    small = Polygon(square(117.0, 30.0, 0.01))
    assert small.area_m2() == pytest.approx((1111.95**2) * math.cos(math.radians(30.005)), rel=1e-3)
    holed = Polygon(square(117.0, 30.0, 0.01), (square(117.0, 30.0, 0.005),))
    assert holed.area_m2() == pytest.approx(small.area_m2() * 0.75, rel=1e-3)
    assert small.centroid() == pytest.approx((117.005, 30.005))
    # the hole in the lower-left quarter pulls the centroid up and right
    cx, cy = holed.centroid()
    assert cx == pytest.approx(117.0 + 0.01 * 7 / 12) and cy == pytest.approx(30.0 + 0.01 * 7 / 12)
    clockwise = Polygon(tuple(reversed(square(117.0, 30.0, 0.01))))
    assert clockwise.area_m2() == pytest.approx(small.area_m2())


def test_json_round_trip() -> None:
    data = DONUT.to_json()
    assert data["type"] == "Polygon"
    assert data["coordinates"][0][0] == data["coordinates"][0][-1]  # GeoJSON rings are closed
    assert Polygon.from_json(data) == DONUT
    assert Polygon.from_json(
        {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [0, 1, 5]]]}
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "JSON object"),
        ([[0, 0], [1, 0], [0, 1]], "JSON object"),
        ({"type": "MultiPolygon", "coordinates": []}, "'MultiPolygon'"),
        ({"coordinates": [[[0, 0], [1, 0], [0, 1]]]}, "'type'"),
        ({"type": "Polygon"}, "'coordinates'"),
        ({"type": "Polygon", "coordinates": []}, "'coordinates'"),
        ({"type": "Polygon", "coordinates": [5]}, r"coordinates\[0\]"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0]]]}, r"coordinates\[0\]\[2\]"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], ["a", 1]]]}, "finite numbers"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [True, 1]]]}, "finite numbers"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [200, 1]]]}, "out of range"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
            "outer ring needs at least 3",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [9, 0], [0, 9]], [[1, 1], [2, 1]]]},
            "hole 0 needs at least 3",
        ),
    ],
)
def test_from_json_names_the_problem(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Polygon.from_json(data)


# --- GridIndex ---------------------------------------------------------------------------

COMP, SPEC = GridKind.COMPREHENSIVE, GridKind.SPECIAL


def shape(unit_id: int, kind: GridKind, ring: tuple[LonLat, ...]) -> GridShape:
    return GridShape(unit_id, kind, Polygon(ring))


def test_special_grid_wins_inside_and_comprehensive_outside() -> None:
    index = GridIndex(
        [
            shape(1, COMP, square(117.0, 30.0, 0.01)),
            shape(2, COMP, square(117.01, 30.0, 0.01)),
            shape(50, SPEC, square(117.004, 30.004, 0.002)),  # a school inside grid 1
        ]
    )
    assert len(index) == 3
    assert index.locate((117.005, 30.005)) == 50
    assert index.locate_all((117.005, 30.005)) == [50, 1]
    assert index.locate((117.002, 30.002)) == 1
    assert index.locate((117.015, 30.005)) == 2
    assert index.locate((117.5, 30.5)) is None
    assert index.locate_all((117.5, 30.5)) == []
    assert index.locate((117.02, 29.0)) is None


def test_smaller_special_wins_and_ties_go_to_the_lower_unit_id() -> None:
    big, small = square(117.0, 30.0, 0.004), square(117.001, 30.001, 0.002)
    index = GridIndex(
        [
            shape(9, SPEC, big),
            shape(8, SPEC, small),
            shape(7, SPEC, small),  # same shape as 8: the tie goes to 7
            shape(1, COMP, square(116.99, 29.99, 0.03)),
        ]
    )
    assert index.locate_all((117.002, 30.002)) == [7, 8, 9, 1]
    assert index.locate((117.0035, 30.0035)) == 9
    # the order the grids arrive in does not matter
    shuffled = GridIndex(
        [
            shape(1, COMP, square(116.99, 29.99, 0.03)),
            shape(7, SPEC, small),
            shape(9, SPEC, big),
            shape(8, SPEC, small),
        ]
    )
    assert shuffled.locate_all((117.002, 30.002)) == [7, 8, 9, 1]


def test_special_outranks_a_smaller_comprehensive_grid() -> None:
    index = GridIndex(
        [shape(1, COMP, square(117.0, 30.0, 0.001)), shape(2, SPEC, square(117.0, 30.0, 0.01))]
    )
    assert index.locate((117.0005, 30.0005)) == 2


def test_empty_index() -> None:
    index = GridIndex([])
    assert len(index) == 0
    assert index.locate((117.0, 30.0)) is None
    assert index.locate_all((117.0, 30.0)) == []


def test_one_unit_in_two_parts_is_listed_once() -> None:
    index = GridIndex([shape(3, COMP, square(0, 0, 2)), shape(3, COMP, square(1, 1, 2))])
    assert index.locate_all((1.5, 1.5)) == [3]


def jagged_county(cols: int, rows: int, seed: int) -> list[GridShape]:
    """A tessellation of jagged grids with shared edges, plus small special grids."""
    rng = random.Random(seed)
    step = 0.01
    corners: dict[tuple[int, int], LonLat] = {}
    for i in range(cols + 1):
        for j in range(rows + 1):
            jx = rng.uniform(-0.3, 0.3) * step if 0 < i < cols else 0.0
            jy = rng.uniform(-0.3, 0.3) * step if 0 < j < rows else 0.0
            corners[i, j] = (117.0 + i * step + jx, 30.0 + j * step + jy)

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[LonLat]:
        """From corner a up to (not including) b; neighbours share the same wiggles."""
        lo, hi = min(a, b), max(a, b)
        er = random.Random(f"{lo}{hi}{seed}")
        (x0, y0), (x1, y1) = corners[lo], corners[hi]
        pts = [corners[lo]]
        for t in range(1, 8):
            wx, wy = er.uniform(-1, 1) * step / 40, er.uniform(-1, 1) * step / 40
            pts.append((x0 + (x1 - x0) * t / 8 + wx, y0 + (y1 - y0) * t / 8 + wy))
        pts.append(corners[hi])
        if lo != a:
            pts.reverse()
        return pts[:-1]

    grids = []
    for i in range(cols):
        for j in range(rows):
            a, b, c, d = (i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)
            ring = [*edge(a, b), *edge(b, c), *edge(c, d), *edge(d, a)]
            grids.append(shape(1000 + i * rows + j, COMP, tuple(ring)))
    for k in range(cols * rows // 6):
        cx, cy = 117.0 + rng.uniform(0, cols * step), 30.0 + rng.uniform(0, rows * step)
        grids.append(shape(k + 1, SPEC, _blob(cx, cy, step * rng.uniform(0.05, 0.4), 24, rng)))
    return grids


def test_index_agrees_with_checking_every_polygon() -> None:
    grids = jagged_county(12, 10, seed=3)
    index = GridIndex(grids)

    def brute(pt: LonLat) -> list[int]:
        hits = [g for g in grids if g.polygon.contains(pt)]
        hits.sort(key=lambda g: (g.kind is COMP, round(g.polygon.area_m2()), g.unit_id))
        return list(dict.fromkeys(g.unit_id for g in hits))

    rng = random.Random(11)
    for _ in range(3000):
        pt = (117.0 + rng.uniform(-0.01, 0.13), 30.0 + rng.uniform(-0.01, 0.11))
        expected = brute(pt)
        assert index.locate_all(pt) == expected
        assert index.locate(pt) == (expected[0] if expected else None)
    # every vertex of every grid, where ties and boundaries live
    for g in grids[::7]:
        for pt in g.polygon.outer:
            assert index.locate_all(pt) == brute(pt)
