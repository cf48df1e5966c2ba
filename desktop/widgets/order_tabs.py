"""The order editor's tabs: the form, the assignments with the assisting units' answers,
the timeline, the attachments, and the marks against units (screening and appeals)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from desktop.widgets.attachments import AttachmentList
from desktop.widgets.marks_panel import MarksPanel
from desktop.widgets.timeline import AssistTable, HopTree, TimelineView


class OrderTabs(QTabWidget):
    def __init__(self, form: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUsesScrollButtons(True)  # five tabs must not widen a narrow editor
        self.hops = HopTree(self)
        self.assists = AssistTable(self)
        self.timeline = TimelineView(self)
        self.attachments = AttachmentList(self)
        self.marks = MarksPanel(self)
        scroll = QScrollArea(self)
        scroll.setWidget(form)
        scroll.setWidgetResizable(True)
        self.addTab(scroll, self.tr("Details"))
        hop_page = QWidget(self)
        hop_layout = QVBoxLayout(hop_page)
        hop_layout.addWidget(self.hops, 3)
        hop_layout.addWidget(QLabel(self.tr("Assisting units' answers"), hop_page))
        hop_layout.addWidget(self.assists, 2)
        self.addTab(hop_page, self.tr("Assignments"))
        self.addTab(self.timeline, self.tr("Timeline"))
        att_page = QWidget(self)
        att_layout = QVBoxLayout(att_page)
        hint = QLabel(self.tr("Double-click an image to see it larger."), att_page)
        hint.setProperty("role", "muted")
        att_layout.addWidget(hint)
        att_layout.addWidget(self.attachments)
        self.addTab(att_page, self.tr("Attachments"))
        self.addTab(self.marks, self.tr("Marks"))
