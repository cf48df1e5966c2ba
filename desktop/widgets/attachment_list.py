"""Files to attach to the order being taken: dropped on the form or chosen in a dialog,
stored after the order is registered. A file core would refuse (empty, too large, not a
file) is refused here at once, by name and with the reason; the others stay."""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.domain.enums import AttachmentKind
from core.workflow.intake import ATTACHMENT_MAX_BYTES
from desktop import labels


@dataclass(frozen=True)
class PendingFile:
    path: Path
    kind: str  # core.domain.enums.AttachmentKind
    mime: str
    size: int


@dataclass(frozen=True)
class Refusal:
    filename: str
    code: str  # a FieldError code: labels.FIELD_ERRORS
    params: dict[str, object]

    def text(self) -> str:
        return f"{self.filename}: {labels.field_error(self.code, self.params)}"


def check_file(path: Path) -> PendingFile | Refusal:
    """What core would refuse anyway, found before the officer moves on."""
    try:
        if not path.is_file():
            return Refusal(path.name, "not_a_file", {})
        size = path.stat().st_size
    except OSError:
        return Refusal(path.name, "unreadable", {})
    if size == 0:
        return Refusal(path.name, "empty_file", {})
    if size > ATTACHMENT_MAX_BYTES:
        return Refusal(path.name, "file_too_large", {"max": ATTACHMENT_MAX_BYTES, "size": size})
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    kind = AttachmentKind.PHOTO_BEFORE if mime.startswith("image/") else AttachmentKind.DOCUMENT
    return PendingFile(path, kind.value, mime, size)


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


class AttachmentList(QWidget):
    files_did_change = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pending: list[PendingFile] = []
        self.list = QListWidget(self)
        self.list.setMaximumHeight(64)
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.list.installEventFilter(self)
        self.add_button = QPushButton(self.tr("Add files… (Ctrl+O)"), self)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.choose)
        self.hint = QLabel(self.tr("or drop files on the form"), self)
        self.hint.setProperty("role", "muted")
        self.refused = QLabel(self)
        self.refused.setProperty("role", "warning")
        self.refused.setWordWrap(True)
        self.refused.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.add_button)
        row.addWidget(self.hint)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addWidget(self.refused)
        self._sync()

    def add_paths(self, paths: Iterable[Path]) -> list[Refusal]:
        refused: list[Refusal] = []
        known = {f.path for f in self.pending}
        for path in paths:
            checked = check_file(Path(path))
            if isinstance(checked, Refusal):
                refused.append(checked)
            elif checked.path not in known:
                self.pending.append(checked)
                known.add(checked.path)
        self._sync()
        self.show_refused(refused)
        return refused

    def choose(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Attach files"))
        if names:
            self.add_paths(Path(n) for n in names)

    def show_refused(self, refused: Sequence[Refusal]) -> None:
        if not refused:
            self.refused.hide()
            return
        head = self.tr("Not attached:")
        self.refused.setText(head + "\n" + "\n".join(r.text() for r in refused))
        self.refused.show()

    def remove_current(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.pending):
            del self.pending[row]
            self._sync()

    def clear(self) -> None:
        self.pending.clear()
        self.refused.hide()
        self._sync()

    def _sync(self) -> None:
        self.list.clear()
        for f in self.pending:
            item = QListWidgetItem(
                f"{f.path.name}   ·  {labels.attachment_kind(f.kind)}  ·  {_size(f.size)}"
            )
            item.setToolTip(str(f.path))
            self.list.addItem(item)
        self.list.setVisible(bool(self.pending))
        self.files_did_change.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.list
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self.remove_current()
            return True
        return False
