"""Writes the demo county's organisation: units, grids, departments, users, addresses."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, insert, select

from core.addresses import normalize
from core.auth import create_user, hash_password
from core.demo.departments import DEPARTMENTS
from core.demo.geography import Cell, CountyMap
from core.demo.names import ROADS, Namer
from core.domain.actor import Actor
from core.domain.enums import GridKind, Role, UnitKind
from core.domain.ids import UnitId, UserId
from core.org import add_unit
from core.storage.schema import std_addresses, units

DEMO_PASSWORD = "demo1234"


def polygon(ring: list[tuple[float, float]]) -> dict[str, object]:
    closed = [list(p) for p in ring] + [list(ring[0])]
    return {"type": "Polygon", "coordinates": [closed]}


@dataclass
class Address:
    text: str
    grid: int
    lon: float
    lat: float


@dataclass
class DemoOrg:
    county: int
    towns: list[int] = field(default_factory=list)
    streets: set[int] = field(default_factory=set)
    villages_of: dict[int, list[int]] = field(default_factory=dict)  # town → villages
    grids_of: dict[int, list[int]] = field(default_factory=dict)  # village → grids
    town_of_village: dict[int, int] = field(default_factory=dict)
    village_of_grid: dict[int, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)  # code → unit id
    special_grids: list[int] = field(default_factory=list)
    handler: dict[int, Actor] = field(default_factory=dict)  # unit → its staff member
    centre: dict[str, list[Actor]] = field(default_factory=dict)  # role → county centre staff
    town_centre: dict[int, Actor] = field(default_factory=dict)  # town → its centre's duty officer
    town_supervisor: dict[int, Actor] = field(default_factory=dict)
    addresses: list[Address] = field(default_factory=list)
    weight_of_grid: dict[int, float] = field(default_factory=dict)
    users: int = 0


class _Users:
    def __init__(self, conn: Connection, namer: Namer, now: datetime) -> None:
        self.conn, self.namer, self.now = conn, namer, now
        self.pw = hash_password(DEMO_PASSWORD)
        self.paths = {r.id: r.path for r in conn.execute(select(units.c.id, units.c.path))}
        self.count = 0

    def add(self, username: str, unit: int, *roles: Role) -> Actor:
        name = self.namer.person()
        uid = create_user(
            self.conn,
            username=username,
            display_name=name,
            unit_id=unit,
            password="",
            roles=roles,
            now=self.now,
            password_hash=self.pw,
        )
        self.count += 1
        if unit not in self.paths:
            self.paths[unit] = self.conn.execute(
                select(units.c.path).where(units.c.id == unit)
            ).scalar_one()
        return Actor(UserId(uid), username, name, UnitId(unit), self.paths[unit], frozenset(roles))


def build_org(
    conn: Connection, rng: random.Random, cmap: CountyMap, county_name: str, now: datetime
) -> DemoOrg:
    namer = Namer(rng)
    lat = cmap.lattice
    org = DemoOrg(
        add_unit(
            conn,
            kind=UnitKind.COUNTY,
            code="county",
            name=county_name,
            polygon=polygon(cmap.boundary),
        )
    )
    for code, name in DEPARTMENTS:
        org.departments[code] = add_unit(
            conn, kind=UnitKind.DEPARTMENT, code=code, name=name, parent_id=org.county, level=1
        )
    cells_of_village: dict[int, list[Cell]] = defaultdict(list)
    for cell in lat.cells:
        cells_of_village[cmap.village_of[cell]].append(cell)
    villages_of_town: dict[int, list[int]] = defaultdict(list)
    for v, cells in cells_of_village.items():
        villages_of_town[cmap.town_of[cells[0]]].append(v)
    street_names = iter(("城东街道", "城南街道", "城北街道", "城西街道", "城中街道"))
    n_streets = sum(1 for t in villages_of_town if t < len(cmap.town_seeds) and t < 3)
    unit_of_village: dict[int, int] = {}
    for t in sorted(villages_of_town):
        street = t < n_streets
        kind = UnitKind.STREET if street else UnitKind.TOWN
        tid = add_unit(
            conn,
            kind=kind,
            code=f"town{t + 1:02d}",
            name=next(street_names) if street else namer.town(),
            parent_id=org.county,
        )
        org.towns.append(tid)
        if street:
            org.streets.add(tid)
        org.villages_of[tid] = []
        for k, v in enumerate(sorted(villages_of_town[t])):
            vkind = UnitKind.COMMUNITY if street else UnitKind.VILLAGE
            vname = namer.community() if street else namer.village()
            vid = add_unit(
                conn, kind=vkind, code=f"town{t + 1:02d}v{k + 1:02d}", name=vname, parent_id=tid
            )
            unit_of_village[v] = vid
            org.villages_of[tid].append(vid)
            org.town_of_village[vid] = tid
            org.grids_of[vid] = []
            for g, cell in enumerate(sorted(cells_of_village[v])):
                gid = add_unit(
                    conn,
                    kind=UnitKind.GRID,
                    code=f"town{t + 1:02d}v{k + 1:02d}g{g + 1}",
                    name=f"{vname}第{g + 1}网格",
                    parent_id=vid,
                    polygon=polygon(lat.quad(cell)),
                )
                org.grids_of[vid].append(gid)
                org.village_of_grid[gid] = vid
                # streets are dense: more people, more requests per grid
                org.weight_of_grid[gid] = (3.5 if street else 1.0) * rng.uniform(0.6, 1.4)
                _addresses(org, rng, lat, cell, gid, vname, street)
    _special_grids(conn, org, rng, namer, cmap)
    _staff(conn, org, namer, now)
    conn.execute(
        insert(std_addresses),
        [
            {
                "address": a.text,
                "normalized": normalize(a.text),
                "unit_id": a.grid,
                "lon": a.lon,
                "lat": a.lat,
            }
            for a in org.addresses
        ],
    )
    return org


def _addresses(
    org: DemoOrg, rng: random.Random, lat: object, cell: Cell, gid: int, vname: str, street: bool
) -> None:
    for _ in range(6 if street else 4):
        lon, la = lat.point_in(cell, rng.uniform(0.15, 0.85), rng.uniform(0.15, 0.85))  # type: ignore[attr-defined]
        if street:
            text = f"{rng.choice(ROADS)}{rng.randint(1, 399)}号{rng.randint(1, 30)}栋"
        else:
            text = f"{vname}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
        org.addresses.append(Address(text, gid, lon, la))


def _special_grids(
    conn: Connection, org: DemoOrg, rng: random.Random, namer: Namer, cmap: CountyMap
) -> None:
    """Schools and enterprises: small special grids inside comprehensive ones."""
    grid_addresses: dict[int, list[Address]] = defaultdict(list)
    for a in org.addresses:
        grid_addresses[a.grid].append(a)
    picks = rng.sample(sorted(grid_addresses), 40)
    for n, gid in enumerate(picks):
        a = grid_addresses[gid][0]
        vid = org.village_of_grid[gid]
        vname = conn.execute(select(units.c.name).where(units.c.id == vid)).scalar_one()
        name = namer.school(vname) if n % 2 == 0 else namer.company()
        half = 0.0012
        ring = [
            (a.lon - half, a.lat - half),
            (a.lon + half, a.lat - half),
            (a.lon + half, a.lat + half),
            (a.lon - half, a.lat + half),
        ]
        sid = add_unit(
            conn,
            kind=UnitKind.GRID,
            code=f"special{n + 1:02d}",
            name=f"{name}专属网格",
            parent_id=vid,
            grid_kind=GridKind.SPECIAL,
            polygon=polygon(ring),
        )
        org.special_grids.append(sid)
        org.village_of_grid[sid] = vid
        org.addresses.append(Address(name, sid, a.lon, a.lat))


def _staff(conn: Connection, org: DemoOrg, namer: Namer, now: datetime) -> None:
    u = _Users(conn, namer, now)
    c = org.county
    org.centre = {
        "duty": [u.add(f"duty{i:02d}", c, Role.DUTY_OFFICER) for i in range(1, 7)],
        "dispatcher": [
            u.add(f"dispatch{i:02d}", c, Role.DISPATCHER, Role.DUTY_OFFICER) for i in (1, 2)
        ],
        "supervisor": [u.add(f"supervisor{i:02d}", c, Role.SUPERVISOR) for i in (1, 2, 3)],
        "leader": [u.add("leader01", c, Role.LEADER)],
        "trainer": [u.add("trainer01", c, Role.TRAINER)],
        "admin": [u.add("admin", c, Role.ADMIN)],
        "wall": [u.add("wall01", c, Role.WALL)],
    }
    for code, dept in org.departments.items():
        org.handler[dept] = u.add(f"d_{code.split(':')[1]}", dept, Role.HANDLER)
    for n, town in enumerate(org.towns, 1):
        org.town_centre[town] = u.add(
            f"t{n:02d}", town, Role.DUTY_OFFICER, Role.DISPATCHER, Role.HANDLER
        )
        org.handler[town] = org.town_centre[town]
        org.town_supervisor[town] = u.add(f"t{n:02d}sup", town, Role.SUPERVISOR)
        for k, village in enumerate(org.villages_of[town], 1):
            org.handler[village] = u.add(f"t{n:02d}v{k:02d}", village, Role.HANDLER)
            for g, grid in enumerate(org.grids_of[village], 1):
                org.handler[grid] = u.add(f"t{n:02d}v{k:02d}g{g}", grid, Role.HANDLER)
    for n, grid in enumerate(org.special_grids, 1):
        org.handler[grid] = u.add(f"sp{n:02d}", grid, Role.HANDLER)
    org.users = u.count
