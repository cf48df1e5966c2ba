"""A plausible county map: a jittered lattice inside an irregular outline.

Each lattice cell is one comprehensive grid (a quadrilateral sharing its corners with
its neighbours, so the grids tile the county with no gaps). Towns and villages are
clusters of neighbouring cells. The county boundary is traced from the cells, so every
grid lies inside it. Deterministic for a seed.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from core.geo import LonLat

Cell = tuple[int, int]


@dataclass
class Lattice:
    nx: int
    ny: int
    vertices: dict[tuple[int, int], LonLat]
    cells: list[Cell]

    def quad(self, cell: Cell) -> list[LonLat]:
        i, j = cell
        v = self.vertices
        return [v[(i, j)], v[(i + 1, j)], v[(i + 1, j + 1)], v[(i, j + 1)]]

    def centre(self, cell: Cell) -> LonLat:
        q = self.quad(cell)
        return (sum(p[0] for p in q) / 4, sum(p[1] for p in q) / 4)

    def point_in(self, cell: Cell, u: float, v: float) -> LonLat:
        """A point inside the quad by bilinear interpolation, u and v in (0, 1)."""
        a, b, c, d = self.quad(cell)
        x = (1 - u) * (1 - v) * a[0] + u * (1 - v) * b[0] + u * v * c[0] + (1 - u) * v * d[0]
        y = (1 - u) * (1 - v) * a[1] + u * (1 - v) * b[1] + u * v * c[1] + (1 - u) * v * d[1]
        return (x, y)


@dataclass
class CountyMap:
    lattice: Lattice
    boundary: list[LonLat]
    town_of: dict[Cell, int] = field(default_factory=dict)
    village_of: dict[Cell, int] = field(default_factory=dict)
    town_seeds: list[LonLat] = field(default_factory=list)


def build_lattice(
    rng: random.Random, centre: LonLat, nx: int, ny: int, cell_deg: float, target_cells: int
) -> Lattice:
    x0 = centre[0] - nx * cell_deg / 2
    y0 = centre[1] - ny * cell_deg * 0.85 / 2
    dy = cell_deg * 0.85  # a degree of latitude is longer than one of longitude at 33°N
    vertices: dict[tuple[int, int], LonLat] = {}
    for i in range(nx + 1):
        for j in range(ny + 1):
            jx = rng.uniform(-0.28, 0.28) * cell_deg
            jy = rng.uniform(-0.28, 0.28) * dy
            vertices[(i, j)] = (x0 + i * cell_deg + jx, y0 + j * dy + jy)
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(4)]

    def radius(theta: float) -> float:
        return (
            1
            + 0.16 * math.sin(2 * theta + phases[0])
            + 0.10 * math.sin(3 * theta + phases[1])
            + 0.06 * math.sin(5 * theta + phases[2])
            + 0.04 * math.sin(7 * theta + phases[3])
        )

    def inside(cell: Cell, scale: float) -> bool:
        cx, cy = (cell[0] + 0.5) / nx - 0.5, (cell[1] + 0.5) / ny - 0.5
        return math.hypot(cx, cy) <= 0.5 * scale * radius(math.atan2(cy, cx))

    everything = [(i, j) for i in range(nx) for j in range(ny)]
    lo, hi = 0.3, 1.6
    for _ in range(40):  # bisect the outline's scale to keep about target_cells cells
        mid = (lo + hi) / 2
        if sum(inside(c, mid) for c in everything) < target_cells:
            lo = mid
        else:
            hi = mid
    chosen = _solid({c for c in everything if inside(c, hi)}, nx, ny)
    return Lattice(nx, ny, vertices, sorted(chosen))


def _solid(cells: set[Cell], nx: int, ny: int) -> set[Cell]:
    """Fill holes and corner-only touches, so the outline is one simple ring."""
    cells = set(cells)
    changed = True
    while changed:
        changed = False
        outside: set[Cell] = set()
        stack = [(-1, -1)]
        while stack:
            c = stack.pop()
            if c in outside or c in cells or not (-1 <= c[0] <= nx and -1 <= c[1] <= ny):
                continue
            outside.add(c)
            stack += [(c[0] + 1, c[1]), (c[0] - 1, c[1]), (c[0], c[1] + 1), (c[0], c[1] - 1)]
        holes = {(i, j) for i in range(nx) for j in range(ny)} - cells - outside
        if holes:
            cells |= holes
            changed = True
        for i in range(-1, nx):
            for j in range(-1, ny):
                a, b = (i, j) in cells, (i + 1, j) in cells
                up, d = (i, j + 1) in cells, (i + 1, j + 1) in cells
                if a and d and not b and not up:
                    cells.add((i + 1, j))
                    changed = True
                elif b and up and not a and not d:
                    cells.add((i, j))
                    changed = True
    return cells


def trace_boundary(lattice: Lattice) -> list[LonLat]:
    """The outline of the chosen cells as one counter-clockwise ring."""
    chosen = set(lattice.cells)
    nexts: dict[tuple[int, int], tuple[int, int]] = {}
    for i, j in chosen:
        corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
        neighbours = [(i, j - 1), (i + 1, j), (i, j + 1), (i - 1, j)]
        for k in range(4):
            if neighbours[k] not in chosen:
                nexts[corners[k]] = corners[(k + 1) % 4]
    start = min(nexts)
    ring = [start]
    cur = nexts[start]
    while cur != start:
        ring.append(cur)
        cur = nexts[cur]
    if len(ring) != len(nexts):
        raise ValueError("the county outline is not a single ring")
    return [lattice.vertices[v] for v in ring]


def _nearest(points: list[LonLat], p: LonLat, weights: list[float] | None = None) -> int:
    best, best_d = 0, math.inf
    for k, q in enumerate(points):
        d = math.hypot(p[0] - q[0], (p[1] - q[1]) * 1.18) * (weights[k] if weights else 1.0)
        if d < best_d:
            best, best_d = k, d
    return best


def partition(
    rng: random.Random, lattice: Lattice, towns: int, villages: int, streets: int
) -> CountyMap:
    """Towns by nearest seed (streets cluster at the county seat), villages likewise."""
    centres = {c: lattice.centre(c) for c in lattice.cells}
    cx = sum(p[0] for p in centres.values()) / len(centres)
    cy = sum(p[1] for p in centres.values()) / len(centres)
    ordered = sorted(
        lattice.cells, key=lambda c: math.hypot(centres[c][0] - cx, centres[c][1] - cy)
    )
    near = ordered[: max(streets * 6, 1)]
    seeds = [centres[c] for c in rng.sample(near, streets)]
    far = ordered[len(ordered) // 5 :]
    while len(seeds) < towns:  # farthest-point sampling spreads the towns out
        pool = rng.sample(far, min(40, len(far)))
        seeds.append(
            max((centres[c] for c in pool), key=lambda p: min(math.dist(p, s) for s in seeds))
        )
    weights = [1.7 if k < streets else 1.0 for k in range(towns)]
    for _ in range(6):  # Lloyd relaxation evens out the towns; the streets stay put
        town_of = {c: _nearest(seeds, centres[c], weights) for c in lattice.cells}
        for k in range(streets, towns):
            mine = [centres[c] for c, t in town_of.items() if t == k]
            if mine:
                seeds[k] = (
                    sum(p[0] for p in mine) / len(mine),
                    sum(p[1] for p in mine) / len(mine),
                )
    town_of = {c: _nearest(seeds, centres[c], weights) for c in lattice.cells}
    cmap = CountyMap(lattice, trace_boundary(lattice), town_of=town_of, town_seeds=seeds)
    by_town: dict[int, list[Cell]] = defaultdict(list)
    for c, t in town_of.items():
        by_town[t].append(c)
    total = len(lattice.cells)
    next_village = 0
    for t in range(towns):
        cells = sorted(by_town[t])
        k = max(1, round(villages * len(cells) / total))
        vseeds = [centres[c] for c in rng.sample(cells, min(k, len(cells)))]
        for c in cells:
            cmap.village_of[c] = next_village + _nearest(vseeds, centres[c])
        next_village += len(vseeds)
    # renumber villages densely (a seed may have won no cell)
    used = sorted(set(cmap.village_of.values()))
    dense = {v: i for i, v in enumerate(used)}
    cmap.village_of = {c: dense[v] for c, v in cmap.village_of.items()}
    return cmap
