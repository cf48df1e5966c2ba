"""Migrations build exactly the schema the code declares, and a client refuses any other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from core.errors import SchemaMismatch
from core.storage import migrate
from core.storage.db import create_db_engine
from core.storage.schema import DATABASE_ONLY, metadata
from core.store import open_store

ROOT = Path(__file__).resolve().parents[2]


def _not_database_only(obj: object, name: str | None, kind: str, *_: object) -> bool:
    table = getattr(obj, "table", None)
    owner = name if kind == "table" else getattr(table, "name", None)
    return owner not in DATABASE_ONLY


def test_migrations_match_the_declared_schema(db_url: str) -> None:
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": _not_database_only}
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    engine.dispose()
    assert diffs == []


def test_the_database_is_at_this_clients_revision(db_url: str) -> None:
    engine = create_db_engine(db_url)
    assert migrate.database_revision(engine) == migrate.code_revision()
    migrate.check_schema(engine)
    engine.dispose()


@pytest.mark.parametrize(("stamp", "code"), [("9999_from_the_future", "schema_newer")])
def test_a_client_refuses_another_revision(db_url: str, stamp: str, code: str) -> None:
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": stamp})
    engine.dispose()
    with pytest.raises(SchemaMismatch) as err:
        open_store(db_url)
    assert err.value.code == code and err.value.params["database"] == stamp


def test_an_empty_database_is_refused_unless_asked_to_create(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    with pytest.raises(SchemaMismatch) as err:
        open_store(url)
    assert err.value.code == "schema_missing"
    store = open_store(url, create=True)
    assert store.settings()["database_kind"] == "live"
    assert len(store.reference().categories) == 628
    store.engine.dispose()


def run_main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_db_upgrade_command_is_idempotent(tmp_path: Path) -> None:
    db = str(tmp_path / "cli.sqlite3")
    first = run_main("--db", db, "db", "upgrade")
    assert first.returncode == 0, first.stderr
    assert "categories 628" in first.stdout
    second = run_main("--db", db, "db", "upgrade")
    assert second.returncode == 0 and "categories 0" in second.stdout
    check = run_main("--db", db, "db", "check")
    assert check.returncode == 0 and "ok" in check.stdout


def test_cli_reports_bad_arguments_and_missing_schema(tmp_path: Path) -> None:
    bad = run_main("calendar", "set", "2027-02-30", "work")
    assert bad.returncode == 2 and "not a date" in bad.stderr
    empty = run_main("--db", str(tmp_path / "empty.sqlite3"), "info")
    assert empty.returncode == 1 and "db upgrade" in empty.stderr
