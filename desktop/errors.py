"""The one error path: every failure the UI did not handle on the spot ends here.

``describe`` turns core's codes into a translated sentence; ``report`` logs the failure and
shows it. ``install`` routes ``sys.excepthook`` (where qasync and Qt send slot errors) here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from core.errors import (
    AuthError,
    CoreError,
    IllegalTransition,
    OutOfJurisdiction,
    PermissionDenied,
    SchemaMismatch,
    StaleVersion,
)

log = logging.getLogger("desktop")

Reporter = Callable[[BaseException], None]
_reporter: Reporter | None = None


def is_connection_error(exc: BaseException) -> bool:
    """The database is unreachable (as opposed to refusing what we asked)."""
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def title() -> str:
    return QCoreApplication.translate("Errors", "Command Center")


def describe(exc: BaseException) -> str:
    if isinstance(exc, AuthError):
        return QCoreApplication.translate(
            "Errors", "Wrong user name or password. Please try again."
        )
    if isinstance(exc, SchemaMismatch):
        if exc.code == "schema_older":
            return QCoreApplication.translate(
                "Errors",
                "The database schema is older than this program. "
                "Ask the administrator to run “main.py db upgrade”.",
            )
        if exc.code == "schema_newer":
            return QCoreApplication.translate(
                "Errors",
                "The database was upgraded by a newer version of this program. "
                "Install that version on this workstation.",
            )
        return QCoreApplication.translate(
            "Errors", "The database has no schema yet. Run “main.py db upgrade” first."
        )
    if is_connection_error(exc):
        return QCoreApplication.translate(
            "Errors", "Cannot reach the database. Check the network or ask the administrator."
        )
    if isinstance(exc, CoreError):
        return _refusal(exc)
    return QCoreApplication.translate("Errors", "Unexpected error: {error}").format(
        error=f"{type(exc).__name__}: {exc}"
    )


def _refusal(exc: CoreError) -> str:
    """Core refused: say why in words where the code says enough, else name the code."""
    from desktop import labels

    state = exc.params.get("state")
    if isinstance(exc, IllegalTransition) and isinstance(state, str):
        return QCoreApplication.translate(
            "Errors", "Not possible while the order is “{state}”."
        ).format(state=labels.state(state))
    if isinstance(exc, StaleVersion):
        return QCoreApplication.translate(
            "Errors", "Someone else changed the order first: reload it and try again."
        )
    if isinstance(exc, OutOfJurisdiction):
        return QCoreApplication.translate(
            "Errors", "The order is outside your unit's jurisdiction."
        )
    if exc.code == "not_a_drill_database":
        return QCoreApplication.translate(
            "Errors",
            "{url} is not a drill database: drills never touch live data. "
            "Make one with “main.py drill create”.",
        ).format(url=exc.params.get("url", ""))
    if isinstance(exc, PermissionDenied) and exc.code == "role_required":
        return QCoreApplication.translate("Errors", "Your role may not do this.")
    reason = exc.params.get("reason")
    if isinstance(reason, str):
        return QCoreApplication.translate(
            "Errors", "The request was refused ({code}: {reason})."
        ).format(code=exc.code, reason=reason)
    return QCoreApplication.translate("Errors", "The request was refused ({code}).").format(
        code=exc.code
    )


def _show(exc: BaseException) -> None:
    parent: QWidget | None = QApplication.activeWindow()
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        title(),
        describe(exc),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    box.open()


def report(exc: BaseException) -> None:
    """Log and show one failure. Tests install their own reporter (see ``set_reporter``)."""
    log.error("unhandled error", exc_info=(type(exc), exc, exc.__traceback__))
    if _reporter is not None:
        _reporter(exc)
    elif QApplication.instance() is not None:
        _show(exc)


def set_reporter(reporter: Reporter | None) -> Reporter | None:
    global _reporter
    previous, _reporter = _reporter, reporter
    return previous


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    report(exc.with_traceback(tb))


def install() -> None:
    sys.excepthook = _excepthook
