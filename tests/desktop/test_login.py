"""The login dialog: inline errors that keep the dialog open, Enter to log in, demo picker."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import insert

from core.storage.db import write_tx
from core.storage.schema import settings as settings_table
from core.store import Store
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.login import LoginDialog
from tests.core.county import PASSWORD


def make_dialog(qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings) -> LoginDialog:
    dialog = LoginDialog(store, lanes, settings)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.demo_did_load, timeout=5000):
        dialog.show()
    return dialog


def test_a_wrong_password_shows_a_chinese_message_and_the_dialog_stays(
    qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings, zh: None
) -> None:
    dialog = make_dialog(qtbot, store, lanes, settings)
    with qtbot.waitSignal(dialog.login_did_fail, timeout=5000) as failed:
        dialog.submit_with("duty", "wrong-password")
    assert failed.args == ["用户名或密码错误，请重新输入。"]
    assert dialog.error.isVisible()
    assert dialog.error.text() == "用户名或密码错误，请重新输入。"
    assert dialog.isVisible() and dialog.result() == 0 and dialog.session is None
    assert dialog.password.text() == ""  # cleared for the next try
    assert dialog.username.text() == "duty" and dialog.sign_in.isEnabled()
    dialog.close()


def test_an_unknown_user_gets_the_same_message(
    qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings
) -> None:
    dialog = make_dialog(qtbot, store, lanes, settings)
    with qtbot.waitSignal(dialog.login_did_fail, timeout=5000) as failed:
        dialog.submit_with("nobody", PASSWORD)
    assert failed.args == ["Wrong user name or password. Please try again."]
    dialog.close()


def test_an_empty_user_name_is_caught_before_asking_the_database(
    qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings
) -> None:
    dialog = make_dialog(qtbot, store, lanes, settings)
    with qtbot.waitSignal(dialog.login_did_fail, timeout=1000):
        dialog.submit_with("  ", "x")
    assert dialog.error.text() == "Enter your user name."
    dialog.close()


def test_enter_logs_in_and_remembers_the_user_name(
    qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings
) -> None:
    dialog = make_dialog(qtbot, store, lanes, settings)
    qtbot.keyClicks(dialog.username, "h_town1")
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.session is not None
    assert dialog.session.actor.username == "h_town1"
    assert dialog.session.unit_name == "第1镇"
    assert settings.last_username == "h_town1"
    again = make_dialog(qtbot, store, lanes, settings)
    assert again.username.text() == "h_town1"
    assert again.focusWidget() is again.password  # the name is known: type the password
    again.close()


def test_no_demo_picker_on_an_ordinary_database(
    qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings
) -> None:
    dialog = make_dialog(qtbot, store, lanes, settings)
    assert dialog.demo_box.isHidden()
    dialog.close()


@pytest.fixture
def demo_store(store: Store) -> Store:
    with write_tx(store.engine) as conn:
        conn.execute(
            insert(settings_table).values(
                key="demo_county", value={"password": PASSWORD, "seed": 1, "name": "测试县"}
            )
        )
    return store


def test_the_demo_picker_fills_in_a_user(
    qtbot: QtBot, demo_store: Store, lanes: Lanes, settings: AppSettings, zh: None
) -> None:
    dialog = make_dialog(qtbot, demo_store, lanes, settings)
    assert dialog.demo_box.isVisible()
    picker = dialog.demo_picker
    texts = [picker.itemText(i) for i in range(picker.count())]
    assert texts[0] == "选择演示用户…"
    town_duty = next(i for i, t in enumerate(texts) if t.startswith("town1_duty"))
    assert texts[town_duty] == "town1_duty · 第1镇 · 值班长、值班员、处置人员"
    picker.setCurrentIndex(town_duty)
    picker.activated.emit(town_duty)
    assert dialog.username.text() == "town1_duty"
    assert dialog.password.text() == PASSWORD
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.sign_in, Qt.Key.Key_Return)
    assert dialog.session is not None and dialog.session.actor.username == "town1_duty"
