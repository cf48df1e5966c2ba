"""The wall's panels (desktop/widgets/wall_*.py) with county-like data, rendered at the
sizes they take on 1920×1080, 3840×2160 and 5760×2160 screens, in Chinese and English.

Checked: every text is at least 2.5 % of the screen height (KPI figures 8 %), no text leaves
its box or the widget, the map's ramp ends, the map's flash timer and the ticker's motion.
Renders go to tmp_path, or CC_SCREENSHOT_DIR to keep them:
    CC_SCREENSHOT_DIR=out pytest tests/desktop/test_wall_widgets.py
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, QRectF, QSize
from PySide6.QtGui import QFontMetricsF, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from core.wall.model import (
    FUNNEL_STATES,
    TIERS,
    AlertRow,
    CategoryShare,
    GridLoad,
    Kpis,
    RankRow,
    Spot,
    TickerItem,
    TrendPoint,
)
from desktop import i18n
from desktop.widgets.wall_alerts import AlertList
from desktop.widgets.wall_bars import ShareBars
from desktop.widgets.wall_funnel import LevelFunnel
from desktop.widgets.wall_kpis import KpiStrip
from desktop.widgets.wall_map import MapShape, WallMap
from desktop.widgets.wall_ranking import RankingPanel
from desktop.widgets.wall_style import (
    EMPHASIS_UNITS,
    FIGURE_UNITS,
    MIN_TEXT_UNITS,
    WallPanel,
    colour,
)
from desktop.widgets.wall_ticker import Ticker
from desktop.widgets.wall_trend import TrendChart

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 2, 32, tzinfo=UTC)  # 10:32 in the county
SCREENS = {"1920x1080": (1920, 1080), "3840x2160": (3840, 2160), "5760x2160": (5760, 2160)}
# A panel's share of the screen's width and its height in units (1 % of screen height), as
# the wall window lays a page out: KPIs across the top, the map on the left, the other
# panels in two columns on the right (three rows on the overview page, two on the others;
# the last one fills its row), the ticker along the bottom.
PANELS = {
    "kpis": (1.0, 21.0),
    "map": (0.38, 64.0),
    "trend": (0.3, 20.5),
    "funnel": (0.3, 20.5),
    "categories": (0.3, 20.5),
    "ranking": (0.3, 20.5),
    "alerts": (0.3, 20.5),
    "disputes": (0.3, 31.0),
    "funnel_tall": (0.3, 31.0),
    "alerts_wide": (0.6, 20.5),
    "ticker": (1.0, 5.5),
}


@pytest.fixture(params=["zh", "en"])
def lang(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    installed = i18n.install(qapp, request.param)
    yield str(request.param)
    i18n.uninstall(qapp, installed)


@pytest.fixture
def built() -> Iterator[list[QWidget]]:
    """Widgets a test builds; closed after it (their timers stop on close)."""
    widgets: list[QWidget] = []
    yield widgets
    for widget in widgets:
        widget.close()
        widget.deleteLater()
    QApplication.processEvents()


# --- a county's worth of data -------------------------------------------------------------

TOWNS = ("城关镇", "龙泉镇", "石门乡", "新华街道")
LON0, LAT0, TOWN_W, TOWN_H = 113.0, 34.6, 0.12, 0.09


def _rect(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def county_shapes() -> tuple[list[MapShape], MapShape, list[MapShape]]:
    grids, towns = [], []
    for t, name in enumerate(TOWNS):
        tx, ty = LON0 + (t % 2) * TOWN_W, LAT0 + (t // 2) * TOWN_H
        towns.append(MapShape(t + 1, name, "town", _rect(tx, ty, tx + TOWN_W, ty + TOWN_H)))
        for k in range(9):
            gx, gy = tx + (k % 3) * TOWN_W / 3, ty + (k // 3) * TOWN_H / 3
            ring = _rect(gx, gy, gx + TOWN_W / 3, gy + TOWN_H / 3)
            grids.append(MapShape(100 * (t + 1) + k, f"{name}第{k + 1}网格", "grid", ring))
    county = MapShape(
        0, "示范县", "county", _rect(LON0, LAT0, LON0 + 2 * TOWN_W, LAT0 + 2 * TOWN_H)
    )
    return grids, county, towns


BUSIEST, EMPTY = 100, 408  # corner grids of 城关镇 and 新华街道


def grid_loads() -> list[GridLoad]:
    rng = random.Random(7)
    loads = [
        GridLoad(100 * (t + 1) + k, rng.randint(2, 40), rng.randint(0, 4))
        for t in range(4)
        for k in range(9)
        if 100 * (t + 1) + k not in (BUSIEST, EMPTY)
    ]
    return [*loads, GridLoad(BUSIEST, 57, 9)]


def spots() -> tuple[list[Spot], list[Spot]]:
    arrivals = [
        Spot(9001, 113.05, 34.64, NOW - timedelta(seconds=20)),
        Spot(9002, 113.19, 34.72, NOW - timedelta(seconds=50)),
    ]
    overdue = [
        Spot(8001, 113.08, 34.66, NOW - timedelta(hours=3)),
        Spot(8002, 113.16, 34.75, NOW - timedelta(days=1)),
    ]
    return arrivals, overdue


KPIS = Kpis(
    intake_today=286,
    open=1342,
    overdue=17,
    warning=41,
    on_time_rate=0.9637,
    satisfaction=0.9812,
    response_rate=None,
    closed_today=198,
)


def trend() -> tuple[list[TrendPoint], list[TrendPoint]]:
    start = NOW.replace(minute=0) - timedelta(hours=23)
    shape = [3, 2, 1, 1, 2, 4, 9, 18, 31, 38, 42, 36, 28, 30, 35, 33, 29, 24, 19, 15, 12, 9, 6, 4]
    today = [TrendPoint(start + timedelta(hours=i), c) for i, c in enumerate(shape)]
    week = [
        TrendPoint(start - timedelta(days=7, hours=-i), max(0, c - 4 + (i % 5)))
        for i, c in enumerate(shape)
    ]
    return today, week


FUNNEL = {
    (1, "registered"): 12,
    (1, "dispatched"): 8,
    (1, "in_progress"): 143,
    (1, "paused"): 2,
    (1, "pending_review"): 25,
    (1, "pending_visit"): 31,
    (2, "registered"): 0,
    (2, "dispatched"): 47,
    (2, "in_progress"): 612,
    (2, "paused"): 9,
    (2, "pending_review"): 88,
    (2, "pending_visit"): 54,
    (3, "dispatched"): 21,
    (3, "in_progress"): 251,
    (3, "pending_review"): 30,
}
CATEGORIES = [
    CategoryShare("01", "城乡建设", 412),
    CategoryShare("02", "社会治安", 233),
    CategoryShare("03", "劳动和社会保障", 180),
    CategoryShare("04", "教育卫生", 122),
    CategoryShare("05", "市场监管", 97),
    CategoryShare("06", "生态环境保护", 80),
    CategoryShare("07", "交通运输", 66),
    CategoryShare("08", "农业农村", 41),
]
RISK = {"red": 3, "orange": 12, "yellow": 40, "green": 128}
BEST = [
    RankRow(1, "城关镇", 96.42, 1),
    RankRow(2, "新华街道", 95.1, 2),
    RankRow(3, "县住房和城乡建设局", 93.75, 3),
    RankRow(4, "龙泉镇", 92.0, 4),
    RankRow(5, "县市场监督管理局", 91.36, 5),
]
WORST = [
    RankRow(21, "石门乡", 71.3, 23),
    RankRow(22, "县自然资源和规划局", 74.05, 22),
    RankRow(23, "白沙镇", 76.9, 21),
    RankRow(24, "县交通运输局", 78.12, 20),
    RankRow(25, "东关街道", 80.0, 19),
]
ALERTS = [
    AlertRow(
        1,
        "surge",
        "red",
        "城关镇幸福路小区连续三天反映夜间施工噪音扰民，今日来电激增",
        NOW - timedelta(minutes=12),
        "raised",
        "城关镇",
    ),
    AlertRow(
        2,
        "near_breach",
        "red",
        "县住房和城乡建设局 5 件工单即将超期",
        NOW - timedelta(minutes=40),
        "acknowledged",
        "县住房和城乡建设局",
    ),
    AlertRow(
        3,
        "repeat_caller",
        "orange",
        "同一来电人 24 小时内第 4 次来电（拖欠工资）",
        NOW - timedelta(hours=1),
        "raised",
        "龙泉镇",
    ),
    AlertRow(
        4,
        "cluster",
        "orange",
        "石门乡东村 3 起土地纠纷聚集",
        NOW - timedelta(hours=2),
        "raised",
        "石门乡",
    ),
    AlertRow(
        5,
        "sensitive_words",
        "yellow",
        "敏感词：集体上访",
        NOW - timedelta(hours=3),
        "acknowledged",
        None,
    ),
    AlertRow(
        6, "surge", "yellow", "新华街道停水咨询增多", NOW - timedelta(hours=4), "raised", "新华街道"
    ),
    AlertRow(
        7, "surge", "yellow", "龙泉镇供暖投诉增多", NOW - timedelta(hours=5), "raised", "龙泉镇"
    ),
]
TICKER = [
    TickerItem(507, NOW, "registered", "QH2026-000123", "路灯不亮", "城关镇"),
    TickerItem(
        506,
        NOW - timedelta(minutes=1),
        "dispatched",
        "QH2026-000122",
        "小区门口道路积水严重影响出行",
        "新华街道",
    ),
    TickerItem(
        505,
        NOW - timedelta(minutes=2),
        "limit_overdue",
        "QH2026-000087",
        "拖欠农民工工资",
        "石门乡",
    ),
    TickerItem(504, NOW - timedelta(minutes=3), "accepted", "QH2026-000120", "噪音扰民", "龙泉镇"),
    TickerItem(
        503,
        NOW - timedelta(minutes=4),
        "result_submitted",
        "QH2026-000101",
        "垃圾清运不及时",
        "城关镇",
    ),
    TickerItem(
        502, NOW - timedelta(minutes=5), "visit_recorded", "QH2026-000064", "占道经营", "新华街道"
    ),
    TickerItem(
        501, NOW - timedelta(minutes=6), "supervised", "QH2026-000032", "违章搭建", "石门乡"
    ),
    TickerItem(500, NOW - timedelta(minutes=7), "field_edited", None, None, None),
]


# --- building, rendering, checking ---------------------------------------------------------


def build(panel: str) -> WallPanel:
    """The panel ``panel`` (``funnel_tall``: a funnel) with its sample data."""
    name = panel.split("_")[0]
    if name == "kpis":
        kpis = KpiStrip()  # the six tiles of the issue, overdue emphasised
        kpis.set_kpis(KPIS, "overdue", rates_label="2026-12")
        return kpis
    if name == "map":
        grids, county, towns = county_shapes()
        wall_map = WallMap(grids, county=county, towns=towns)
        wall_map.set_loads(grid_loads(), "open")
        wall_map.set_spots(*spots(), NOW)
        return wall_map
    if name == "trend":
        chart = TrendChart()
        chart.set_trend(*trend(), SHANGHAI)
        return chart
    if name == "funnel":
        funnel = LevelFunnel()
        funnel.set_funnel(FUNNEL)
        return funnel
    if name == "categories":
        bars = ShareBars(top_n=6)
        bars.set_categories(CATEGORIES)
        return bars
    if name == "disputes":
        bars = ShareBars()
        bars.set_risk(RISK)
        return bars
    if name == "ranking":
        ranking = RankingPanel()
        ranking.set_ranking(BEST, WORST, "2026-12")
        return ranking
    if name == "alerts":
        alerts = AlertList()
        alerts.set_alerts(ALERTS, SHANGHAI)
        return alerts
    ticker = Ticker()
    ticker.set_items(TICKER, SHANGHAI)
    return ticker


def panel_size(name: str, screen: tuple[int, int]) -> QSize:
    share, units = PANELS[name]
    return QSize(round(screen[0] * share), round(screen[1] * units / 100))


def save(widget: QWidget, name: str, tmp_path: Path) -> QImage:
    image = widget.grab().toImage()
    folder = Path(os.environ.get("CC_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    assert image.save(str(folder / f"{name}.png"))
    return image


def check_text(panel: WallPanel, unit: float) -> None:
    """Every font at least 2.5 units; every text inside its box and inside the widget."""
    floor = MIN_TEXT_UNITS * unit - 0.01
    for role, font in panel.fonts().items():
        assert font.pixelSize() >= floor, f"{type(panel).__name__} {role}: {font.pixelSize()}px"
    whole = QRectF(panel.rect()).adjusted(-0.5, -0.5, 0.5, 0.5)
    assert panel.text_boxes, f"{type(panel).__name__} drew no text"
    for box in panel.text_boxes:
        where = f"{type(panel).__name__} {box.text!r}"
        assert box.font.pixelSize() >= floor, where
        assert whole.contains(box.used), f"{where} leaves the widget: {box.used} {panel.rect()}"
        slack = box.box.adjusted(-1, -1, 1, 1)
        assert slack.contains(box.used), f"{where} leaves its box: {box.used} in {box.box}"
        assert QFontMetricsF(box.font).horizontalAdvance(box.text) <= box.box.width() + 1, where


def unit_of(screen: tuple[int, int]) -> float:
    return screen[1] / 100


# --- every panel, every size ----------------------------------------------------------------


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("name", list(PANELS))
def test_panel_renders_legibly(
    qtbot: QtBot, built: list[QWidget], lang: str, name: str, screen: str, tmp_path: Path
) -> None:
    size, unit = SCREENS[screen], unit_of(SCREENS[screen])
    panel = build(name)
    built.append(panel)
    panel.set_scale(unit)
    panel.resize(panel_size(name, size))
    minimum = panel.minimumSizeHint()
    assert minimum.width() <= panel.width() and minimum.height() <= panel.height(), name
    suffix = "" if lang == "zh" else "_en"
    image = save(panel, f"wall_widget_{name}_{screen}{suffix}", tmp_path)
    assert image.size() == panel.size()
    check_text(panel, unit)
    if lang == "zh":
        assert any(
            any("\u4e00" <= ch <= "\u9fff" for ch in box.text) for box in panel.text_boxes
        ), "no Chinese on the panel"


def test_kpi_figures_are_large_and_overdue_is_red(
    qtbot: QtBot, built: list[QWidget], lang: str
) -> None:
    unit = unit_of(SCREENS["1920x1080"])
    strip = build("kpis")
    assert isinstance(strip, KpiStrip)
    built.append(strip)
    strip.set_scale(unit)
    strip.resize(panel_size("kpis", SCREENS["1920x1080"]))
    strip.grab()
    fonts = strip.fonts()
    assert fonts["figure"].pixelSize() >= FIGURE_UNITS * unit - 0.01
    assert fonts["emphasis"].pixelSize() >= EMPHASIS_UNITS * unit - 0.01
    figures = [b for b in strip.text_boxes if b.font.pixelSize() >= FIGURE_UNITS * unit - 0.01]
    assert len(figures) == len(strip.tiles)  # every figure at KPI size, none shrunk below
    emphasised = figures[strip.tiles.index("overdue")]
    assert emphasised.font.pixelSize() > fonts["figure"].pixelSize()
    assert strip.figure_state("overdue") == (colour("danger"), "triangle")
    assert strip.figure_state("warning") == (colour("warning"), "diamond")
    assert strip.figure_state("open") == (colour("text"), "")
    assert strip.value_text("response_rate") == "—"
    assert strip.value_text("on_time_rate") == "96.4%"
    assert strip.value_text("open") == "1,342"
    with pytest.raises(KeyError):
        strip.set_tiles(["open", "beamed_up"])


def test_seven_kpi_tiles_still_fit(qtbot: QtBot, built: list[QWidget], tmp_path: Path) -> None:
    """Due soon emphasised and the six others: a figure drops its thousands separator or
    shrinks toward the KPI minimum before it would be cut; it is never elided."""
    for screen in ("1920x1080", "3840x2160"):
        unit = unit_of(SCREENS[screen])
        strip = KpiStrip()
        built.append(strip)
        strip.set_tiles(
            [
                "warning",
                "intake_today",
                "open",
                "overdue",
                "closed_today",
                "on_time_rate",
                "satisfaction",
            ]
        )
        strip.set_kpis(KPIS, "warning", rates_label="2026-12 · 全县")
        strip.set_scale(unit)
        strip.resize(panel_size("kpis", SCREENS[screen]))
        save(strip, f"wall_widget_kpis7_{screen}", tmp_path)
        check_text(strip, unit)
        shown = [b.text for b in strip.text_boxes]
        assert "…" not in "".join(t for t in shown if t[:1].isdigit())
        assert {"1,342", "1342"} & set(shown)


def test_map_ramp_runs_from_the_empty_grid_to_the_busiest(
    qtbot: QtBot, built: list[QWidget], tmp_path: Path
) -> None:
    grids, county, towns = county_shapes()
    wall_map = WallMap(grids, county=county, towns=towns)
    built.append(wall_map)
    wall_map.set_scale(10.8)
    wall_map.resize(panel_size("map", SCREENS["1920x1080"]))
    wall_map.set_loads(grid_loads(), "open")
    assert wall_map.grid_colour(BUSIEST) == colour("ramp_high")
    assert wall_map.grid_colour(EMPTY) == colour("ramp_low")
    image = wall_map.grab().toImage()
    for unit_id, token in ((BUSIEST, "ramp_high"), (EMPTY, "ramp_low")):
        ring = next(g.ring for g in grids if g.unit_id == unit_id)
        (x0, y0), (x1, y1) = ring[0], ring[2]
        at = wall_map.project(x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3).toPoint()
        assert image.pixelColor(at).name() == colour(token).name(), token
    wall_map.set_loads(grid_loads(), "overdue")
    assert wall_map.grid_colour(BUSIEST) == colour("ramp_high")  # 9 overdue: the most
    with pytest.raises(ValueError, match="measure"):
        wall_map.set_loads([], "closed")


def test_map_keeps_the_county_in_shape(qtbot: QtBot, built: list[QWidget]) -> None:
    grids, county, towns = county_shapes()
    wall_map = WallMap(grids, county=county, towns=towns)
    built.append(wall_map)
    wall_map.resize(1000, 1000)
    wall_map.grab()
    a = wall_map.project(LON0, LAT0)
    b = wall_map.project(LON0 + 0.1, LAT0 + 0.1)
    ratio = (b.x() - a.x()) / (a.y() - b.y())  # north is up
    assert ratio == pytest.approx(0.82, abs=0.01)  # cos(34.7°)


def test_a_new_arrival_flashes_then_stays_a_dot(qtbot: QtBot, built: list[QWidget]) -> None:
    grids, county, towns = county_shapes()
    wall_map = WallMap(grids, county=county, towns=towns)
    built.append(wall_map)
    wall_map.resize(800, 600)
    wall_map.flash_seconds = 0.3
    wall_map.show()
    qtbot.waitExposed(wall_map)
    arrivals, overdue = spots()
    wall_map.set_spots(arrivals[:1], [], NOW)
    assert wall_map.flash_timer.isActive() and wall_map.is_flashing()
    assert not wall_map.pulse_timer.isActive()
    qtbot.waitUntil(lambda: not wall_map.flash_timer.isActive(), timeout=3000)
    assert not wall_map.is_flashing()
    wall_map.set_spots(arrivals[:1], overdue, NOW)  # seen already: no second flash
    assert not wall_map.flash_timer.isActive()
    assert wall_map.pulse_timer.isActive()  # the overdue halos pulse
    stale = Spot(9100, 113.1, 34.7, NOW - timedelta(hours=1))
    wall_map.set_spots([*arrivals, stale], overdue, NOW)  # one new, one too old to flash
    assert wall_map.flash_timer.isActive()
    assert wall_map.is_flashing()
    wall_map.hide()
    assert not wall_map.flash_timer.isActive() and not wall_map.pulse_timer.isActive()


def test_the_ticker_scrolls_with_time_and_never_jumps(qtbot: QtBot, built: list[QWidget]) -> None:
    ticker = Ticker()
    built.append(ticker)
    ticker.set_scale(10.8)
    ticker.resize(panel_size("ticker", SCREENS["1920x1080"]))
    ticker.set_items(TICKER[3:], SHANGHAI)
    ticker.show()
    qtbot.waitExposed(ticker)
    assert ticker.timer.isActive()
    start = ticker.scroll_offset
    qtbot.waitUntil(lambda: ticker.scroll_offset > start + 10, timeout=2000)
    ticker.pause(True)
    assert not ticker.timer.isActive()
    held = ticker.scroll_offset
    qtbot.wait(100)
    assert ticker.scroll_offset == held
    # new events: what is on screen stays where it is; the newest joins next
    head, first = ticker._head, ticker._belt[0].cacheKey()
    ticker.set_items(TICKER, SHANGHAI)
    assert (ticker._head, ticker._belt[0].cacheKey()) == (head, first)
    ticker.advance(ticker.width() * 4.0)  # move well on: the new events have come round
    assert any(p.cacheKey() == ticker._pixmaps[507].cacheKey() for p in ticker._belt)
    ticker.pause(False)
    assert ticker.timer.isActive()
    area = ticker.scroll_area()
    assert all(p.height() <= area.height() + 1 for p in ticker._belt)
    assert ticker.fonts()["line"].pixelSize() >= MIN_TEXT_UNITS * 10.8 - 0.01


def test_the_trend_axes_make_room_for_their_labels(
    qtbot: QtBot, built: list[QWidget], lang: str
) -> None:
    for screen in ("1920x1080", "3840x2160"):
        unit = unit_of(SCREENS[screen])
        chart = build("trend")
        assert isinstance(chart, TrendChart)
        built.append(chart)
        chart.set_scale(unit)
        chart.resize(panel_size("trend", SCREENS[screen]))
        chart.grab()
        hours, counts = chart.tick_labels()
        assert hours and counts
        assert hours[-1] == chart.hours[-1]  # the newest hour is labelled
        metrics = QFontMetricsF(chart.fonts()["axis"])
        left, bottom = chart.plot.getAxis("left"), chart.plot.getAxis("bottom")
        assert left.width() >= max(metrics.horizontalAdvance(t) for t in counts)
        assert bottom.height() >= metrics.height()
        slot = (chart.plot.width() - left.width()) / (len(chart.hours) + 0.2)
        shown = [i for i, h in enumerate(chart.hours) if h in hours]
        spacing = min(b - a for a, b in pairwise(shown)) * slot
        assert spacing >= max(metrics.horizontalAdvance(h) for h in hours)


def test_empty_panels_say_so(qtbot: QtBot, built: list[QWidget], lang: str) -> None:
    alerts = AlertList()
    bars = ShareBars()
    ranking = RankingPanel()
    ticker = Ticker()
    built.extend([alerts, bars, ranking, ticker])
    alerts.set_alerts([], SHANGHAI)
    bars.set_shares([], "类别分布")
    ranking.set_ranking([], [], "")
    ticker.set_items([], SHANGHAI)
    none = QCoreApplication.translate("AlertList", "No alerts")
    for panel in (alerts, bars, ranking, ticker):
        panel.resize(600, 300 if panel is not ticker else 60)
        panel.grab()
        check_text(panel, panel.unit)
    assert [b.text for b in alerts.text_boxes][-1] == none
    if lang == "zh":
        assert none == "无预警"
    assert not ticker.timer.isActive()


@pytest.mark.parametrize(
    "make",
    [lambda: KpiStrip(), lambda: LevelFunnel(), lambda: AlertList(), lambda: Ticker()],
)
def test_a_panel_repaints_from_its_cache(
    qtbot: QtBot, built: list[QWidget], make: Callable[[], WallPanel]
) -> None:
    panel = make()
    built.append(panel)
    panel.resize(900, 300)
    panel.grab()
    cache = panel._cache
    panel.grab()
    assert panel._cache is cache  # nothing changed: no new render
    panel.set_scale(20.0)
    assert panel._cache is None


def test_every_state_and_tier_of_the_funnel_is_named(qapp: QApplication) -> None:
    funnel = LevelFunnel()
    assert set(funnel.state_names) == set(FUNNEL_STATES)
    assert set(funnel.tier_names) == set(TIERS)
    funnel.deleteLater()
