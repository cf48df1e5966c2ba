"""Typed workstation settings over QSettings. Window layouts are stored as the bytes of
``saveGeometry()`` / ``saveState()``, never pickled; a value of the wrong type reads as unset.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter, QWidget

ORGANISATION = "CommandCenter"
APPLICATION = "CommandCenter"


class AppSettings:
    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings(
            QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
        )

    @classmethod
    def at(cls, path: Path) -> AppSettings:
        """Settings in one INI file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    # --- plain values ---------------------------------------------------------------------

    def _str(self, key: str) -> str | None:
        value = self._s.value(key)
        return value if isinstance(value, str) and value else None

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._s.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    @property
    def last_username(self) -> str | None:
        return self._str("login/last_username")

    @last_username.setter
    def last_username(self, value: str) -> None:
        self._s.setValue("login/last_username", value)

    def value(self, key: str) -> str | None:
        """A remembered choice (a page, a queue); None when never stored."""
        return self._str(key)

    def set_value(self, key: str, value: str) -> None:
        self._s.setValue(key, value)

    def save_header(self, name: str, header: QHeaderView) -> None:
        """A list's column widths, order and sort indicator."""
        self._s.setValue(f"headers/{name}", header.saveState())

    def restore_header(self, name: str, header: QHeaderView) -> bool:
        state = self._bytes(f"headers/{name}")
        return state is not None and header.restoreState(state)

    def save_dialog(self, name: str, dialog: QWidget, splitter: QSplitter | None) -> None:
        """A dialog's size and place (and its splitter), for the next time it opens."""
        self._s.setValue(f"dialogs/{name}/geometry", dialog.saveGeometry())
        if splitter is not None:
            self._s.setValue(f"dialogs/{name}/splitter", splitter.saveState())

    def restore_dialog(self, name: str, dialog: QWidget, splitter: QSplitter | None) -> bool:
        geometry = self._bytes(f"dialogs/{name}/geometry")
        restored = geometry is not None and dialog.restoreGeometry(geometry)
        state = self._bytes(f"dialogs/{name}/splitter")
        if splitter is not None and state is not None:
            splitter.restoreState(state)
        return restored

    # --- window layouts -------------------------------------------------------------------

    def save_window(self, name: str, window: QMainWindow, header: QHeaderView | None) -> None:
        self._s.setValue(f"windows/{name}/geometry", window.saveGeometry())
        self._s.setValue(f"windows/{name}/state", window.saveState())
        if header is not None:
            self._s.setValue(f"windows/{name}/header", header.saveState())
        self._s.sync()

    def has_header(self, name: str) -> bool:
        return self._bytes(f"windows/{name}/header") is not None

    def restore_window(self, name: str, window: QMainWindow, header: QHeaderView | None) -> bool:
        """Restore what ``save_window`` stored; False when nothing (valid) was stored."""
        geometry = self._bytes(f"windows/{name}/geometry")
        state = self._bytes(f"windows/{name}/state")
        restored = geometry is not None and window.restoreGeometry(geometry)
        if state is not None:
            window.restoreState(state)
        head = self._bytes(f"windows/{name}/header")
        if header is not None and head is not None:
            header.restoreState(head)
        return restored

    def sync(self) -> None:
        self._s.sync()
