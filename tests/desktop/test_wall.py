"""The wall window against real databases: it renders the demo county at 1920×1080,
3840×2160 and 5760×2160 with text sized by the screen height; it follows another
workstation's changes through the live stream and its tiles equal the database; the
playlist turns and pauses; time travel and a drill database are impossible to miss.

Set CC_SCREENSHOT_DIR to keep the renders (wall_<page>_<size>_<lang>.png)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select, update

from core.domain.actor import Actor
from core.domain.enums import OPEN_STATES
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import orders, settings
from core.store import Store, open_store
from core.wall.config import WallConfig, load_config
from core.wall.model import WallFigures
from desktop import i18n
from desktop.hub import ChangeHub
from desktop.lanes import Lanes
from desktop.views.wall import WallWindow
from desktop.widgets.wall_style import fmt_count
from tests.core.test_queries import draft
from tests.desktop.helpers import start_hub

SIZES = ((1920, 1080), (3840, 2160), (5760, 2160))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo county, its story ending now, so today's figures are live ones."""
    from core.demo import build_demo

    path = tmp_path_factory.mktemp("wall") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    build_demo(url, orders=1500, seed=5, end=datetime.now(UTC))
    return url


@pytest.fixture
def demo(demo_url: str) -> Iterator[Store]:
    store = open_store(demo_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def zh_app(qapp: QApplication) -> Iterator[None]:
    installed = i18n.install(qapp, "zh")
    yield
    i18n.uninstall(qapp, installed)


def open_wall(
    qtbot: QtBot,
    store: Store,
    lanes: Lanes,
    hub: ChangeHub | None,
    config: WallConfig | None = None,
    size: tuple[int, int] = SIZES[0],
    **kw: object,
) -> WallWindow:
    wall = WallWindow(store, lanes, hub, config or load_config(), **kw)  # type: ignore[arg-type]
    qtbot.addWidget(wall)
    wall.resize(*size)
    with qtbot.waitSignal(wall.figures_did_show, timeout=15000):
        wall.show()
    qtbot.waitUntil(lambda: wall.settled, timeout=15000)
    return wall


def close_wall(qtbot: QtBot, wall: WallWindow) -> None:
    wall.close()
    qtbot.waitUntil(lambda: wall.tasks.pending == 0, timeout=5000)


def save(widget: QWidget, name: str, tmp_path: Path) -> None:
    image = widget.grab().toImage()
    folders = [tmp_path] + ([Path(keep)] if (keep := os.environ.get("CC_SCREENSHOT_DIR")) else [])
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        assert image.save(str(folder / f"{name}.png"))


def smallest_text(wall: WallWindow) -> float:
    """The smallest pixel size of any visible label's font or any panel's fonts."""
    sizes = [
        label.font().pixelSize()
        for label in wall.findChildren(QLabel)
        if label.isVisible() and label.text()
    ]
    for panel in wall.panels.values():
        if panel.isVisible():
            sizes += [f.pixelSize() for f in panel.fonts().values()]  # type: ignore[attr-defined]
    assert all(s > 0 for s in sizes), "fonts are sized in pixels, by the screen height"
    return min(sizes)


def test_the_wall_renders_at_the_three_sizes_with_text_sized_by_the_screen(
    qtbot: QtBot, demo: Store, lanes: Lanes, zh_app: None, tmp_path: Path
) -> None:
    wall = open_wall(qtbot, demo, lanes, None)
    try:
        for width, height in SIZES:
            wall.resize(width, height)
            QApplication.processEvents()
            assert wall.unit == pytest.approx(height / 100)
            assert smallest_text(wall) >= 0.025 * height - 0.5
            assert wall.kpis.fonts()["figure"].pixelSize() >= 0.08 * height
            save(wall, f"wall_overview_{width}x{height}_zh", tmp_path)
        wall.resize(*SIZES[0])
        for _ in range(len(wall.playlist) - 1):
            with qtbot.waitSignal(wall.figures_did_show, timeout=15000):
                wall.next_page()
            qtbot.waitUntil(lambda: wall.settled, timeout=15000)
            if wall.index in (1, 2, 3, 4):
                save(wall, f"wall_{wall.page.key.replace(':', '_')}_1920x1080_zh", tmp_path)
            assert smallest_text(wall) >= 0.025 * 1080 - 0.5
    finally:
        close_wall(qtbot, wall)


def test_the_wall_follows_another_workstation_and_equals_the_database(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes
) -> None:
    hub = start_hub(store)
    wall = open_wall(qtbot, store, lanes, hub)
    try:
        before = wall.figures
        assert before is not None
        svc = OrderService(store)
        result = svc.register_many(
            actors["duty"], [draft(description=f"墙上的工单 {i}") for i in range(7)]
        )
        assert len(result.registered) == 7

        def caught_up() -> bool:
            f = wall.figures
            return f is not None and f.newest_event_id >= hub.delivered and hub.delivered > 0

        qtbot.waitUntil(lambda: caught_up() and wall.settled, timeout=10000)
        figures: WallFigures = wall.figures  # type: ignore[assignment]
        with read_tx(store.engine) as conn:
            open_now = conn.execute(
                select(func.count()).where(orders.c.state.in_([s.value for s in OPEN_STATES]))
            ).scalar_one()
        assert figures.kpis.open == open_now == before.kpis.open + 7
        assert figures.kpis.intake_today == before.kpis.intake_today + 7
        assert wall.kpis.value_text("open") == fmt_count(open_now)
    finally:
        close_wall(qtbot, wall)
        hub.stop()


def test_the_service_marking_an_order_overdue_moves_the_tile_by_itself(
    qtbot: QtBot, store: Store, actors: dict[str, Actor], lanes: Lanes
) -> None:
    """Nobody touches the wall: time passes, the service process marks the limit overdue
    (an event), and the stream brings the tile and the map's halo up to date."""
    svc = OrderService(store)
    order = svc.register(actors["duty"], draft()).order_id
    hub = start_hub(store)
    wall = open_wall(qtbot, store, lanes, hub)
    try:
        assert wall.figures is not None and wall.figures.kpis.overdue == 0
        store.clock.advance(timedelta(days=30))  # type: ignore[attr-defined]
        assert svc.mark_time_conditions() > 0  # the service's job: overdue marks are events
        qtbot.waitUntil(
            lambda: wall.figures is not None and wall.figures.kpis.overdue == 1, timeout=10000
        )
        assert [s.order_id for s in wall.figures.overdue_spots] == [order]
        assert wall.kpis.value_text("overdue") == "1"
    finally:
        close_wall(qtbot, wall)
        hub.stop()


def test_the_playlist_turns_pauses_and_travels_in_time(
    qtbot: QtBot, demo: Store, lanes: Lanes, zh_app: None, tmp_path: Path
) -> None:
    wall = open_wall(qtbot, demo, lanes, None)
    try:
        first = wall.page.key
        wall.next_page()
        assert wall.page.key != first
        wall.previous_page()
        assert wall.page.key == first
        qtbot.waitUntil(lambda: wall.settled, timeout=15000)
        wall.toggle_pause()
        assert wall.paused and not wall._rotate.isActive()
        assert "❚❚" in wall.pause_label.text()
        wall.toggle_pause()
        assert not wall.paused and wall._rotate.isActive()

        moment = (datetime.now(UTC) - timedelta(days=1)).replace(second=0, microsecond=0)
        with qtbot.waitSignal(
            wall.figures_did_show, timeout=15000, check_params_cb=lambda f: not f.live
        ):
            wall.show_moment(moment)
        qtbot.waitUntil(lambda: wall.settled, timeout=15000)
        assert wall.figures is not None and wall.figures.at == moment
        assert wall.travel_banner.isVisible()
        save(wall, "wall_as_of_yesterday_1920x1080_zh", tmp_path)
        with qtbot.waitSignal(
            wall.figures_did_show, timeout=15000, check_params_cb=lambda f: f.live
        ):
            wall.go_live()
        qtbot.waitUntil(lambda: wall.settled, timeout=15000)
        assert not wall.travel_banner.isVisible()
    finally:
        close_wall(qtbot, wall)


def test_a_drill_database_shows_a_drill_banner(
    qtbot: QtBot, store: Store, lanes: Lanes, zh_app: None, tmp_path: Path
) -> None:
    with write_tx(store.engine) as conn:
        conn.execute(
            update(settings).where(settings.c.key == "database_kind").values(value="drill")
        )
    wall = open_wall(qtbot, store, lanes, None)
    try:
        assert wall.figures is not None and wall.figures.drill
        assert wall.drill_banner.isVisible()
        assert "演练" in wall.drill_banner.text()
        save(wall, "wall_drill_1920x1080", tmp_path)
    finally:
        close_wall(qtbot, wall)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--wall", "--at", "tomorrow"], "is not a moment"),
        (["--at", "2026-01-01 14:00"], "go with --wall"),
        (["--wall", "info"], "give no command"),
    ],
)
def test_bad_wall_arguments_are_refused_with_a_reason(args: list[str], says: str) -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", "/nonexistent/x.sqlite3", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert run.returncode == 2
    assert says in run.stderr
