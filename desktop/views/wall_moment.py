"""Choose the past moment the wall shows (time travel, for briefings: "what did it look like
at 14:00 yesterday?"). Local time of the county; a moment in the future is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Signal
from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class MomentDialog(QDialog):
    moment_did_choose = Signal(object)  # an aware datetime, or None for live

    def __init__(self, start: datetime, tz: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tz = tz
        self.setWindowTitle(self.tr("Show the county as it was at …"))
        self.edit = QDateTimeEdit(self)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.edit.setCalendarPopup(True)
        self.set_local(start.astimezone(tz))
        self.error = QLabel(self)
        self.error.setProperty("role", "error")
        self.error.hide()
        quick = QHBoxLayout()
        yesterday = QPushButton(self.tr("Yesterday 14:00"), self)
        yesterday.clicked.connect(self._yesterday_afternoon)
        hour = QPushButton(self.tr("An hour ago"), self)
        hour.clicked.connect(lambda: self.set_local(datetime.now(tz) - timedelta(hours=1)))
        live = QPushButton(self.tr("Live"), self)
        live.clicked.connect(self._live)
        for b in (yesterday, hour, live):
            quick.addWidget(b)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Moment (county time):"), self))
        layout.addWidget(self.edit)
        layout.addLayout(quick)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def set_local(self, moment: datetime) -> None:
        local = moment.astimezone(self.tz)
        self.edit.setDateTime(
            QDateTime(local.year, local.month, local.day, local.hour, local.minute, 0)
        )

    def chosen(self) -> datetime:
        """The edited moment, aware, in the county's zone."""
        q = self.edit.dateTime()
        d, t = q.date(), q.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=self.tz)

    def _yesterday_afternoon(self) -> None:
        day = datetime.now(self.tz) - timedelta(days=1)
        self.set_local(day.replace(hour=14, minute=0, second=0, microsecond=0))

    def _live(self) -> None:
        self.moment_did_choose.emit(None)
        self.accept()

    def _accept(self) -> None:
        moment = self.chosen()
        if moment > datetime.now(UTC):
            self.error.setText(self.tr("That moment is in the future: choose a past one."))
            self.error.show()
            return
        self.moment_did_choose.emit(moment)
        self.accept()
