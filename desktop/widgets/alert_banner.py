"""The alert banner across the top of a workstation: the newest early-warning alert nobody
has acknowledged yet, in its severity's colour **and** shape, with how many more wait.
"Acknowledge" (Ctrl+Shift+K) records who saw it; "Show all" opens the alerts page.

The banner only shows what it is given (``show_alerts``); the window reads the alerts and
sounds the signal (``desktop.views.alert_notifier``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtCore import QCoreApplication, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from desktop import theme
from desktop.widgets.alert_data import AlertRow
from desktop.widgets.queue_table import Sla, sla_icon

SEVERITIES = ("red", "orange", "yellow")  # most severe first
_YELLOW = "#b08900"
_ICONS: dict[str, QIcon] = {}


def severity_icon(severity: str) -> QIcon:
    """Red: the overdue triangle; orange: the warning diamond; yellow: a ringed dot."""
    if severity == "red":
        return sla_icon(Sla.OVERDUE)
    if severity == "orange":
        return sla_icon(Sla.WARNING)
    icon = _ICONS.get(severity)
    if icon is None:
        pix = QPixmap(16, 16)
        pix.fill(QColor(0, 0, 0, 0))
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor(_YELLOW)
        p.setPen(QPen(colour.darker(120), 1.6))
        p.setBrush(QBrush(QColor(0, 0, 0, 0)))
        p.drawEllipse(QPointF(8, 8), 6, 6)
        p.setBrush(QBrush(colour))
        p.drawEllipse(QPointF(8, 8), 2.5, 2.5)
        p.end()
        icon = _ICONS[severity] = QIcon(pix)
    return icon


def severity_text(severity: str) -> str:
    words = {
        "red": QCoreApplication.translate("Alerts", "Red alert"),
        "orange": QCoreApplication.translate("Alerts", "Orange alert"),
        "yellow": QCoreApplication.translate("Alerts", "Yellow alert"),
    }
    return words.get(severity, severity)


def severity_colour(severity: str) -> QColor:
    if severity == "red":
        return theme.color("danger")
    if severity == "orange":
        return theme.color("warning")
    return QColor(_YELLOW)


class AlertBanner(QFrame):
    acknowledge_requested = Signal(int)  # the alert's id
    show_all_requested = Signal()

    def __init__(self, tz: tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.setObjectName("alertBanner")
        self.current: AlertRow | None = None
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.ack_button = QPushButton(self.tr("Acknowledge"), self)
        self.ack_button.setShortcut(QKeySequence("Ctrl+Shift+K"))
        self.ack_button.setToolTip(self.tr("Record that you have seen this alert (Ctrl+Shift+K)"))
        self.ack_button.clicked.connect(self._acknowledge)
        self.all_button = QPushButton(self.tr("Show all"), self)
        self.all_button.clicked.connect(self.show_all_requested)
        row = QHBoxLayout(self)
        row.setContentsMargins(14, 8, 14, 8)
        row.setSpacing(10)
        row.addWidget(self.icon)
        row.addWidget(self.text, 1)
        row.addWidget(self.ack_button)
        row.addWidget(self.all_button)
        self.hide()

    def show_alerts(self, waiting: Sequence[AlertRow]) -> None:
        """``waiting``: the alerts nobody has acknowledged, the one to show first."""
        if not waiting:
            self.current = None
            self.hide()
            return
        top = self.current = waiting[0]
        colour = severity_colour(top.severity)
        background, edge, text = _tint(colour), colour.name(), theme.color("text").name()
        self.setStyleSheet(
            f"QFrame#alertBanner {{ background: {background}; border-bottom: 2px solid {edge}; }}"
            f"QFrame#alertBanner QLabel {{ color: {text}; font-size: 15px; }}"
        )
        self.icon.setPixmap(severity_icon(top.severity).pixmap(22, 22))
        at = top.raised_at.astimezone(self.tz)
        line = self.tr("{severity} · {time} · {title}").format(
            severity=severity_text(top.severity), time=f"{at:%H:%M}", title=top.title
        )
        more = len(waiting) - 1
        if more:
            line += "  " + self.tr("({count} more waiting)").format(count=more)
        self.text.setText(line)
        self.show()

    def _acknowledge(self) -> None:
        if self.current is not None:
            self.acknowledge_requested.emit(self.current.id)


def _tint(colour: QColor) -> str:
    """The severity's colour, light enough to read dark text on."""
    c = QColor(colour)
    return QColor.fromHslF(c.hslHueF(), min(c.hslSaturationF(), 0.9), 0.92).name()
