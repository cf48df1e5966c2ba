"""The login dialog. Errors show inline and the dialog stays; Enter logs in. On a demo
database a picker fills in any demo user (display name · unit · roles)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.errors import CoreError
from core.store import Store
from desktop import errors, labels
from desktop.feed import DemoLogin, Session, load_demo, open_session
from desktop.lanes import Lanes, TaskOwner, async_slot
from desktop.settings import AppSettings


class LoginDialog(QDialog):
    demo_did_load = Signal(bool)  # whether this is a demo database
    login_did_fail = Signal(str)  # the message shown

    def __init__(
        self,
        store: Store,
        lanes: Lanes,
        settings: AppSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = TaskOwner()
        self.store = store
        self.lanes = lanes
        self.settings = settings
        self.session: Session | None = None
        self._demo: DemoLogin | None = None

        self.setWindowTitle(self.tr("Sign in — Command Center"))
        self.setMinimumWidth(520)
        title = QLabel(self.tr("Command Center"), self)
        title.setProperty("role", "title")
        subtitle = QLabel(self.tr("Social governance command centre · please sign in"), self)
        subtitle.setProperty("role", "muted")

        self.demo_box = QWidget(self)
        demo_layout = QVBoxLayout(self.demo_box)
        demo_layout.setContentsMargins(0, 0, 0, 0)
        self.demo_picker = QComboBox(self.demo_box)
        self.demo_picker.setMaxVisibleItems(20)
        self.demo_picker.activated.connect(self._pick_demo_user)
        demo_note = QLabel(
            self.tr("Demo database: pick a user to fill in the name and password."), self
        )
        demo_note.setProperty("role", "muted")
        demo_note.setWordWrap(True)
        demo_layout.addWidget(demo_note)
        demo_layout.addWidget(self.demo_picker)
        self.demo_box.hide()

        self.username = QLineEdit(self)
        self.username.setText(settings.last_username or "")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.setSpacing(8)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)

        self.error = QLabel(self)
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()

        self.sign_in = QPushButton(self.tr("Sign in"), self)
        self.sign_in.setDefault(True)
        self.sign_in.clicked.connect(self.submit)
        quit_button = QPushButton(self.tr("Quit"), self)
        quit_button.setAutoDefault(False)
        quit_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(quit_button)
        buttons.addWidget(self.sign_in)

        database = QLabel(self.tr("Database: {url}").format(url=store.url), self)
        database.setProperty("role", "muted")
        database.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(6)
        layout.addWidget(self.demo_box)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        layout.addSpacing(4)
        layout.addWidget(database)
        (self.password if self.username.text() else self.username).setFocus()
        self._load_demo()

    # --- demo picker ----------------------------------------------------------------------

    @async_slot()
    async def _load_demo(self) -> None:
        try:
            demo = await self.lanes.interactive(load_demo, self.store)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._show_error(errors.describe(exc))
            return
        self._demo = demo
        if demo is not None:
            self.demo_picker.addItem(self.tr("Choose a demo user…"))
            for user in demo.users:
                text = f"{user.display_name} · {user.unit_name} · {labels.roles(user.roles)}"
                self.demo_picker.addItem(text, user.username)
            self.demo_box.show()
            self.adjustSize()
        self.demo_did_load.emit(demo is not None)

    def _pick_demo_user(self, index: int) -> None:
        username = self.demo_picker.itemData(index)
        if self._demo is None or not isinstance(username, str):
            return
        self.username.setText(username)
        self.password.setText(self._demo.password)
        self.sign_in.setFocus()

    # --- signing in -----------------------------------------------------------------------

    def submit_with(self, username: str, password: str) -> None:
        self.username.setText(username)
        self.password.setText(password)
        self.submit()

    @async_slot()
    async def submit(self) -> None:
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self._show_error(self.tr("Enter your user name."))
            self.username.setFocus()
            return
        self._set_busy(True)
        try:
            session = await self.lanes.interactive(open_session, self.store, username, password)
        except CoreError as exc:
            self._show_error(errors.describe(exc))
            self.password.clear()
            self.password.setFocus()
            return
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            self._show_error(errors.describe(exc))
            return
        finally:
            self._set_busy(False)
        self.settings.last_username = username
        self.session = session
        self.accept()

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.username, self.password, self.sign_in, self.demo_picker):
            widget.setEnabled(not busy)
        self.sign_in.setText(self.tr("Signing in…") if busy else self.tr("Sign in"))
        if busy:
            self.error.hide()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.login_did_fail.emit(message)

    def done(self, result: int) -> None:
        self.tasks.cancel_all()
        super().done(result)
