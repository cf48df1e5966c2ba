"""The address at intake: typed with completion from the standard-address table, or a
point picked on the map; either way it shows the grid, the village, the town and the
grid worker the order will land with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from core.addresses import AddressMatch
from desktop import theme
from desktop.widgets.suggest_line import SuggestLine


@dataclass(frozen=True)
class Place:
    """Where the call is about, resolved to a unit of the org tree."""

    unit_id: int  # the grid (or the finest territorial unit found)
    lon: float | None
    lat: float | None
    grid: str | None
    village: str | None
    town: str | None
    workers: tuple[str, ...]  # grid workers: "name (phone)"
    from_map: bool = False


class LocationBox(QWidget):
    text_did_settle = Signal(str)  # look the text up in the standard-address table
    address_did_pick = Signal(object)  # AddressMatch
    place_did_clear = Signal()  # the text changed after a pick: the location is gone
    map_was_asked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.place: Place | None = None
        self.line = SuggestLine(self, delay_ms=250, rows=8, min_width=480)
        self.line.setPlaceholderText(self.tr("Street and number, village, building…"))
        self.line.setMaxLength(256)
        self.setFocusProxy(self.line)
        self.map_button = QPushButton(self.tr("Map… (Ctrl+G)"), self)
        self.map_button.setAutoDefault(False)
        self.map_button.clicked.connect(self.map_was_asked)
        self.info = QLabel(self)
        self.info.setProperty("role", "muted")
        self.info.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.line, 1)
        row.addWidget(self.map_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.info)
        self.line.text_did_settle.connect(self.text_did_settle)
        self.line.textEdited.connect(self._edited)
        self.line.item_did_pick.connect(self._picked)
        self.show_place(None)

    def set_matches(self, matches: Sequence[AddressMatch]) -> None:
        rows = [(f"{m.address}   ·  {m.unit_name}", m) for m in matches]
        self.line.set_items(rows)
        if self.line.text().strip() and not matches and self.place is None:
            self.info.setText(
                self.tr(
                    "Not in the standard-address table: kept as text. "
                    "Ctrl+G picks the point on the map."
                )
            )

    def _picked(self, match: AddressMatch) -> None:
        self.line.setText(match.address)
        self.address_did_pick.emit(match)

    def _edited(self, _text: str) -> None:
        if self.place is not None and not self.place.from_map:
            self.show_place(None)
            self.place_did_clear.emit()

    def show_place(self, place: Place | None) -> None:
        self.place = place
        if place is None:
            self.info.setText(
                self.tr("Type, then ↑ ↓ and Enter to pick a standard address; or Ctrl+G.")
            )
            self.info.setProperty("role", "muted")
        else:
            parts = []
            if place.town:
                parts.append(self.tr("Town: {name}").format(name=place.town))
            if place.village:
                parts.append(self.tr("Village: {name}").format(name=place.village))
            if place.grid:
                parts.append(self.tr("Grid: {name}").format(name=place.grid))
                if place.workers:
                    sep = QCoreApplication.translate("Labels", ", ")
                    workers = sep.join(place.workers)
                    parts.append(self.tr("Grid worker: {names}").format(names=workers))
                else:
                    parts.append(self.tr("no grid worker registered"))
            if place.from_map and place.lon is not None and place.lat is not None:
                parts.append(
                    self.tr("map point {lon:.5f}, {lat:.5f}").format(lon=place.lon, lat=place.lat)
                )
            self.info.setText("  ·  ".join(parts))
            self.info.setProperty("role", "")
        theme.repolish(self.info)

    def clear(self) -> None:
        self.line.stop()
        self.line.clear()
        self.line.set_items([])
        self.show_place(None)
