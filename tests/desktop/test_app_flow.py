"""desktop.app.flow end to end: open the database, log in, show the window, close."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.app import flow
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.login import LoginDialog
from desktop.views.main_window import MainWindow
from tests.core.county import PASSWORD


def visible(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def test_log_in_see_orders_and_close(
    qtbot: QtBot, db_url: str, lanes: Lanes, settings: AppSettings
) -> None:
    task = asyncio.ensure_future(flow(db_url, lanes, settings))
    qtbot.waitUntil(lambda: bool(visible(LoginDialog)), timeout=10_000)
    (dialog,) = visible(LoginDialog)
    dialog.submit_with("h_town1", PASSWORD)
    qtbot.waitUntil(lambda: bool(visible(MainWindow)), timeout=10_000)
    (window,) = visible(MainWindow)
    assert window.session.actor.username == "h_town1"
    window.close()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0


def test_quitting_at_the_login_ends_the_flow(
    qtbot: QtBot, db_url: str, lanes: Lanes, settings: AppSettings
) -> None:
    task = asyncio.ensure_future(flow(db_url, lanes, settings))
    qtbot.waitUntil(lambda: bool(visible(LoginDialog)), timeout=10_000)
    visible(LoginDialog)[0].reject()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 0
    assert not visible(MainWindow)


def test_an_unreachable_database_is_a_message_not_a_crash(
    qtbot: QtBot, lanes: Lanes, settings: AppSettings
) -> None:
    url = "postgresql://nobody@127.0.0.1:9/nowhere?connect_timeout=2"
    task = asyncio.ensure_future(flow(url, lanes, settings))
    qtbot.waitUntil(lambda: bool(visible(QMessageBox)), timeout=15_000)
    (box,) = visible(QMessageBox)
    assert "database" in box.text().lower()
    box.accept()
    qtbot.waitUntil(task.done, timeout=5000)
    assert task.result() == 1
