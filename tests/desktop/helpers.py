"""Small helpers shared by the desktop tests."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from core.domain.actor import Actor
from core.store import Store
from desktop.feed import Session, last_event_id
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.main_window import MainWindow

FAST_POLL = 0.05  # seconds between SQLite polls of the event counter


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
    """A shown main window whose first load has landed, on its own live change hub
    (pass ``hub=`` to share one)."""
    hub = kw.pop("hub", None) or start_hub(store)
    window = MainWindow(session_for(store, actor), lanes, settings, hub, **kw)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.rows_did_load, timeout=5000):
        window.show()
    return window


def close_window(qtbot: QtBot, window: MainWindow) -> None:
    """Close and wait until the window's cancelled tasks have unwound."""
    window.close()
    qtbot.waitUntil(lambda: window.pending == 0)
    window.hub.stop()


def start_hub(store: Store, **kw: Any) -> ChangeHub:
    kw.setdefault("poll_interval", FAST_POLL)
    hub = ChangeHub.for_store(store, last_event_id(store), **kw)
    hub.start()
    return hub
