"""The demo county: its shape, its staff, its addresses, and orders the API would write."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.addresses import resolve
from core.demo import build_demo
from core.domain.enums import GridKind, Role, UnitKind
from core.errors import CoreError
from core.geo import Polygon
from core.org import load_org
from core.replay import differences
from core.storage.db import create_db_engine
from core.storage.schema import events, orders, settings, std_addresses, user_roles, users
from tests.core.conftest import PgServer

END = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture
def empty_db(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    made: list[str] = []
    counter = itertools.count()
    server: PgServer | None = (
        request.getfixturevalue("pg_server") if backend == "postgres" else None
    )

    def make() -> str:
        if server is None:
            return f"sqlite:///{tmp_path / f'demo{next(counter)}.sqlite3'}"
        name = f"{server.prefix}_demo_{next(server.counter)}"
        made.append(name)
        return server.create(name)

    yield make
    if server is not None:
        for name in made:
            server.drop(name)


def fingerprint(url: str) -> str:
    engine = create_db_engine(url)
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table, key in (
            (orders, orders.c.id),
            (events, events.c.id),
            (std_addresses, std_addresses.c.id),
        ):
            for row in conn.execute(select(table).order_by(key)):
                digest.update(repr(tuple(row)).encode())
    engine.dispose()
    return digest.hexdigest()


def test_the_demo_county_is_whole_and_consistent(empty_db: Callable[[], str]) -> None:
    url = empty_db()
    summary = build_demo(url, orders=400, seed=7, end=END)
    assert summary.refused == {}, summary.refused
    engine = create_db_engine(url)
    with engine.connect() as conn:
        org = load_org(conn)
        kinds = [u.kind for u in org.all()]
        assert kinds.count(UnitKind.STREET) == 3 and kinds.count(UnitKind.TOWN) == 7
        assert 140 <= kinds.count(UnitKind.VILLAGE) + kinds.count(UnitKind.COMMUNITY) <= 160
        grids = [u for u in org.all() if u.kind == UnitKind.GRID]
        special = [g for g in grids if g.grid_kind == GridKind.SPECIAL]
        assert len(grids) - len(special) == 610 and len(special) == 40
        assert kinds.count(UnitKind.DEPARTMENT) == 27
        boundary = org.boundary
        assert boundary is not None
        for g in grids:  # every grid lies inside the county outline
            assert boundary.contains(Polygon.from_json(g.polygon).centroid())
        roles = set(conn.execute(select(user_roles.c.role)).scalars())
        assert roles == {r.value for r in Role}, "users for every role"
        assert conn.execute(select(func.count()).select_from(users)).scalar_one() == summary.users
        demo = conn.execute(
            select(settings.c.value).where(settings.c.key == "demo_county")
        ).scalar_one()
        assert demo["password"] and demo["seed"] == 7
        # standard addresses resolve to their grid, and their point lies in it
        sample = conn.execute(select(std_addresses).order_by(std_addresses.c.id).limit(60)).all()
        for a in sample:
            found = resolve(conn, a.address)
            assert any(m.unit_id == a.unit_id and m.exact for m in found), a.address
            assert a.unit_id in org.grid_index.locate_all((a.lon, a.lat))
        # orders: versions 1..N, events in time order, replay equals storage
        n = conn.execute(select(func.count()).select_from(orders)).scalar_one()
        assert 380 <= n <= 400
        rows = conn.execute(
            select(events.c.id, events.c.at, events.c.order_id, events.c.order_version).order_by(
                events.c.id
            )
        ).all()
        assert [r.id for r in rows] == list(range(1, len(rows) + 1))
        assert all(a.at <= b.at for a, b in itertools.pairwise(rows)), (
            "events follow simulated time"
        )
        versions: dict[int, list[int]] = {}
        for r in rows:
            versions.setdefault(r.order_id, []).append(r.order_version)
        assert all(v == list(range(1, len(v) + 1)) for v in versions.values())
        for oid in list(versions)[::7]:
            assert differences(conn, oid) == [], oid
    engine.dispose()


def test_the_same_seed_builds_the_same_county(empty_db: Callable[[], str]) -> None:
    a, b, c = empty_db(), empty_db(), empty_db()
    build_demo(a, orders=150, seed=11, end=END)
    build_demo(b, orders=150, seed=11, end=END)
    build_demo(c, orders=150, seed=12, end=END)
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(c)


def test_a_database_with_units_is_refused(empty_db: Callable[[], str]) -> None:
    url = empty_db()
    build_demo(url, orders=0, seed=1, end=END)
    with pytest.raises(CoreError) as err:
        build_demo(url, orders=10, seed=1, end=END)
    assert err.value.code == "database_not_empty"


def test_progress_is_reported_in_order(empty_db: Callable[[], str]) -> None:
    seen: list[tuple[str, float]] = []
    build_demo(empty_db(), orders=200, seed=3, end=END, progress=lambda s, f: seen.append((s, f)))
    assert seen[0][0] == "geography" and seen[-1] == ("done", 1.0)
    fractions = [f for _, f in seen]
    assert fractions == sorted(fractions)
