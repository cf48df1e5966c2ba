"""A small test county: 2 towns, 4 villages, 8 grids (+1 special), 4 departments, staff.

Square polygons around 118.5°E 33.0°N. Built once per session into a template database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection

from core.auth import create_user, hash_password
from core.domain.enums import GridKind, Role, UnitKind
from core.org import add_unit

PASSWORD = "correct-horse-1"
X0, Y0, SIZE = 118.40, 32.90, 0.20


def box(x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


@dataclass
class County:
    units: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)


def build_county(conn: Connection) -> County:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    c = County()
    u = c.units
    u["county"] = add_unit(
        conn,
        kind=UnitKind.COUNTY,
        code="county",
        name="测试县",
        polygon=box(X0, Y0, X0 + SIZE, Y0 + SIZE),
    )
    for dept, name in (
        ("police", "县公安局"),
        ("civil", "县民政局"),
        ("hrss", "县人社局"),
        ("urban", "县城管局"),
    ):
        u[dept] = add_unit(
            conn,
            kind=UnitKind.DEPARTMENT,
            code=f"dept:{dept}",
            name=name,
            parent_id=u["county"],
            level=1,
        )
    half = SIZE / 2
    quarter = SIZE / 4
    for t in range(2):  # towns split the county west/east
        tx = X0 + t * half
        town = f"town{t + 1}"
        u[town] = add_unit(
            conn,
            kind=UnitKind.TOWN,
            code=town,
            name=f"第{t + 1}镇",
            parent_id=u["county"],
            polygon=box(tx, Y0, tx + half, Y0 + SIZE),
        )
        for v in range(2):  # villages split the town south/north
            vy = Y0 + v * half
            village = f"{town}v{v + 1}"
            u[village] = add_unit(
                conn,
                kind=UnitKind.VILLAGE,
                code=village,
                name=f"{t + 1}镇{v + 1}村",
                parent_id=u[town],
                polygon=box(tx, vy, tx + half, vy + half),
            )
            for g in range(2):  # grids split the village west/east
                gx = tx + g * quarter
                grid = f"{village}g{g + 1}"
                u[grid] = add_unit(
                    conn,
                    kind=UnitKind.GRID,
                    code=grid,
                    name=f"{t + 1}-{v + 1}-{g + 1}网格",
                    parent_id=u[village],
                    polygon=box(gx, vy, gx + quarter, vy + half),
                )
    # A school's special grid inside town1v1g1.
    u["school"] = add_unit(
        conn,
        kind=UnitKind.GRID,
        code="school",
        name="实验小学专属网格",
        parent_id=u["town1v1"],
        grid_kind=GridKind.SPECIAL,
        polygon=box(X0 + 0.01, Y0 + 0.01, X0 + 0.03, Y0 + 0.03),
    )
    pw = hash_password(PASSWORD)

    def user(name: str, unit: str, *roles: Role) -> None:
        c.users[name] = create_user(
            conn,
            username=name,
            display_name=name,
            unit_id=u[unit],
            password="",
            roles=roles,
            now=now,
            password_hash=pw,
        )

    user("duty", "county", Role.DUTY_OFFICER)
    user("dispatcher", "county", Role.DISPATCHER, Role.DUTY_OFFICER)
    user("supervisor", "county", Role.SUPERVISOR)
    user("leader", "county", Role.LEADER)
    user("wall", "county", Role.WALL)
    user("admin", "county", Role.ADMIN)
    user("town1_duty", "town1", Role.DUTY_OFFICER, Role.DISPATCHER, Role.HANDLER)
    for key in (
        "town1",
        "town2",
        "town1v1",
        "town1v2",
        "town2v1",
        "town1v1g1",
        "police",
        "civil",
        "hrss",
        "urban",
    ):
        user(f"h_{key}", key, Role.HANDLER)
    user("trainer", "county", Role.TRAINER)
    return c


# Points inside particular units (WGS-84).
POINTS = {
    "town1v1g1": (X0 + 0.04, Y0 + 0.05),
    "school": (X0 + 0.02, Y0 + 0.02),
    "town1v1g2": (X0 + 0.07, Y0 + 0.05),
    "town2v1g1": (X0 + 0.12, Y0 + 0.05),
    "outside": (X0 - 0.5, Y0),
}
