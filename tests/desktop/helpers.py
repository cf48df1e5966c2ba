"""Small helpers shared by the desktop tests."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from core.domain.actor import Actor
from core.store import Store
from desktop.feed import Session
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.main_window import MainWindow

FAST_POLL_MS = 40


def session_for(store: Store, actor: Actor) -> Session:
    ref = store.reference()
    return Session(store, actor, ref.org.get(actor.unit_id).name, ref.tz)


def open_window(
    qtbot: QtBot,
    store: Store,
    actor: Actor,
    lanes: Lanes,
    settings: AppSettings,
    **kw: Any,
) -> MainWindow:
    """A shown main window whose first load has landed."""
    kw.setdefault("poll_interval_ms", FAST_POLL_MS)
    window = MainWindow(session_for(store, actor), lanes, settings, **kw)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.rows_did_load, timeout=5000):
        window.show()
    return window


def close_window(qtbot: QtBot, window: MainWindow) -> None:
    """Close and wait until the window's cancelled tasks have unwound."""
    window.close()
    qtbot.waitUntil(lambda: window.tasks.pending == 0 and window.poller.tasks.pending == 0)
