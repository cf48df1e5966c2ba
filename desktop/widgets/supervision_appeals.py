"""The supervision page's "申诉" (appeals) tab. PLACEHOLDER, to be filled in.

# TODO(appeals): units appeal a mark (a limit ended overdue, an unsatisfied visit) within
# ``appeal_days`` (EventKind.APPEAL_FILED); a supervisor upholds or dismisses each one
# (EventKind.APPEAL_DECIDED). Build the list and its decisions here, from the appeals
# core, and keep the signature: the page calls ``build_appeals_tab`` once, adds what it
# returns as its last tab, and calls ``close`` on it (if it has one) in ``close_page``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def build_appeals_tab(session: Any, lanes: Any, hub: Any, parent: QWidget) -> QWidget:
    """The appeals tab for ``session``'s user; for now, a note that it is coming."""
    tab = QWidget(parent)
    note = QLabel(
        QCoreApplication.translate(
            "Appeals", "Appeals against overdue and unsatisfied marks will be decided here."
        ),
        tab,
    )
    note.setProperty("role", "muted")
    note.setAlignment(Qt.AlignmentFlag.AlignCenter)
    note.setWordWrap(True)
    layout = QVBoxLayout(tab)
    layout.addWidget(note)
    return tab
