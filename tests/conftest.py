"""Shared test setup. No Qt here: tests/core must run without PySide6 installed."""

from __future__ import annotations

import os

# Qt tests render offscreen; set before any QApplication can exist.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
