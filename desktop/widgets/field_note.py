"""A field with a small red note under it, for what core refused about that field."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def note_label(parent: QWidget) -> QLabel:
    note = QLabel(parent)
    note.setProperty("role", "error")
    note.setWordWrap(True)
    note.hide()
    return note


def with_note(field: QWidget, parent: QWidget) -> tuple[QWidget, QLabel]:
    """The field and its (hidden) note stacked in one widget for a form row."""
    box = QWidget(parent)
    note = note_label(box)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    field.setParent(box)
    layout.addWidget(field)
    layout.addWidget(note)
    box.setFocusProxy(field)
    return box, note
