"""``python main.py --wall``: the wall on its own, with no login, for the briefing room's
screen; and ``open_wall`` for the workstation's menu entry.

The wall reads what the database URL's role may read: on PostgreSQL give the briefing
room's machine a county-level role (README, "The wall"). On SQLite nobody runs
``main.py service``, so the wall runs the service jobs in-process as a workstation does
(overdue marks move its tiles); the jobs' lock keeps one runner per database.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from core.errors import CoreError
from core.storage.db import is_sqlite
from core.store import Store
from core.wall.config import WALL_FILE, load_config
from desktop import errors, i18n
from desktop.app import _emitted, _fatal, create_application
from desktop.feed import last_event_id
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.service_runner import ServiceRunner
from desktop.startup import prepare_database
from desktop.views.wall import WallWindow

log = logging.getLogger(__name__)


def show_on_screen(window: QWidget, avoid: QWidget | None = None) -> None:
    """Full screen on the last screen that is not ``avoid``'s (a second screen is the
    briefing room's), else on the primary one."""
    screens = QGuiApplication.screens()
    taken = avoid.screen() if avoid is not None else None
    others = [s for s in screens if s is not taken] or screens
    if others:
        window.setGeometry(others[-1].geometry())
    window.showFullScreen()


async def wall_flow(
    url: str, lanes: Lanes, lang: str, at: datetime | None, config_path: Path
) -> int:
    try:
        config = load_config(config_path)
        store = await prepare_database(url, lanes)
    except Exception as exc:
        return await _fatal(exc)
    try:
        hub = ChangeHub.for_store(store, await lanes.background(last_event_id, store))
        hub.start()
        runner = ServiceRunner(store, lanes) if is_sqlite(store.engine) else None
        if runner is not None:
            runner.start()
        try:
            window = WallWindow(store, lanes, hub, config, lang=lang, at=at)
            show_on_screen(window)
            gc.collect()
            gc.freeze()
            await _emitted(window.window_did_close)
            await window.drain()
            window.deleteLater()
        finally:
            hub.stop()
            if runner is not None:
                runner.stop()
                await runner.tasks.drain()
        return 0
    finally:
        await lanes.idle()
        store.engine.dispose()


def run_wall(
    url: str,
    lang: str = i18n.DEFAULT_LANGUAGE,
    at: datetime | None = None,
    config_path: Path = WALL_FILE,
) -> int:
    import qasync  # after PySide6 (STACK.md)

    app = create_application(lang)
    errors.install()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    lanes = Lanes()
    try:
        with loop:
            return int(loop.run_until_complete(wall_flow(url, lanes, lang, at, config_path)))
    finally:
        lanes.shutdown(wait=False)


def open_wall(
    store: Store, lanes: Lanes, hub: ChangeHub, lang: str, parent: QWidget
) -> WallWindow | None:
    """The workstation's menu entry: the wall in its own window (Esc closes it). A broken
    playlist file is said in a message box and opens nothing."""
    from PySide6.QtWidgets import QMessageBox

    try:
        config = load_config()
    except CoreError as exc:
        QMessageBox.warning(parent, errors.title(), errors.describe(exc))
        return None
    window = WallWindow(store, lanes, hub, config, lang=lang, closable=True)
    show_on_screen(window, avoid=parent.window())
    return window
