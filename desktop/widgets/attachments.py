"""Attachments as a strip of thumbnails (images) or file icons (documents), and a preview.

Thumbnails are decoded and scaled off the UI thread with ``thumbnail`` (a ``QImage`` is
safe to build in a worker; a ``QPixmap`` is not), then handed to ``set_thumbnail``.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from core.timeline import AttachmentRow
from desktop import labels

THUMB = 96
PREVIEW = 900
MAX_DECODE_BYTES = 20 * 1024 * 1024


def thumbnail(data: bytes, size: int = THUMB) -> QImage | None:
    """A scaled copy of an image file, or None when it cannot be decoded."""
    if len(data) > MAX_DECODE_BYTES:
        return None
    image = QImage.fromData(data)
    if image.isNull():
        return None
    return image.scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{max(1, size // 1024)} KB"


class AttachmentList(QListWidget):
    attachment_did_activate = Signal(int)  # attachment id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 60, THUMB + 56))
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWordWrap(True)
        self.setUniformItemSizes(True)
        self.rows: dict[int, AttachmentRow] = {}
        self.thumbnailed: set[int] = set()
        self.itemActivated.connect(self._activated)

    def set_rows(self, rows: Sequence[AttachmentRow]) -> None:
        self.clear()
        self.thumbnailed = set()
        self.rows = {r.id: r for r in rows}
        doc = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        for r in rows:
            item = QListWidgetItem(doc, f"{r.filename}\n{labels.attachment_kind(r.kind)}", self)
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            item.setToolTip(
                self.tr("{name}\n{kind}, {size}\nadded by {who}").format(
                    name=r.filename,
                    kind=labels.attachment_kind(r.kind),
                    size=_size_text(r.size),
                    who=r.added_by or "—",
                )
            )
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)

    def set_thumbnail(self, attachment_id: int, image: QImage) -> None:
        for i in range(self.count()):
            item = self.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == attachment_id:
                item.setIcon(QPixmap.fromImage(image))
                self.thumbnailed.add(attachment_id)

    def _activated(self, item: QListWidgetItem) -> None:
        self.attachment_did_activate.emit(int(item.data(Qt.ItemDataRole.UserRole)))


class ImagePreview(QDialog):
    """One attachment at a readable size; larger images scroll."""

    def __init__(self, image: QImage, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        if image.width() > PREVIEW or image.height() > PREVIEW:
            image = image.scaled(
                PREVIEW,
                PREVIEW,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.picture = QLabel(self)
        self.picture.setPixmap(QPixmap.fromImage(image))
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea(self)
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(min(image.width() + 60, PREVIEW + 60), min(image.height() + 90, PREVIEW + 90))
