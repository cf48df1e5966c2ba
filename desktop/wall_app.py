"""``python main.py --wall``: the wall on its own, with no login, for the briefing room's
screen; and ``open_wall`` for the workstation's menu entry.

The wall reads what the database URL's role may read: on PostgreSQL give the briefing
room's machine a county-level role (README, "The wall"). On SQLite nobody runs
``main.py service``, so the wall runs the service jobs in-process as a workstation does
(overdue marks move its tiles); the jobs' lock keeps one runner per database.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from core.errors import CoreError
from core.store import Store
from core.wall.config import WALL_FILE, load_config
from desktop import errors, i18n
from desktop.app import _fatal, live, run_loop, shown_until_closed
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
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
        async with live(store, lanes) as hub:
            window = WallWindow(store, lanes, hub, config, lang=lang, at=at)
            show_on_screen(window)
            await shown_until_closed(window)
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
    return run_loop(lang, lambda lanes: wall_flow(url, lanes, lang, at, config_path))


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


class WallEntry(QObject):
    """The workstation's 视图 › 一屏全域 entry: one wall at a time, closed with the
    workstation."""

    def __init__(self, store: Store, lanes: Lanes, hub: ChangeHub, parent: QWidget) -> None:
        super().__init__(parent)
        self.store, self.lanes, self.hub = store, lanes, hub
        self.wall: WallWindow | None = None

    def open(self) -> WallWindow | None:
        """The wall, full screen on a second screen where there is one."""
        from desktop.i18n import current_language

        if self.wall is not None:
            self.wall.raise_()
            return self.wall
        parent = self.parent()
        assert isinstance(parent, QWidget)
        self.wall = open_wall(self.store, self.lanes, self.hub, current_language(), parent)
        if self.wall is not None:
            self.wall.window_did_close.connect(self._closed)
        return self.wall

    def close(self) -> None:
        if self.wall is not None:
            self.wall.close()

    def _closed(self) -> None:
        if self.wall is not None:
            self.wall.deleteLater()
            self.wall = None
