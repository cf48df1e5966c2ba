"""Colour tokens in one place; the stylesheet and the QPalette are both generated from them.

Widgets that paint by role (the order table's deadline colours) ask ``color(name)``, so a
later dark theme (the wall) changes tokens, never widgets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

LIGHT: Mapping[str, str] = {
    "window": "#f3f5f8",
    "surface": "#ffffff",
    "surface_alt": "#f7f9fc",
    "text": "#1f2933",
    "muted": "#5b6776",
    "disabled": "#a3adb8",
    "border": "#d3dae3",
    "header": "#e8edf4",
    "accent": "#1d5fbf",
    "accent_hover": "#174f9f",
    "accent_text": "#ffffff",
    "selection": "#cfe0f7",
    "danger": "#c62828",
    "danger_bg": "#fdecea",
    "warning": "#a15c00",
    "warning_bg": "#fff3dc",
    "ok": "#2e7d32",
}

# The wall (一屏全域): the same tokens, dark, for a briefing room screen read from afar.
# Contrast of text on window is above 12:1, muted above 6:1 (WCAG AA at any size).
WALL: Mapping[str, str] = {
    "window": "#0b1420",
    "surface": "#122033",
    "surface_alt": "#172a42",
    "text": "#eef3f9",
    "muted": "#9fb2c8",
    "disabled": "#5d6f86",
    "border": "#26405f",
    "header": "#0f1b2b",
    "accent": "#4fa3ff",
    "accent_hover": "#78b8ff",
    "accent_text": "#06101c",
    "selection": "#1f3b5e",
    "danger": "#ff5a52",
    "danger_bg": "#4a1416",
    "warning": "#ffb020",
    "warning_bg": "#43300a",
    "ok": "#3ddc84",
    # the map's load ramp, from an empty grid to the busiest
    "ramp_low": "#16324f",
    "ramp_high": "#f07b3f",
    "drill": "#ff8f00",
}

_QSS = """
QWidget { color: {{text}}; }
QMainWindow, QDialog { background: {{window}}; }
QTableView {
    background: {{surface}}; alternate-background-color: {{surface_alt}};
    gridline-color: {{border}}; border: 1px solid {{border}};
    selection-background-color: {{selection}}; selection-color: {{text}};
}
QHeaderView::section {
    background: {{header}}; color: {{text}}; padding: 4px 6px;
    border: none; border-right: 1px solid {{border}}; border-bottom: 1px solid {{border}};
    font-weight: bold;
}
QLineEdit, QComboBox {
    background: {{surface}}; border: 1px solid {{border}}; border-radius: 3px;
    padding: 4px 6px; min-height: 20px;
}
QLineEdit:focus, QComboBox:focus { border-color: {{accent}}; }
QPushButton {
    background: {{surface}}; border: 1px solid {{border}}; border-radius: 3px;
    padding: 5px 16px; min-height: 20px;
}
QPushButton:default { background: {{accent}}; color: {{accent_text}}; border-color: {{accent}}; }
QPushButton:default:hover { background: {{accent_hover}}; }
QPushButton:disabled {
    color: {{disabled}}; background: {{surface_alt}}; border-color: {{header}};
}
QLabel[role="title"] { font-size: 20px; font-weight: bold; color: {{accent}}; }
QLabel[role="muted"] { color: {{muted}}; }
QLabel[role="error"] {
    color: {{danger}}; background: {{danger_bg}}; border: 1px solid {{danger}};
    border-radius: 3px; padding: 6px 8px;
}
QLabel[role="banner"] {
    color: {{accent_text}}; background: {{danger}}; padding: 10px 14px;
    font-size: 15px; font-weight: bold;
}
QLabel[role="drill"] {
    color: #1b1200; background: #ff8f00; padding: 8px 14px;
    font-size: 15px; font-weight: bold;
}
QLabel[role="warning"] {
    color: {{warning}}; background: {{warning_bg}}; border: 1px solid {{warning}};
    border-radius: 3px; padding: 6px 8px;
}
QPlainTextEdit {
    background: {{surface}}; border: 1px solid {{border}}; border-radius: 3px; padding: 4px;
}
QLabel[role="stale"] { color: {{danger}}; }
QStatusBar { background: {{header}}; border-top: 1px solid {{border}}; }
QStatusBar QLabel { padding: 0 8px; }
QProgressBar {
    border: 1px solid {{border}}; border-radius: 3px; background: {{surface}};
    text-align: center; min-height: 18px;
}
QProgressBar::chunk { background: {{accent}}; }
QListWidget[role="nav"] {
    background: {{header}}; border: none; border-right: 1px solid {{border}};
    padding-top: 8px; font-size: 15px;
}
QListWidget[role="nav"]::item { padding: 10px 14px; border-left: 4px solid transparent; }
QListWidget[role="nav"]::item:selected {
    background: {{surface}}; color: {{accent}}; border-left: 4px solid {{accent}};
    font-weight: bold;
}
QTabBar::tab {
    background: {{header}}; border: 1px solid {{border}}; border-bottom: none;
    padding: 6px 14px; margin-right: 2px; border-top-left-radius: 3px;
    border-top-right-radius: 3px;
}
QTabBar::tab:selected { background: {{surface}}; color: {{accent}}; font-weight: bold; }
QTabBar[role="panels"]::tab { font-size: 14px; padding: 7px 18px; }
QToolButton {
    background: {{surface}}; border: 1px solid {{border}}; border-radius: 3px;
    padding: 4px 10px;
}
QToolButton:checked { background: {{selection}}; border-color: {{accent}}; }
"""

_TOKEN = re.compile(r"\{\{(\w+)\}\}")


def stylesheet(tokens: Mapping[str, str] = LIGHT) -> str:
    """The QSS with every ``{{token}}`` replaced; an unknown token is a KeyError."""
    return _TOKEN.sub(lambda m: tokens[m.group(1)], _QSS)


def palette(tokens: Mapping[str, str] = LIGHT) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    pairs = {
        role.Window: "window",
        role.WindowText: "text",
        role.Base: "surface",
        role.AlternateBase: "surface_alt",
        role.Text: "text",
        role.Button: "surface",
        role.ButtonText: "text",
        role.Highlight: "selection",
        role.HighlightedText: "text",
        role.ToolTipBase: "surface",
        role.ToolTipText: "text",
        role.PlaceholderText: "muted",
        role.Link: "accent",
    }
    for r, name in pairs.items():
        pal.setColor(r, QColor(tokens[name]))
    pal.setColor(QPalette.ColorGroup.Disabled, role.Text, QColor(tokens["muted"]))
    pal.setColor(QPalette.ColorGroup.Disabled, role.ButtonText, QColor(tokens["muted"]))
    return pal


def color(name: str, tokens: Mapping[str, str] = LIGHT) -> QColor:
    return QColor(tokens[name])


def apply(app: QApplication, tokens: Mapping[str, str] = LIGHT) -> None:
    app.setPalette(palette(tokens))
    app.setStyleSheet(stylesheet(tokens))


def repolish(widget: QWidget) -> None:
    """Apply a widget's changed ``role`` property: the stylesheet is matched again."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)
