"""The drill database (issue 9): made from the live organisation, a drill of its own,
and the live database never written ("the live database file is byte-identical after a
drill"). On SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

import main
from core.analytics import DrillDatabase, compute
from core.auth import load_actor, login
from core.clock import ManualClock
from core.demo import build_demo
from core.domain.actor import Actor
from core.domain.enums import UnitKind
from core.drill import database as drilldb
from core.drill.database import (
    DrillError,
    NotADrillDatabase,
    create_drill_database,
    drop_drill_database,
    is_drill,
    require_drill,
)
from core.errors import SchemaMismatch
from core.org import add_unit
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import (
    calendar_overrides,
    counters,
    events,
    metadata,
    settings,
    std_addresses,
    units,
    users,
)
from core.store import Store, open_store
from core.wall.figures import read_figures
from core.wall.model import Scope
from core.workflow.intake import OrderDraft
from tests.core.conftest import PgServer, sh
from tests.core.county import PASSWORD, POINTS, County

CATEGORY = "db44t2479-2024:0303:030301"
WORKLOAD = (
    "orders",
    "order_callers",
    "hops",
    "time_limits",
    "state_intervals",
    "events",
    "attachments",
    "attachment_blobs",
    "phone_reads",
    "order_locks",
    "published_periods",
    "feed_items",
    "alerts",
)
ONLY_POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
ONLY_SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def draft(lon: float, lat: float, **kw: Any) -> OrderDraft:
    base: dict[str, Any] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id=CATEGORY,
        description="路灯不亮",
        phone="13812345678",
        lon=lon,
        lat=lat,
    )
    base.update(kw)
    return OrderDraft(**base)


def plain(url: str) -> str:
    return make_url(url).set(password=None).render_as_string(hide_password=False)


def snapshot(engine: Engine) -> dict[str, Any]:
    """Row counts of every table, the last event id and the counters."""
    with read_tx(engine) as conn:
        out: dict[str, Any] = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar()
            for t in metadata.sorted_tables
        }
        out["max_event"] = conn.execute(select(func.max(events.c.id))).scalar()
        out["counters"] = dict(conn.execute(select(counters.c.name, counters.c.value)).all())
    return out


def rows(engine: Engine, table: Any) -> list[dict[str, Any]]:
    with read_tx(engine) as conn:
        q = select(table).order_by(*table.primary_key.columns)
        return [dict(r._mapping) for r in conn.execute(q)]


@pytest.fixture
def drill_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a drill database may be made (nothing there yet); removed after the test."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'drill.sqlite3'}"
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"{server.prefix}_drill_{next(server.counter)}"
    yield server.url_for(name)
    server.drop(name)


@pytest.fixture
def live(svc: OrderService, actors: dict[str, Actor], county: County) -> Store:
    """The live county at work: orders in several states, an address book, a calendar
    override set by a user, a login role and the early-warning job's cursor."""
    store = svc.store
    for i in range(3):
        res = svc.register(actors["duty"], draft(*POINTS["town1v1g1"], description=f"路灯{i}"))
        if i:
            svc.dispatch(actors["dispatcher"], res.order_id, county.units["town1"])
    with write_tx(store.engine) as conn:
        grid = county.units["town1v1g1"]
        conn.execute(
            insert(std_addresses),
            [
                {"address": f"幸福路{n}号", "normalized": f"幸福路{n}号", "unit_id": grid}
                | dict(zip(("lon", "lat"), POINTS["town1v1g1"], strict=True))
                for n in range(1, 6)
            ],
        )
        conn.execute(
            insert(calendar_overrides).values(
                day=date(2025, 5, 6),
                working=False,
                note="调休",
                set_by=county.users["admin"],
                set_at=datetime(2025, 1, 2, tzinfo=UTC),
            )
        )
        conn.execute(update(users).where(users.c.username == "duty").values(db_role="cc_live_duty"))
        conn.execute(insert(settings).values(key="early_warning", value={"checked_at": "x"}))
    return store


# --- what a drill database holds -------------------------------------------------------


def test_a_drill_has_the_organisation_and_no_workload(
    live: Store, drill_url: str, county: County
) -> None:
    before = snapshot(live.engine)
    made = sh(2025, 3, 3, 10, 0)
    info = create_drill_database(live.url, drill_url, name="春季演练", now=made)
    assert info.name == "春季演练" and info.created_at == made
    assert info.url == plain(drill_url) and info.source == plain(live.url)

    drill = open_store(drill_url, clock=ManualClock(sh(2025, 3, 4, 9, 0)))
    try:
        # The organisation and reference data, row for row (login roles stay live's).
        for table in drilldb.COPIED:
            want = rows(live.engine, table)
            if table is users:
                assert any(r["db_role"] for r in want)
                want = [r | {"db_role": None} for r in want]
            assert rows(drill.engine, table) == want, table.name
            assert info.copied[table.name] == len(want)
        assert info.copied["std_addresses"] == 5 and info.copied["calendar_overrides"] > 0
        assert all(r["polygon"] for r in rows(drill.engine, units) if r["kind"] == "grid")
        # No workload at all.
        got = snapshot(drill.engine)
        assert {name: got[name] for name in WORKLOAD} == dict.fromkeys(WORKLOAD, 0)
        assert set(got["counters"].values()) == {0}
        conf = drill.settings()
        assert conf["database_kind"] == "drill" and conf["drill_name"] == "春季演练"
        assert datetime.fromisoformat(str(conf["drill_created_at"])) == made
        assert conf["drill_source"] == plain(live.url)
        assert conf["timezone"] == "Asia/Shanghai" and "early_warning" not in conf
        assert live.settings()["database_kind"] == "live"
        assert is_drill(drill) and is_drill(drill.engine) and not is_drill(live)
        with drill.engine.connect() as conn:
            assert is_drill(conn)
        require_drill(drill)

        # A trainee logs in with the live password; assessment refuses the drill and
        # the wall says it is one.
        with read_tx(drill.engine) as conn:
            trainee = login(conn, "h_town1", PASSWORD)
            duty, dispatcher = (load_actor(conn, county.users[n]) for n in ("duty", "dispatcher"))
        assert trainee.unit_id == county.units["town1"]
        with pytest.raises(DrillDatabase):
            compute(drill.engine, period="2025-03", as_of=sh(2025, 4, 2, 0, 0))
        assert read_figures(drill, Scope()).drill is True
        assert read_figures(live, Scope()).drill is False

        # The trainees' work: ids start afresh; new units take ids after the copied ones.
        svc = OrderService(drill)
        res = svc.register(duty, draft(*POINTS["town1v1g1"]))
        hop = svc.dispatch(dispatcher, res.order_id, county.units["town1"]).value[0]
        svc.accept(trainee, res.order_id, hop)
        assert res.value == "2025-000001"
        with read_tx(drill.engine) as conn:
            assert list(conn.execute(select(events.c.id).order_by(events.c.id)).scalars()) == [
                1,
                2,
                3,
            ]
        with write_tx(drill.engine) as conn:
            new = add_unit(
                conn, kind=UnitKind.DEPARTMENT, code="dept:drill", name="演练部门", level=1
            )
        assert new > max(county.units.values())
    finally:
        drill.engine.dispose()

    dropped = drop_drill_database(drill_url)
    assert dropped.name == "春季演练" and dropped.roles == ()
    with pytest.raises(DrillError) as missing:
        drop_drill_database(drill_url)
    assert missing.value.code == "drill_missing"
    # Nothing of the drill reached the live database.
    assert snapshot(live.engine) == before


def sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def test_the_live_sqlite_file_is_byte_identical_after_a_drill(tmp_path: Path) -> None:
    live_path = tmp_path / "live.sqlite3"
    live_url = f"sqlite:///{live_path}"
    build_demo(live_url, orders=300, end=datetime(2026, 3, 1, tzinfo=UTC))
    # The live database stays open, as a workstation keeps it, with its WAL checkpointed.
    live = open_store(live_url)
    wal = live_path.with_name(live_path.name + "-wal")
    try:
        with live.engine.connect() as conn:
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        assert busy == 0
        before = sha256(live_path), sha256(wal)
        counts = snapshot(live.engine)

        drill_url = f"sqlite:///{tmp_path / 'drill.sqlite3'}"
        info = create_drill_database(live_url, drill_url, name="春季演练")
        assert info.copied["units"] == counts["units"] > 100
        assert info.copied["users"] == counts["users"] and counts["orders"] > 250
        drill = open_store(drill_url)
        try:
            with read_tx(drill.engine) as conn:
                duty = login(conn, "duty01", "demo1234")
                dispatcher = login(conn, "dispatch01", "demo1234")
                lon, lat, unit_id = conn.execute(
                    select(std_addresses.c.lon, std_addresses.c.lat, std_addresses.c.unit_id)
                    .order_by(std_addresses.c.id)
                    .limit(1)
                ).one()
            org = drill.reference().org
            town = next(
                u for u in org.ancestors(unit_id) if u.kind in (UnitKind.TOWN, UnitKind.STREET)
            )
            svc = OrderService(drill)
            for i in range(5):
                res = svc.register(duty, draft(lon, lat, description=f"演练工单{i}"))
                svc.dispatch(dispatcher, res.order_id, town.id)
            assert snapshot(drill.engine)["orders"] == 5
        finally:
            drill.engine.dispose()
        drop_drill_database(drill_url)
        assert not any(tmp_path.glob("drill.sqlite3*"))

        # The test: the live file's bytes, and its WAL's, are what they were.
        assert (sha256(live_path), sha256(wal)) == before
        assert snapshot(live.engine) == counts
    finally:
        live.engine.dispose()
    assert sha256(live_path) == before[0]


@ONLY_POSTGRES
def test_a_role_without_createdb_is_told_which_right_it_lacks(
    pg_server: PgServer, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    role = f"{pg_server.prefix}_nocreatedb"
    target = f"{pg_server.prefix}_denied"
    with pg_server.admin.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN NOCREATEDB'))
    try:
        drill_url = (
            make_url(pg_server.url_for(target))
            .set(username=role, password=None)
            .render_as_string(hide_password=False)
        )
        with pytest.raises(DrillError) as refused:
            create_drill_database(db_url, drill_url, name="x")
        assert refused.value.code == "createdb_required"
        assert refused.value.params == {"role": role, "right": "CREATEDB"}
        assert (
            main.main(["drill", "create", "--from", db_url, "--to", drill_url, "--name", "x"]) == 2
        )
        err = capsys.readouterr().err
        assert "CREATEDB" in err and role in err and len(err.strip().splitlines()) == 1
        with pg_server.admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target}
            )
            assert found.first() is None
    finally:
        with pg_server.admin.connect() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


@ONLY_POSTGRES
def test_dropping_a_drill_drops_its_own_login_roles(
    db_url: str, drill_url: str, pg_server: PgServer
) -> None:
    from core.storage import dbroles

    create_drill_database(db_url, drill_url, name="roles")
    engine = open_store(drill_url).engine
    try:
        with write_tx(engine) as conn:
            role, _ = dbroles.create_role(conn, "h_town1")
    finally:
        engine.dispose()
    dropped = drop_drill_database(drill_url)
    assert role in dropped.roles and len(dropped.roles) == 2
    with pg_server.admin.connect() as conn:
        names = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
    assert not names & set(dropped.roles)


# --- refusals --------------------------------------------------------------------------


def code_of(call: Any, *args: Any, **kw: Any) -> str:
    with pytest.raises(DrillError) as refused:
        call(*args, **kw)
    return refused.value.code


def test_refusals(live: Store, drill_url: str, fresh_db: Any) -> None:
    before = snapshot(live.engine)
    assert code_of(create_drill_database, live.url, live.url, name="x") == "drill_same_database"
    assert code_of(create_drill_database, live.url, drill_url, name="  ") == "drill_name_required"
    other = fresh_db()  # another database that exists (a second county, say)
    assert code_of(create_drill_database, live.url, other, name="x") == "drill_target_exists"
    assert code_of(drop_drill_database, live.url) == "not_a_drill_database"
    with pytest.raises(NotADrillDatabase) as refused:
        require_drill(live)
    assert refused.value.code == "not_a_drill_database"
    assert refused.value.params == {"url": plain(live.url)}

    create_drill_database(live.url, drill_url, name="first")
    assert code_of(create_drill_database, live.url, drill_url, name="x") == "drill_target_exists"
    third = other + "_3"
    assert code_of(create_drill_database, drill_url, third, name="x") == "drill_source_is_drill"
    drop_drill_database(drill_url)
    assert snapshot(live.engine) == before
    assert live.settings()["database_kind"] == "live"


def test_the_live_database_is_opened_read_only(live: Store) -> None:
    engine = drilldb.read_only_engine(live.url)
    try:
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(update(settings).values(value="drill"))
        with pytest.raises(DBAPIError), engine.connect() as conn:
            conn.execute(update(settings).values(value="drill"))
            conn.commit()
    finally:
        engine.dispose()
    assert live.settings()["database_kind"] == "live"


@ONLY_SQLITE
def test_a_drill_is_not_made_from_a_drill_or_another_revision(live: Store, tmp_path: Path) -> None:
    first, second = (f"sqlite:///{tmp_path / n}" for n in ("d1.sqlite3", "d2.sqlite3"))
    create_drill_database(live.url, first, name="first")
    assert code_of(create_drill_database, first, second, name="x") == "drill_source_is_drill"
    assert not (tmp_path / "d2.sqlite3").exists()
    with write_tx(live.engine) as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0014'")
    with pytest.raises(SchemaMismatch) as older:
        create_drill_database(live.url, second, name="x")
    assert older.value.code == "schema_older"
    assert not (tmp_path / "d2.sqlite3").exists()
    missing = f"sqlite:///{tmp_path / 'nowhere.sqlite3'}"
    assert code_of(create_drill_database, missing, second, name="x") == "drill_source_missing"
    assert not (tmp_path / "nowhere.sqlite3").exists()


def test_a_failed_copy_leaves_no_drill_database(
    live: Store, drill_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(src: Any, dst: Any, table: Any) -> int:
        if table is users:
            raise RuntimeError("disk full")
        return real(src, dst, table)

    real = drilldb._copy_table
    monkeypatch.setattr(drilldb, "_copy_table", broken)
    with pytest.raises(RuntimeError):
        create_drill_database(live.url, drill_url, name="x")
    monkeypatch.undo()
    # Nothing there: the same target can be made afresh.
    info = create_drill_database(live.url, drill_url, name="again")
    assert info.copied["users"] > 0
    drop_drill_database(drill_url)


# --- the command -----------------------------------------------------------------------


@ONLY_SQLITE
def test_the_command(live: Store, drill_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["drill", "create", "--from", live.url, "--to", drill_url, "--name", "春季演练"]
    assert main.main(args) == 0
    out = capsys.readouterr().out
    assert "units" in out and "rows copied" in out and f"--db {plain(drill_url)}" in out
    assert "--wall" in out

    assert main.main(args) == 2
    assert "exists already" in capsys.readouterr().err
    assert main.main(["drill", "drop", live.url]) == 2
    err = capsys.readouterr().err
    assert "not a drill database" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as usage:
        main.main(["drill", "create", "--from", live.url, "--to", drill_url])
    assert usage.value.code == 2
    capsys.readouterr()
    assert main.main(["drill", "drop", drill_url]) == 0
    assert "dropped" in capsys.readouterr().out
    assert live.settings()["database_kind"] == "live"
