"""A database opened for work: engine, schema check, clock and cached reference data."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, inspect, select

from core.calendar import DayOverride, WorkCalendar
from core.clock import Clock, ServerClock, SystemClock
from core.org import load_org
from core.policy import PolicyBook, parse_policy_document
from core.storage import migrate
from core.storage.db import create_db_engine, is_sqlite, read_tx, write_tx
from core.storage.ids import IdReserve
from core.storage.schema import calendar_overrides, categories, policy_versions, settings
from core.storage.seed import seed_reference
from core.taxonomy import Category, CategoryBook
from core.workflow.context import Reference

log = logging.getLogger(__name__)


class Store:
    def __init__(self, engine: Engine, clock: Clock | None = None) -> None:
        self.engine = engine
        if clock is None:
            clock = SystemClock() if is_sqlite(engine) else ServerClock(self._server_now)
        self.clock = clock
        self._ref: Reference | None = None
        self._lock = threading.Lock()
        # One writer at a time on SQLite: ids are allocated inside the transaction there.
        self.id_reserve = None if is_sqlite(engine) else IdReserve(engine)

    def _server_now(self) -> datetime:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.now())).scalar_one()
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def settings(self) -> dict[str, object]:
        with read_tx(self.engine) as conn:
            return {r.key: r.value for r in conn.execute(select(settings))}

    def reference(self) -> Reference:
        with self._lock:
            if self._ref is None:
                self._ref = self._load_reference()
            return self._ref

    def reload_reference(self) -> Reference:
        with self._lock:
            self._ref = self._load_reference()
            return self._ref

    def _load_reference(self) -> Reference:
        with read_tx(self.engine) as conn:
            org = load_org(conn)
            cats = CategoryBook(Category(**r._mapping) for r in conn.execute(select(categories)))
            docs = [r.document for r in conn.execute(select(policy_versions))]
            overrides = [
                DayOverride(r.day, r.working, r.note)
                for r in conn.execute(select(calendar_overrides))
            ]
            tz_name = conn.execute(
                select(settings.c.value).where(settings.c.key == "timezone")
            ).scalar()
        policy = PolicyBook(parse_policy_document({"version": docs}, "database"))
        return Reference(
            org, cats, policy, WorkCalendar(overrides), ZoneInfo(str(tz_name or "Asia/Shanghai"))
        )


def is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def open_store(
    url: str, *, create: bool = False, clock: Clock | None = None, **engine_kw: Any
) -> Store:
    """Open a database for work. ``create`` builds an empty one; any other revision
    mismatch is refused (run ``python main.py db upgrade``)."""
    engine = create_db_engine(url, **engine_kw)
    try:
        if create and migrate.database_revision(engine) is None:
            log.info("creating the schema in %s", engine.url.render_as_string(hide_password=True))
            upgrade_and_seed(engine)
        migrate.check_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, clock)


def upgrade_and_seed(engine: Engine) -> dict[str, int]:
    migrate.upgrade(engine)
    with write_tx(engine) as conn:
        return seed_reference(conn)
