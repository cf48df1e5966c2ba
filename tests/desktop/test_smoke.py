"""Every screen: build it, show it, spin the event loop briefly, close it; no exception and
no Qt warning (pyproject sets qt_log_level_fail = WARNING), in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from core.domain.actor import Actor
from core.store import Store
from desktop import i18n
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.demo_progress import DemoProgressDialog
from desktop.views.login import LoginDialog
from tests.desktop.helpers import close_window, open_window

SPIN_MS = 300


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    installed = i18n.install(qapp, request.param)
    yield str(request.param)
    i18n.uninstall(qapp, installed)


def test_login_dialog(
    qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings, lang: str
) -> None:
    dialog = LoginDialog(store, lanes, settings)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.wait(SPIN_MS)
    assert (
        dialog.windowTitle()
        == {"zh": "登录 — 社会治理指挥中心", "en": "Sign in — Command Center"}[lang]
    )
    dialog.close()


def test_main_window(
    qtbot: QtBot,
    store: Store,
    actors: dict[str, Actor],
    lanes: Lanes,
    settings: AppSettings,
    lang: str,
) -> None:
    window = open_window(qtbot, store, actors["duty"], lanes, settings)
    qtbot.wait(SPIN_MS)
    header = window.model.headerData(0, window.table.horizontalHeader().orientation())
    assert header == {"zh": "工单编号", "en": "Order no."}[lang]
    close_window(qtbot, window)


def test_demo_progress_dialog(qtbot: QtBot, lang: str) -> None:
    dialog = DemoProgressDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_progress("geography", 0.0)
    qtbot.wait(SPIN_MS)
    dialog.finish()
