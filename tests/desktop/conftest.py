"""Qt test setup: the database fixtures of tests/core, a qasync loop that pytest-qt's
waits drive, the two lanes, and autouse guards that fail a test leaving windows, timers,
tasks or unreported errors behind (napari's conftest does the same for windows and timers).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError
from pytestqt.qtbot import QtBot

from desktop import errors, i18n, theme
from desktop.app import FONT_FAMILIES, FONT_POINTS
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from tests.core.conftest import (  # noqa: F401 - re-exported fixtures
    actors,
    backend,
    clock,
    county,
    db_url,
    fresh_db,
    pg_server,
    pg_template,
    sqlite_template,
    store,
    svc,
)

# The offscreen platform cannot pass size hints to a window system it does not have.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/desktop" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture(scope="session", autouse=True)
def _styled_app(qapp: QApplication) -> None:
    """The application as desktop.app.configure sets it up, minus the translator."""
    from PySide6.QtGui import QFont

    qapp.setFont(QFont(FONT_FAMILIES, FONT_POINTS))
    theme.apply(qapp)


@pytest.fixture(scope="session")
def _qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    # Synchronous tests, one loop "already running" inside Qt's: qtbot.wait* spins Qt,
    # which runs qasync's timers and callbacks (STACK.md).
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)
    yield loop
    # Never loop.stop(): it sets Qt's quit flag and every later qtbot.wait* returns at once.
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]  # else close() refuses
    loop.close()


@pytest.fixture
def loop(_qasync_loop: qasync.QEventLoop, qtbot: QtBot) -> Iterator[qasync.QEventLoop]:
    asyncio.events._set_running_loop(_qasync_loop)
    asyncio.set_event_loop(_qasync_loop)
    try:
        yield _qasync_loop

        def pending() -> list[asyncio.Task[object]]:
            return [t for t in asyncio.all_tasks(_qasync_loop) if not t.done()]

        try:
            qtbot.waitUntil(lambda: not pending(), timeout=3000)
        except TimeoutError:
            left = pending()
            for task in left:
                task.cancel()
            pytest.fail(f"tasks left running after the test: {left}")
    finally:
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


@pytest.fixture
def lanes(loop: qasync.QEventLoop) -> Iterator[Lanes]:
    lanes = Lanes()
    yield lanes
    lanes.shutdown(wait=True)


@pytest.fixture
def settings(tmp_path: Path) -> AppSettings:
    return AppSettings.at(tmp_path / "settings.ini")


@pytest.fixture
def zh(qapp: QApplication) -> Iterator[None]:
    installed = i18n.install(qapp, "zh")
    yield
    i18n.uninstall(qapp, installed)


# --- guards ------------------------------------------------------------------------------


@pytest.fixture
def reported_errors() -> list[BaseException]:
    """Errors that reached the one error path; a test that expects some clears the list."""
    return []


@pytest.fixture(autouse=True)
def _errors_fail_the_test(reported_errors: list[BaseException]) -> Iterator[None]:
    previous = errors.set_reporter(reported_errors.append)
    yield
    errors.set_reporter(previous)
    if reported_errors:
        pytest.fail(f"errors reached the error path: {reported_errors!r}")


@pytest.fixture(autouse=True)
def _no_timers_left(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    started: list[weakref.ref[QTimer]] = []
    original = QTimer.start

    def start(self: QTimer, *args: object) -> None:
        started.append(weakref.ref(self))
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(QTimer, "start", start)
    yield
    running = [
        t for ref in started if (t := ref()) is not None and shiboken6.isValid(t) and t.isActive()
    ]
    for timer in running:
        timer.stop()
    if running:
        pytest.fail(f"{len(running)} QTimer(s) left running after the test")


@pytest.fixture(autouse=True)
def _no_windows_left(qapp: QApplication) -> Iterator[None]:
    before = set(qapp.topLevelWidgets())
    yield
    QApplication.processEvents()
    left = [w for w in qapp.topLevelWidgets() if w.isVisible() and w not in before]
    for widget in left:
        widget.close()
    if left:
        names = ", ".join(type(w).__name__ for w in left)
        pytest.fail(f"top-level windows left open after the test: {names}")
