"""The stale-save dialog: someone saved this order first. Shows what changed, field by
field (as you opened it, your edit, as it is now), and who did what since; offers to
reload, keeping your edits on top of the new version, or to go back to the form."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.history import HistoryLine
from desktop import theme


class StaleSaveDialog(QDialog):
    def __init__(
        self,
        tz: ZoneInfo,
        base: dict[str, Any],
        mine: dict[str, Any],
        current: dict[str, Any],
        lines: list[HistoryLine],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Someone saved this order first"))
        self.setMinimumSize(860, 480)
        names = {
            "title": self.tr("Title"),
            "description": self.tr("Description"),
            "address": self.tr("Address"),
            "urgency": self.tr("Urgency"),
        }
        intro = QLabel(
            self.tr(
                "Your changes were not saved: the order was changed after you opened it. "
                "Reload to take the current version; your own edits stay in the form, "
                "and you can then save again."
            ),
            self,
        )
        intro.setWordWrap(True)

        self.fields = QTableWidget(0, 4, self)
        self.fields.setHorizontalHeaderLabels(
            [self.tr("Field"), self.tr("When you opened it"), self.tr("Your edit"), self.tr("Now")]
        )
        for key in names:
            theirs = current.get(key) != base.get(key)
            if key not in mine and not theirs:
                continue
            row = self.fields.rowCount()
            self.fields.insertRow(row)
            cells = (names[key], base.get(key), mine.get(key, base.get(key)), current.get(key))
            for col, value in enumerate(cells):
                item = QTableWidgetItem("" if value is None else str(value))
                item.setToolTip(item.text())
                if col == 3 and theirs:
                    item.setForeground(theme.color("danger"))
                self.fields.setItem(row, col, item)
        self._tidy(self.fields)
        # A handful of rows whose whole text matters (the difference may be at the end).
        self.fields.setWordWrap(True)
        self.fields.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)

        self.events = QTableWidget(len(lines), 3, self)
        self.events.setHorizontalHeaderLabels([self.tr("Time"), self.tr("By"), self.tr("Changed")])
        for row, line in enumerate(lines):
            who = line.actor or self.tr("System")
            what = ", ".join(names.get(f, f) for f in line.fields) or line.kind
            at = line.at.astimezone(tz)
            for col, text in enumerate((f"{at:%H:%M:%S}", who, what)):
                self.events.setItem(row, col, QTableWidgetItem(text))
        self._tidy(self.events)

        buttons = QDialogButtonBox(self)
        self.reload_button = buttons.addButton(
            self.tr("Reload and keep my edits"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.back_button = buttons.addButton(
            self.tr("Back to the form"), QDialogButtonBox.ButtonRole.RejectRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel(self.tr("Fields"), self))
        layout.addWidget(self.fields, 2)
        layout.addWidget(QLabel(self.tr("Changes since you opened it"), self))
        layout.addWidget(self.events, 1)
        layout.addWidget(buttons)
        self.reload_button.setDefault(True)

    @staticmethod
    def _tidy(table: QTableWidget) -> None:
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
