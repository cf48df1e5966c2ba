"""The workstation: QApplication, font, translator, theme, the qasync loop, the two lanes,
and the flow from opening the database to the main window.

Dialogs are opened with ``open()`` and awaited through futures, never ``exec()``: a nested
event loop inside a qasync coroutine is a trap.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from core.drill.database import NotADrillDatabase, is_drill, is_drill_url
from core.storage.db import is_sqlite
from core.store import Store
from desktop import errors, i18n, theme
from desktop.feed import Session, last_event_id
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.service_runner import ServiceRunner
from desktop.settings import AppSettings
from desktop.startup import prepare_database
from desktop.views.login import LoginDialog
from desktop.views.main_window import DRILL, MainWindow

log = logging.getLogger(__name__)

FONT_FAMILIES = ["Noto Sans CJK SC", "Noto Sans", "DejaVu Sans"]
FONT_POINTS = 10
# Set by bench/bench_startup.py: the launcher's time.time(); the app reports milestones
# against it and quits once the first page is interactive (its rows or its form ready).
BENCH_ENV = "CC_BENCH_T0"
DRILL_MARK = "演练 DRILL"  # both languages: whoever reads a window title must not miss it


def configure(app: QApplication, lang: str) -> list[object]:
    """Font, theme and translators on an existing QApplication (tests use pytest-qt's)."""
    # fontconfig may pick the Japanese CJK variant; name the Simplified Chinese one.
    app.setFont(QFont(FONT_FAMILIES, FONT_POINTS))
    theme.apply(app)
    return list(i18n.install(app, lang))


def create_application(lang: str) -> QApplication:
    QApplication.setOrganizationName("CommandCenter")
    QApplication.setApplicationName("CommandCenter")
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)  # the flow below decides when to end
    configure(app, lang)
    return app


async def _finished(dialog: QDialog) -> int:
    result: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def done(code: int) -> None:
        if not result.done():
            result.set_result(code)

    dialog.finished.connect(done)
    dialog.open()
    return await result


async def _emitted(signal: SignalInstance) -> None:
    fired: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def done(*_: object) -> None:
        if not fired.done():
            fired.set_result(None)

    signal.connect(done)
    await fired


async def _fatal(exc: BaseException) -> int:
    log.error("cannot start", exc_info=(type(exc), exc, exc.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Critical, errors.title(), errors.describe(exc))
    await _finished(box)
    box.deleteLater()
    return 1


class _Bench(QObject):
    """Start-up timing for bench/bench_startup.py; inert unless CC_BENCH_T0 is set."""

    def __init__(self) -> None:
        super().__init__()
        raw = os.environ.get(BENCH_ENV)
        self.t0 = float(raw) if raw else None

    def mark(self, what: str) -> None:
        if self.t0 is not None:
            print(f"bench {what} {time.time() - self.t0:.3f}", flush=True)

    def login(self, dialog: LoginDialog) -> None:
        user = os.environ.get("CC_BENCH_USER")
        if self.t0 is not None and user:
            dialog.submit_with(user, os.environ.get("CC_BENCH_PASSWORD", ""))

    def watch(self, window: MainWindow) -> None:
        if self.t0 is None:
            return

        def ready(page: str) -> None:
            self.mark("interactive")
            self.mark(f"page_{page}")
            window.close()

        window.page_did_become_ready.connect(ready)


async def flow(url: str, lanes: Lanes, settings: AppSettings, console: bool = False) -> int:
    """Open the database, log in, run the main window until it closes. ``console``
    (``main.py --drill``): a drill database only, opening on the trainer's console."""
    bench = _Bench()
    bench.mark("loop_started")
    try:
        # --drill looks before it opens: a wrong path must not become a demo county
        if console and not await lanes.background(is_drill_url, url):
            raise NotADrillDatabase(url=url)
        store = await prepare_database(url, lanes)
        drill = await lanes.background(is_drill, store)
    except Exception as exc:
        return await _fatal(exc)
    if drill:  # every window's title says it, the login's included, beside the banners
        QApplication.setApplicationDisplayName(DRILL_MARK)
    try:
        dialog = LoginDialog(store, lanes, settings)
        bench.mark("login_dialog")
        bench.login(dialog)
        accepted = await _finished(dialog) == QDialog.DialogCode.Accepted
        await dialog.tasks.drain()
        session: Session | None = dialog.session
        dialog.deleteLater()
        if not accepted or session is None:
            return 0
        async with live(store, lanes) as hub:
            start = DRILL if console else None
            window = MainWindow(session, lanes, settings, hub, drill=drill, start_page=start)
            bench.watch(window)
            window.show()
            # The login dialog had the keyboard; give it to the window (its first page
            # puts the cursor where the work starts: the caller's number at intake).
            window.activateWindow()
            bench.mark("window_shown")
            await shown_until_closed(window)
        return 0
    finally:
        await lanes.idle()  # no query may still hold a connection of the engine we dispose
        store.engine.dispose()


@asynccontextmanager
async def live(store: Store, lanes: Lanes) -> AsyncIterator[ChangeHub]:
    """The live change hub for a window's life, and on SQLite (where nobody runs `main.py
    service`) the service's jobs in this process; both stop on the way out."""
    hub = ChangeHub.for_store(store, await lanes.background(last_event_id, store))
    hub.start()
    runner = ServiceRunner(store, lanes) if is_sqlite(store.engine) else None
    if runner is not None:
        runner.start()
    try:
        yield hub
    finally:
        hub.stop()
        if runner is not None:
            runner.stop()
            await runner.tasks.drain()


async def shown_until_closed(window: Any) -> None:
    """Wait for a shown window (``window_did_close``, ``drain``) to close, then let it go.
    What is alive by then (modules, reference data) lives as long as the app: it is kept
    out of the collector's full passes, which otherwise stall the UI thread."""
    gc.collect()
    gc.freeze()
    await _emitted(window.window_did_close)
    await window.drain()
    window.deleteLater()


def run_loop(lang: str, flow_of: Callable[[Lanes], Coroutine[Any, Any, int]]) -> int:
    """The application, its qasync loop and lanes, running ``flow_of(lanes)`` to its end."""
    import qasync  # after PySide6 (STACK.md)

    app = create_application(lang)
    errors.install()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    lanes = Lanes()
    try:
        with loop:
            return int(loop.run_until_complete(flow_of(lanes)))
    finally:
        lanes.shutdown(wait=False)


def run(url: str, lang: str = i18n.DEFAULT_LANGUAGE, console: bool = False) -> int:
    return run_loop(lang, lambda lanes: flow(url, lanes, AppSettings(), console))
