"""Render the screens as a person sees them (CONVENTIONS "look at the screens").

Each render goes to tmp_path; set CC_SCREENSHOT_DIR to keep them (out/ is git-ignored):
    CC_SCREENSHOT_DIR=out pytest tests/desktop/test_screens.py -k sqlite
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from core.clock import ManualClock
from core.domain.actor import Actor
from core.service import OrderService
from core.store import Store
from desktop import i18n
from desktop.lanes import Lanes
from desktop.settings import AppSettings
from desktop.views.login import LoginDialog
from tests.core.county import County
from tests.core.test_queries import populate
from tests.desktop.helpers import close_window, open_window

SIZE = (1600, 900)


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    installed = i18n.install(qapp, request.param)
    yield str(request.param)
    i18n.uninstall(qapp, installed)


def save(widget: QWidget, name: str, tmp_path: Path) -> QImage:
    image = widget.grab().toImage()
    targets = [tmp_path]
    if keep := os.environ.get("CC_SCREENSHOT_DIR"):
        targets.append(Path(keep))
    for folder in targets:
        folder.mkdir(parents=True, exist_ok=True)
        assert image.save(str(folder / f"{name}.png"))
    return image


def test_login_dialog_renders(
    qtbot: QtBot, store: Store, lanes: Lanes, settings: AppSettings, lang: str, tmp_path: Path
) -> None:
    dialog = LoginDialog(store, lanes, settings)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.demo_did_load, timeout=5000):
        dialog.show()
    with qtbot.waitSignal(dialog.login_did_fail, timeout=5000):
        dialog.submit_with("duty", "wrong-password")
    image = save(dialog, f"test_login_{lang}", tmp_path)
    assert image.width() >= dialog.minimumWidth()
    # The inline error is not cut off: it gets the height its wrapped text needs.
    assert dialog.error.isVisible()
    assert dialog.error.height() >= dialog.error.heightForWidth(dialog.error.width())
    dialog.close()


@pytest.mark.parametrize("user", ["duty", "h_town1"])
def test_main_window_renders(
    qtbot: QtBot,
    svc: OrderService,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    lanes: Lanes,
    settings: AppSettings,
    lang: str,
    user: str,
    tmp_path: Path,
) -> None:
    populate(svc, actors, county, clock)
    window = open_window(qtbot, store, actors[user], lanes, settings)
    window.resize(*SIZE)
    window.show_page("orders")
    qtbot.wait(100)
    image = save(window, f"test_main_{user}_{lang}", tmp_path)
    assert (image.width(), image.height()) == SIZE
    table = window.table
    # The fitted columns fit the window: no horizontal scrolling at 1600 px.
    assert table.horizontalScrollBar().maximum() == 0
    close_window(qtbot, window)


def test_outage_banner_and_editor_screens_render(
    qtbot: QtBot,
    svc: OrderService,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    lanes: Lanes,
    settings: AppSettings,
    lang: str,
    tmp_path: Path,
) -> None:
    from core import locks
    from core.stream import Link, LinkState
    from desktop.views.order_editor import OrderEditor
    from tests.desktop.helpers import session_for

    populate(svc, actors, county, clock)
    window = open_window(qtbot, store, actors["dispatcher"], lanes, settings)
    window.resize(*SIZE)
    oid = window.model.row(0).id
    locks.acquire(store, actors["duty"], oid, "值班席-2")
    editor = OrderEditor(session_for(store, actors["dispatcher"]), lanes, window.hub, oid)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.base is not None, timeout=5000)
    more = "。补充：现场已拉警戒线，请尽快派人处理，来电人情绪激动"
    editor.description_edit.setPlainText(editor.description_edit.toPlainText() + more)
    svc.edit(actors["duty"], oid, {"title": "另一席位修改的标题"})
    qtbot.waitUntil(editor.changed_banner.isVisible, timeout=5000)
    editor.save()
    qtbot.waitUntil(lambda: getattr(editor, "stale_dialog", None) is not None, timeout=5000)
    editor.stale_dialog.resize(900, 500)
    qtbot.wait(50)
    save(editor, f"test_editor_{lang}", tmp_path)
    save(editor.stale_dialog, f"test_stale_save_{lang}", tmp_path)
    assert editor.lock_banner.isVisible()
    for label in (editor.lock_banner, editor.changed_banner):
        assert label.height() >= label.heightForWidth(label.width())
    editor.stale_dialog.reject()
    editor.reject()
    window.hub.stop()
    window.hub._linked(Link(LinkState.DOWN, window.hub.confirmed_at, "OperationalError", 5.0))
    qtbot.wait(50)
    save(window, f"test_main_outage_{lang}", tmp_path)
    assert window.banner.isVisible()
    assert window.banner.height() >= window.banner.heightForWidth(window.banner.width())
    qtbot.waitUntil(lambda: editor.tasks.pending == 0)
    close_window(qtbot, window)


@pytest.mark.parametrize("user", ["dispatcher", "supervisor", "h_town1"])
def test_every_page_of_the_window_renders(
    qtbot: QtBot,
    svc: OrderService,
    store: Store,
    actors: dict[str, Actor],
    county: County,
    clock: ManualClock,
    lanes: Lanes,
    settings: AppSettings,
    lang: str,
    user: str,
    tmp_path: Path,
) -> None:
    """Each page the user has, and an order's editor opened from the work queue with an
    action's dialog: rendered, with no horizontal scrolling and no clipped tab text."""
    populate(svc, actors, county, clock)
    window = open_window(qtbot, store, actors[user], lanes, settings)
    window.resize(*SIZE)
    for name in window.page_names():
        window.show_page(name)
        qtbot.wait(300)
        save(window, f"test_page_{name}_{user}_{lang}", tmp_path)
    page = window.queues
    assert page is not None
    window.show_page("queues")
    for p in range(page.panel_bar.count()):  # the first queue with something in it
        page.panel_bar.setCurrentIndex(p)
        for q in range(page.queue_bar.count()):
            page.queue_bar.setCurrentIndex(q)
            qtbot.waitUntil(lambda: page.settled, timeout=5000)
            if page.model.rowCount():
                break
        if page.model.rowCount():
            break
    qtbot.wait(100)
    save(window, f"test_page_queues_rows_{user}_{lang}", tmp_path)
    bar = page.queue_bar
    for i in range(bar.count()):
        assert bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(bar.tabText(i))
    if page.model.rowCount():
        assert page.table.horizontalScrollBar().maximum() == 0
        page.table.selectRow(0)
        page.open_current()
        editor = window.editor
        assert editor is not None
        qtbot.waitUntil(lambda: editor.base is not None, timeout=5000)
        editor.resize(1280, 820)
        qtbot.wait(100)
        save(editor, f"test_editor_{user}_{lang}", tmp_path)
        enabled = [b for b in editor.action_bar.buttons.values() if b.isEnabled()]
        from desktop.views.order_actions import SPECS

        with_dialog = [b for (op, _h), b in editor.action_bar.buttons.items() if op in SPECS]
        shown = next((b for b in enabled if b in with_dialog), None)
        if shown is not None:
            shown.click()
            qtbot.waitUntil(lambda: getattr(editor, "action_dialog", None) is not None)
            save(editor.action_dialog, f"test_action_dialog_{user}_{lang}", tmp_path)
            editor.action_dialog.reject()
        editor.reject()
        qtbot.waitUntil(lambda: editor.tasks.pending == 0)
    close_window(qtbot, window)
