"""Database fixtures: every core test that takes ``store`` runs on a real SQLite file
and on the PostgreSQL server named by CC_TEST_DATABASE_URL.

Building a county is slow, so each backend builds a template once per session and
each test gets a copy (Anki's pylib/tests/shared.py does the same).
"""

from __future__ import annotations

import itertools
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from core.auth import load_actor
from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.storage.db import create_db_engine, write_tx
from core.store import Store, open_store, upgrade_and_seed
from tests.core.county import County, build_county

SHANGHAI = ZoneInfo("Asia/Shanghai")
PG_ENV = "CC_TEST_DATABASE_URL"


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def _build(url: str) -> County:
    engine = create_db_engine(url)
    upgrade_and_seed(engine)
    with write_tx(engine) as conn:
        county = build_county(conn)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return county


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, County]:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    return path, _build(f"sqlite:///{path}")


class PgServer:
    def __init__(self, url: str) -> None:
        self.url = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.prefix = f"cc_test_{os.getpid()}"
        self.counter = itertools.count()

    def url_for(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        suffix = f' TEMPLATE "{template}"' if template else ""
        for attempt in range(5):
            try:
                with self.admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
                break
            except OperationalError:
                # "source database is being accessed by other users": autovacuum visits the
                # template now and then; it leaves within a moment.
                if attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))
        return self.url_for(name)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests skipped: {PG_ENV} is not set")
    server = PgServer(url)
    try:
        with server.admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        pytest.skip(
            f"PostgreSQL tests skipped: {url} is not reachable ({type(exc).__name__}: {exc})"
        )
    yield server
    server.admin.dispose()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> Iterator[tuple[str, County]]:
    name = f"{pg_server.prefix}_tpl"
    county = _build(pg_server.create(name))
    yield name, county
    pg_server.drop(name)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(sh(2025, 3, 3, 9, 0))  # a Monday, far from holidays


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fresh_db(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Call it for another fresh copy of the template database; all are dropped after."""
    made: list[str] = []
    server: PgServer | None = (
        request.getfixturevalue("pg_server") if backend == "postgres" else None
    )

    def make() -> str:
        if backend == "sqlite":
            path, _ = request.getfixturevalue("sqlite_template")
            target = tmp_path / f"test{len(made)}.sqlite3"
            shutil.copyfile(path, target)
            made.append(str(target))
            return f"sqlite:///{target}"
        assert server is not None
        tpl, _ = request.getfixturevalue("pg_template")
        name = f"{server.prefix}_{next(server.counter)}"
        made.append(name)
        return server.create(name, template=tpl)

    yield make
    if server is not None:  # fetched before the yield: teardown must not request fixtures
        for name in made:
            server.drop(name)


@pytest.fixture
def db_url(fresh_db: Callable[[], str]) -> str:
    return fresh_db()


@pytest.fixture
def county(backend: str, request: pytest.FixtureRequest) -> County:
    fixture = "sqlite_template" if backend == "sqlite" else "pg_template"
    return request.getfixturevalue(fixture)[1]  # type: ignore[no-any-return]


@pytest.fixture
def store(db_url: str, clock: ManualClock) -> Iterator[Store]:
    s = open_store(db_url, clock=clock)
    yield s
    s.engine.dispose()


@pytest.fixture
def svc(store: Store) -> OrderService:
    return OrderService(store)


@pytest.fixture
def actors(store: Store, county: County) -> dict[str, Actor]:
    with store.engine.connect() as conn:
        return {name: load_actor(conn, uid) for name, uid in county.users.items()}
