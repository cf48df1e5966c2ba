"""The organisation tree: county → town/street → village/community → grid, plus departments.

A unit's level is stored, not derived, so a city can add a level above the county.
Tier of an order = level of its handling unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, insert, select, update

from core.domain.enums import TERRITORIAL_KINDS, GridKind, Role, UnitKind
from core.domain.ids import UnitId
from core.errors import FieldError, NotFound, ValidationError
from core.geo import GridIndex, GridShape, Polygon
from core.storage.schema import units, user_roles, users


@dataclass(frozen=True)
class Unit:
    id: UnitId
    parent_id: UnitId | None
    kind: UnitKind
    level: int
    code: str
    name: str
    path: str
    grid_kind: GridKind | None = None
    polygon: Mapping[str, Any] | None = None
    active: bool = True

    @property
    def territorial(self) -> bool:
        return self.kind in TERRITORIAL_KINDS


def is_within(path: str, ancestor_path: str) -> bool:
    """True when the unit at ``path`` is the unit at ``ancestor_path`` or below it."""
    return path.startswith(ancestor_path)


class OrgDirectory:
    """An in-memory copy of the unit table; cheap to consult on every action."""

    def __init__(self, rows: Iterable[Unit]) -> None:
        self._by_id: dict[int, Unit] = {}
        self._by_code: dict[str, Unit] = {}
        self._children: dict[int | None, list[Unit]] = {}
        self._top_below: dict[int, int] = {}
        for u in rows:
            self._by_id[u.id] = u
            self._by_code[u.code] = u
            self._children.setdefault(u.parent_id, []).append(u)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, unit_id: int) -> Unit:
        try:
            return self._by_id[unit_id]
        except KeyError:
            raise NotFound("unit_not_found", unit_id=unit_id) from None

    def find(self, unit_id: int | None) -> Unit | None:
        return None if unit_id is None else self._by_id.get(unit_id)

    def by_code(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    def children(self, unit_id: int | None) -> list[Unit]:
        return list(self._children.get(unit_id, []))

    def roots(self) -> list[Unit]:
        return self.children(None)

    def all(self) -> list[Unit]:
        return list(self._by_id.values())

    def within(self, unit_id: int, ancestor_id: int) -> bool:
        return is_within(self.get(unit_id).path, self.get(ancestor_id).path)

    def top_level_below(self, unit_id: int) -> int:
        """The highest tier (smallest level) among the units under ``unit_id``."""
        if unit_id not in self._top_below:
            path = self.get(unit_id).path
            levels = [
                u.level for u in self._by_id.values() if u.path.startswith(path) and u.id != unit_id
            ]
            self._top_below[unit_id] = min(levels, default=self.get(unit_id).level + 1)
        return self._top_below[unit_id]

    def ancestors(self, unit_id: int) -> list[Unit]:
        """From the unit itself up to its root."""
        out: list[Unit] = []
        cur: Unit | None = self.get(unit_id)
        while cur is not None:
            out.append(cur)
            cur = self.find(cur.parent_id)
        return out

    def territory_root(self) -> Unit | None:
        """The top territorial unit: the county (or the city, when one is configured)."""
        for r in self.roots():
            if r.territorial:
                return r
        return None

    @cached_property
    def grid_index(self) -> GridIndex:
        shapes = [
            GridShape(u.id, u.grid_kind or GridKind.COMPREHENSIVE, Polygon.from_json(u.polygon))
            for u in self._by_id.values()
            if u.kind == UnitKind.GRID and u.polygon is not None and u.active
        ]
        return GridIndex(shapes)

    @cached_property
    def boundary(self) -> Polygon | None:
        root = self.territory_root()
        return Polygon.from_json(root.polygon) if root and root.polygon else None

    def contains_point(self, lon: float, lat: float) -> bool:
        """Inside the county: its boundary when it has one, else any grid."""
        if self.boundary is not None:
            return self.boundary.contains((lon, lat))
        return self.grid_index.locate((lon, lat)) is not None


def _row_to_unit(row: Any) -> Unit:
    return Unit(
        UnitId(row.id),
        UnitId(row.parent_id) if row.parent_id is not None else None,
        UnitKind(row.kind),
        row.level,
        row.code,
        row.name,
        row.path,
        GridKind(row.grid_kind) if row.grid_kind else None,
        row.polygon,
        row.active,
    )


def load_org(conn: Connection) -> OrgDirectory:
    return OrgDirectory(_row_to_unit(r) for r in conn.execute(select(units).order_by(units.c.id)))


def add_unit(
    conn: Connection,
    *,
    kind: UnitKind,
    code: str,
    name: str,
    parent_id: int | None = None,
    level: int | None = None,
    grid_kind: GridKind | None = None,
    polygon: Mapping[str, Any] | None = None,
) -> UnitId:
    """Create a unit. Its level defaults to one below its parent's (1 for a root)."""
    errors: list[FieldError] = []
    parent = None
    if parent_id is not None:
        parent = conn.execute(select(units).where(units.c.id == parent_id)).first()
        if parent is None:
            errors.append(FieldError("parent_id", "unknown_unit", {"value": parent_id}))
    if not code.strip():
        errors.append(FieldError("code", "empty"))
    elif conn.execute(select(units.c.id).where(units.c.code == code)).first():
        errors.append(FieldError("code", "duplicate", {"value": code}))
    if not name.strip():
        errors.append(FieldError("name", "empty"))
    if kind == UnitKind.GRID and polygon is None:
        errors.append(FieldError("polygon", "grid_needs_polygon"))
    if polygon is not None:
        try:
            Polygon.from_json(polygon)
        except ValueError as exc:
            errors.append(FieldError("polygon", "bad_polygon", {"error": str(exc)}))
    if errors:
        raise ValidationError(errors)
    if level is None:
        level = parent.level + 1 if parent is not None else 1
    new_id = conn.execute(
        insert(units)
        .values(
            parent_id=parent_id,
            kind=kind.value,
            level=level,
            code=code,
            name=name,
            path="",
            grid_kind=(grid_kind or GridKind.COMPREHENSIVE).value
            if kind == UnitKind.GRID
            else None,
            polygon=dict(polygon) if polygon is not None else None,
            active=True,
        )
        .returning(units.c.id)
    ).scalar_one()
    path = f"{parent.path if parent is not None else '/'}{new_id}/"
    conn.execute(update(units).where(units.c.id == new_id).values(path=path))
    return UnitId(new_id)


def grid_workers(conn: Connection, grid_id: int) -> list[tuple[str, str | None]]:
    """The grid's workers (网格员: its active handlers), as (name, phone), by name."""
    rows = conn.execute(
        select(users.c.display_name, users.c.phone)
        .join(user_roles, user_roles.c.user_id == users.c.id)
        .where(
            users.c.unit_id == grid_id,
            users.c.active.is_(True),
            user_roles.c.role == Role.HANDLER.value,
        )
        .order_by(users.c.display_name)
    ).all()
    return [(r.display_name, r.phone) for r in rows]
