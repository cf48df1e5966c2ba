"""Progress while the first run builds the demo county on a worker thread."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QVBoxLayout, QWidget

STEPS = 1000


class DemoProgressDialog(QDialog):
    """Not closable by the user: the build runs to the end (it takes seconds)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("First run — Command Center"))
        self.setMinimumWidth(520)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        heading = QLabel(self.tr("Building a demo county"), self)
        heading.setProperty("role", "title")
        note = QLabel(
            self.tr(
                "This database is empty. A small demo county with towns, villages, grids, "
                "departments, users and work orders is being created so you can try the "
                "program."
            ),
            self,
        )
        note.setWordWrap(True)
        self.stage = QLabel(self.tr("Starting…"), self)
        self.stage.setProperty("role", "muted")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, STEPS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(note)
        layout.addWidget(self.stage)
        layout.addWidget(self.bar)
        self._finished = False

    def show_progress(self, stage: str, fraction: float) -> None:
        """Called on the UI thread (the worker's calls are marshalled here)."""
        self.stage.setText(self.stage_label(stage))
        self.bar.setValue(round(max(0.0, min(1.0, fraction)) * STEPS))

    def stage_label(self, stage: str) -> str:
        """core.demo's stage codes; an unknown one shows the generic text with its code."""
        known = {
            "geography": self.tr("Drawing the county map…"),
            "organisation": self.tr("Creating towns, villages, grids, departments and users…"),
            "orders": self.tr("Creating work orders and their history…"),
            "done": self.tr("Finished."),
        }
        return known.get(stage, self.tr("Building the demo county ({stage})…").format(stage=stage))

    def finish(self) -> None:
        self._finished = True
        self.accept()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finished:
            super().closeEvent(event)
        else:
            event.ignore()

    def reject(self) -> None:  # Escape
        if self._finished:
            super().reject()
