"""Pick the point of a call on a small map of the county's villages and grids.

A click puts the marker; the arrows move it (Shift: finer steps), Enter takes it, Escape
cancels. Under the map the dialog names the grid the point falls in, found the way core
finds it (``OrgDirectory.grid_index.locate``: a special grid wins inside its boundary).
Coordinates are WGS-84 throughout, as the unit polygons are.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QKeyEvent, QPolygonF
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGraphicsPolygonItem,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from core.geo import LonLat, Polygon
from desktop import theme

STEPS = 60  # arrow steps across the map's wider side
GRID_NAMES_UP_TO = 80  # more grids than this: their names would only be clutter


@dataclass(frozen=True)
class Shape:
    unit_id: int
    name: str
    kind: str  # "village", "grid" or "special"
    polygon: Polygon


class MapPicker(QDialog):
    def __init__(
        self,
        shapes: Sequence[Shape],
        locate: Callable[[LonLat], int | None],
        names: Mapping[int, str],
        start: LonLat | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self.locate = locate
        self.names = names
        self.point: LonLat | None = None
        self.unit_id: int | None = None
        self.setWindowTitle(self.tr("Pick the place on the map"))
        self.resize(760, 640)
        boxes = [s.polygon.bbox() for s in shapes] or [(0.0, 0.0, 1.0, 1.0)]
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        self.bounds = (x0, y0, x1, y1)
        self.step = max(x1 - x0, y1 - y0) / STEPS

        self.plot = pg.PlotWidget(self, background=theme.color("surface"))
        self.plot.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setAspectLocked(True, ratio=math.cos(math.radians((y0 + y1) / 2)))
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        order = {"village": 0, "grid": 1, "special": 2}
        self.grid_names = sum(s.kind == "grid" for s in shapes) <= GRID_NAMES_UP_TO
        for shape in sorted(shapes, key=lambda s: order.get(s.kind, 1)):
            self._draw(pg, shape)
        self.marker = pg.ScatterPlotItem(
            size=14, symbol="+", pen=pg.mkPen(theme.color("danger"), width=3)
        )
        self.plot.addItem(self.marker)
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.03)
        self.plot.scene().sigMouseClicked.connect(self._clicked)

        self.where = QLabel(self)
        self.where.setWordWrap(True)
        hint = QLabel(
            self.tr("Click, or move with the arrows (Shift: finer); Enter takes the point."),
            self,
        )
        hint.setProperty("role", "muted")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Use this point"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for button in self.buttons.buttons():
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.where)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.move_to(start or ((x0 + x1) / 2, (y0 + y1) / 2))

    def _draw(self, pg: Any, shape: Shape) -> None:
        polygon = QPolygonF([QPointF(x, y) for x, y in shape.polygon.outer])
        item = QGraphicsPolygonItem(polygon)
        fill = theme.color("accent")
        if shape.kind == "village":
            pen = pg.mkPen(theme.color("text"), width=2)
            fill.setAlpha(0)
        elif shape.kind == "special":
            pen = pg.mkPen(theme.color("warning"), width=1.5, style=Qt.PenStyle.DashLine)
            fill = theme.color("warning")
            fill.setAlpha(40)
        else:
            pen = pg.mkPen(theme.color("muted"), width=1)
            fill.setAlpha(22)
        item.setPen(pen)
        item.setBrush(pg.mkBrush(fill))
        self.plot.addItem(item)
        if shape.kind != "grid" or self.grid_names:
            cx, cy = shape.polygon.centroid()
            grid = shape.kind == "grid"
            color = theme.color("muted" if grid else "text")
            label = pg.TextItem(shape.name, color=color, anchor=(0.5, -0.6 if grid else 0.5))
            if not grid:
                font = label.textItem.font()
                font.setBold(True)
                label.setFont(font)
            label.setPos(cx, cy)
            self.plot.addItem(label)

    # --- the point -------------------------------------------------------------------------

    def move_to(self, pt: LonLat) -> None:
        x0, y0, x1, y1 = self.bounds
        lon, lat = min(max(pt[0], x0), x1), min(max(pt[1], y0), y1)
        self.point = (lon, lat)
        self.unit_id = self.locate(self.point)
        self.marker.setData([lon], [lat])
        name = self.names.get(self.unit_id, "") if self.unit_id is not None else ""
        where = name or self.tr("outside every grid")
        self.where.setText(f"{lon:.5f}, {lat:.5f}  —  {where}")
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.unit_id is not None)

    def _clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        view = self.plot.getPlotItem().getViewBox()
        pos = view.mapSceneToView(event.scenePos())
        self.move_to((float(pos.x()), float(pos.y())))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        moves = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, 1),
            Qt.Key.Key_Down: (0, -1),
        }
        key = event.key()
        if key in moves and self.point is not None:
            fine = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            step = self.step / (5 if fine else 1)
            dx, dy = moves[Qt.Key(key)]
            self.move_to((self.point[0] + dx * step, self.point[1] + dy * step))
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.unit_id is not None:
                self.accept()
            return
        super().keyPressEvent(event)
