"""First run: an empty database gets the schema and the demo county, with progress shown;
a database that has an organisation goes straight to the login."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from core.storage.schema import settings, units
from core.store import Store
from desktop.feed import load_demo
from desktop.lanes import Lanes
from desktop.startup import Progress, prepare_database
from desktop.views.demo_progress import DemoProgressDialog

T = TypeVar("T")


def run(qtbot: QtBot, coro: Coroutine[Any, Any, T], timeout: int = 60_000) -> T:
    task = asyncio.ensure_future(coro)
    qtbot.waitUntil(task.done, timeout=timeout)
    return task.result()


@pytest.fixture
def opened() -> Iterator[list[Store]]:
    stores: list[Store] = []
    yield stores
    for store in stores:
        store.engine.dispose()


def small_demo(seen: list[tuple[str, float]]) -> Callable[[str, Progress], None]:
    def build(url: str, progress: Progress) -> None:
        from core.demo import build_demo

        def report(stage: str, fraction: float) -> None:
            seen.append((stage, fraction))
            progress(stage, fraction)

        build_demo(url, orders=40, seed=7, progress=report)

    return build


@pytest.mark.slow
def test_an_empty_database_gets_the_schema_and_a_demo_county(
    qtbot: QtBot, lanes: Lanes, tmp_path: Path, opened: list[Store]
) -> None:
    pytest.importorskip("core.demo")
    shown: list[tuple[str, int]] = []
    original = DemoProgressDialog.show_progress

    def spy(self: DemoProgressDialog, stage: str, fraction: float) -> None:
        original(self, stage, fraction)
        shown.append((self.stage.text(), self.bar.value()))

    seen: list[tuple[str, float]] = []
    url = f"sqlite:///{tmp_path / 'first-run.sqlite3'}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(DemoProgressDialog, "show_progress", spy)
        store = run(qtbot, prepare_database(url, lanes, build=small_demo(seen)))
    opened.append(store)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(units)).scalar_one() > 100
        assert conn.execute(select(settings.c.key).where(settings.c.key == "demo_county")).first()
    assert seen and seen[-1] == ("done", 1.0)
    assert shown, "the worker's progress reached the dialog on the UI thread"
    assert shown[-1] == ("Finished.", 1000)
    demo = load_demo(store)
    assert demo is not None and demo.password and len(demo.users) > 10
    progress = [w for w in QApplication.topLevelWidgets() if isinstance(w, DemoProgressDialog)]
    assert not [w for w in progress if w.isVisible()]


def test_a_database_with_an_organisation_goes_straight_to_login(
    qtbot: QtBot, lanes: Lanes, db_url: str, opened: list[Store]
) -> None:
    def never(url: str, progress: Progress) -> None:
        raise AssertionError("no demo on a database that has units")

    store = run(qtbot, prepare_database(db_url, lanes, build=never))
    opened.append(store)
    assert load_demo(store) is None


def test_the_progress_dialog_names_stages_and_cannot_be_closed_early(qtbot: QtBot) -> None:
    dialog = DemoProgressDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_progress("orders", 0.5)
    assert dialog.bar.value() == 500
    assert dialog.stage.text() == "Creating work orders and their history…"
    dialog.show_progress("mystery", 2.0)
    assert dialog.stage.text() == "Building the demo county (mystery)…"
    assert dialog.bar.value() == 1000
    dialog.close()
    dialog.reject()
    assert dialog.isVisible()
    dialog.finish()
    assert not dialog.isVisible()
