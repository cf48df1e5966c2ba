"""The intake form's widgets and layout: the call on the left, in the order it is taken
(one Tab stop per field, with Alt mnemonics), what the database knows on the right.

No behaviour beyond the widgets' own; desktop.views.intake brings it to life. Every field
that core validates has a small red note under it (``notes``, keyed by core's field
names, in form order, so the first bad field is the first in the dict).
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.domain.enums import Channel, RequestType, Urgency
from core.errors import FieldError
from core.workflow.intake import OrderDraft
from desktop import labels, theme
from desktop.feed import Session
from desktop.widgets.attachment_list import AttachmentList
from desktop.widgets.caller_panel import CallerPanel
from desktop.widgets.category_box import CategoryBox
from desktop.widgets.choice_bar import ChoiceBar
from desktop.widgets.dispute_box import DisputeBox
from desktop.widgets.duplicate_panel import DuplicatePanel
from desktop.widgets.field_note import note_label, with_note
from desktop.widgets.location_box import LocationBox, Place
from desktop.widgets.suggestion_panel import SuggestionPanel

# Fields core names that show their note under another field's widget.
NOTE_FOR = {
    "coordinates": "address",
    "coord_system": "address",
    "location_unit_id": "address",
    "limit_class": "category_node_id",
    "answer_text": "answer_on_spot",
    "extra_callers": "phone",
    "lead_unit_id": "dispatch",
    "target": "dispatch",
}


class IntakeFields(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.notes: dict[str, tuple[QWidget, QLabel]] = {}
        self.heading = QLabel(self.tr("Hotline intake"), self)
        self.heading.setProperty("role", "title")
        self.keys_hint = QLabel(
            self.tr(
                "Ctrl+Enter save and dispatch · Ctrl+S save only · "
                "Ctrl+R answered on the spot · Ctrl+N new call"
            ),
            self,
        )
        self.keys_hint.setProperty("role", "muted")
        self.banner = QLabel(self)
        self.banner.setProperty("role", "banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        self.general_error = note_label(self)

        page = self.form_page = QWidget(self)
        self.phone_edit = QLineEdit(page)
        self.phone_edit.setMaxLength(40)
        self.phone_edit.setPlaceholderText(self.tr("e.g. 138 1234 5678"))
        self.name_edit = QLineEdit(page)
        self.name_edit.setMaxLength(64)
        self.anonymous_box = QCheckBox(self.tr("&Anonymous"), page)
        self.category_box = CategoryBox(page)
        self.type_bar = ChoiceBar(
            [(t.value, labels.request_type(t.value)) for t in RequestType], page
        )
        self.description_edit = QPlainTextEdit(page)
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setPlaceholderText(self.tr("What the caller says…"))
        self.description_edit.setFixedHeight(112)
        self.title_edit = QLineEdit(page)
        self.title_edit.setMaxLength(200)
        self.title_edit.setPlaceholderText(
            self.tr("Optional: the first line of the description is used")
        )
        self.location_box = LocationBox(page)
        self.urgency_bar = ChoiceBar(
            [(u.value, labels.urgency(u.value)) for u in Urgency], page, default="normal"
        )
        self.channel_box = QComboBox(page)
        for c in Channel:
            self.channel_box.addItem(labels.channel(c.value), c.value)
        self.confidential_box = QCheckBox(self.tr("Con&fidential informant"), page)
        self.dispute_box = DisputeBox(page)
        self.dispute_box.hide()
        self.attachments = AttachmentList(page)
        self.answer_edit = QPlainTextEdit(page)
        self.answer_edit.setTabChangesFocus(True)
        self.answer_edit.setFixedHeight(72)
        self.answer_edit.setPlaceholderText(
            self.tr("The answer given to the caller; Ctrl+R again saves the order closed.")
        )

        self.dispatch_button = QPushButton(self.tr("Save and dispatch   Ctrl+Enter"), self)
        self.dispatch_button.setDefault(True)
        self.save_button = QPushButton(self.tr("Save only   Ctrl+S"), self)
        self.answer_button = QPushButton(self.tr("Answered on the spot   Ctrl+R"), self)
        self.new_button = QPushButton(self.tr("New call   Ctrl+N"), self)
        for button in (self.dispatch_button, self.save_button, self.answer_button):
            button.setAutoDefault(False)
        self.new_button.setAutoDefault(False)

        self.caller_panel = CallerPanel(session.tz, self)
        self.suggestion_panel = SuggestionPanel(self)
        self.duplicate_panel = DuplicatePanel(session.tz, self)
        self._lay_out(page)
        self._tab_order()
        self.location_box.map_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.attachments.add_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    # --- layout ----------------------------------------------------------------------------

    def _noted(self, name: str, field: QWidget, parent: QWidget) -> QWidget:
        box, note = with_note(field, parent)
        self.notes[name] = (field, note)
        return box

    def _label(self, text: str, buddy: QWidget, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        label.setBuddy(buddy)
        label.setMinimumHeight(self.phone_edit.sizeHint().height())
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return label

    def _lay_out(self, page: QWidget) -> None:
        grid = QGridLayout(page)
        grid.setContentsMargins(0, 0, 12, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        rows: list[tuple[str, QWidget, QWidget]] = []

        caller = QWidget(page)
        line = QHBoxLayout(caller)
        line.setContentsMargins(0, 0, 0, 0)
        up = Qt.AlignmentFlag.AlignTop
        line.addWidget(self._noted("phone", self.phone_edit, caller), 3, up)
        line.addSpacing(12)
        line.addWidget(self._label(self.tr("Caller na&me"), self.name_edit, caller), 0, up)
        line.addWidget(self._noted("caller_name", self.name_edit, caller), 3, up)
        line.addSpacing(12)
        line.addWidget(self.anonymous_box, 0, up)
        self.anonymous_box.setParent(caller)
        self.anonymous_box.setMinimumHeight(self.phone_edit.sizeHint().height())
        rows.append((self.tr("&Phone"), self.phone_edit, caller))
        rows.append(
            (
                self.tr("Ca&tegory"),
                self.category_box.line,
                self._noted("category_node_id", self.category_box, page),
            )
        )
        rows.append(
            (
                self.tr("Request t&ype"),
                self.type_bar,
                self._noted("request_type", self.type_bar, page),
            )
        )
        rows.append(
            (
                self.tr("&Description"),
                self.description_edit,
                self._noted("description", self.description_edit, page),
            )
        )
        title = self._noted("title", self.title_edit, page)
        rows.append((self.tr("T&itle"), self.title_edit, title))
        rows.append(
            (
                self.tr("Add&ress"),
                self.location_box.line,
                self._noted("address", self.location_box, page),
            )
        )
        how = QWidget(page)
        line = QHBoxLayout(how)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self._noted("urgency", self.urgency_bar, how), 0, up)
        line.addSpacing(16)
        line.addWidget(self._label(self.tr("C&hannel"), self.channel_box, how), 0, up)
        line.addWidget(self._noted("channel", self.channel_box, how), 0, up)
        line.addSpacing(16)
        self.confidential_box.setParent(how)
        self.confidential_box.setMinimumHeight(self.phone_edit.sizeHint().height())
        line.addWidget(self.confidential_box, 0, up)
        line.addStretch(1)
        rows.append((self.tr("&Urgency"), self.urgency_bar, how))
        for row, (text, buddy, field) in enumerate(rows):
            grid.addWidget(self._label(text, buddy, page), row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(field, row, 1)
        row = len(rows)
        grid.addWidget(self.dispute_box, row, 0, 1, 2)
        for name, pair in self.dispute_box.notes.items():
            self.notes[name] = pair
        attach_label = QLabel(self.tr("Attachments"), page)
        attach_label.setMinimumHeight(self.phone_edit.sizeHint().height())
        grid.addWidget(attach_label, row + 1, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.attachments, row + 1, 1)
        self.answer_label = self._label(self.tr("Answer &given"), self.answer_edit, page)
        self.answer_row = self._noted("answer_on_spot", self.answer_edit, page)
        grid.addWidget(self.answer_label, row + 2, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.answer_row, row + 2, 1)
        self.answer_label.hide()
        self.answer_row.hide()
        grid.setRowStretch(row + 3, 1)

        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        for button in (self.dispatch_button, self.save_button, self.answer_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.new_button)
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(page, 1)
        left.addLayout(buttons)

        dispatch_note = note_label(self.suggestion_panel)
        self.notes["dispatch"] = (self.suggestion_panel.list, dispatch_note)
        self.suggestion_panel.body.addWidget(dispatch_note)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(10)
        right.addWidget(self.caller_panel, 3)
        right.addWidget(self.suggestion_panel, 0)
        right.addWidget(self.duplicate_panel, 5)

        body = QHBoxLayout()
        body.setSpacing(16)
        body.addLayout(left, 5)
        body.addLayout(right, 3)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(self.keys_hint)
        # Everything scrolls as one when the page is smaller than the form (a small
        # window): the form never forces its size on the window that holds it.
        self.content = QWidget(self)
        inner = QVBoxLayout(self.content)
        inner.setContentsMargins(16, 12, 16, 14)
        inner.setSpacing(8)
        inner.addLayout(top)
        inner.addWidget(self.notice)
        inner.addWidget(self.general_error)
        inner.addLayout(body, 1)
        scroll = self.scroll_area = QScrollArea(self)
        scroll.setWidget(self.content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.content.setAutoFillBackground(False)
        scroll.viewport().setAutoFillBackground(False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addWidget(scroll, 1)

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.phone_edit,
            self.name_edit,
            self.anonymous_box,
            self.category_box.line,
            self.type_bar,
            self.description_edit,
            self.title_edit,
            self.location_box.line,
            self.urgency_bar,
            self.channel_box,
            self.confidential_box,
            self.dispute_box.type_box,
            self.dispute_box.risk,
            self.dispute_box.parties,
            self.dispute_box.leader,
            self.answer_edit,
            self.suggestion_panel.list,
            self.duplicate_panel.table,
            self.dispatch_button,
            self.save_button,
            self.answer_button,
            self.new_button,
        ]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.content.isAncestorOf(new):
            self.scroll_area.ensureWidgetVisible(new, 8, 32)

    # --- what core refused ----------------------------------------------------------------

    def error_text(self, e: FieldError) -> str:
        bars = {"request_type": self.type_bar, "risk_grade": self.dispute_box.risk}
        bar = bars.get(e.field)
        if bar is not None and (e.code == "required" or not e.params.get("value")):
            return self.tr("Choose one: press 1–{n}.").format(n=len(bar.codes))
        if e.code == "unknown_value" and not e.params.get("value"):
            return labels.field_error("required", {})
        return labels.field_error(e.code, e.params)

    def show_errors(self, found: tuple[FieldError, ...] | list[FieldError]) -> None:
        """Each refusal under its own field; the first bad field (in form order) gets the
        focus; what core names but the form does not show goes to the general note."""
        texts: dict[str, list[str]] = {}
        general: list[str] = []
        for e in found:
            name = e.field.split("[")[0].split(".")[0]
            name = NOTE_FOR.get(name, name)
            target = self.notes.get(name)
            if target is None or not target[0].isVisibleTo(self):
                general.append(f"{e.field}: {self.error_text(e)}")
                continue
            texts.setdefault(name, []).append(self.error_text(e))
        first: QWidget | None = None
        for name, (widget, note) in self.notes.items():  # in form order
            if name in texts:
                note.setText(" ".join(texts[name]))
                note.show()
                first = first or widget
        if general:
            self.show_general(self.tr("Please correct:") + " " + "; ".join(general))
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_general(self, text: str) -> None:
        self.general_error.setText(text)
        self.general_error.show()

    def hide_note(self, name: str) -> None:
        if name in self.notes:
            self.notes[name][1].hide()

    def clear_notes(self) -> None:
        for _widget, note in self.notes.values():
            note.hide()
        self.general_error.hide()

    # --- state -----------------------------------------------------------------------------

    def notice_ok(self, text: str) -> None:
        ok = theme.color("ok").name()
        self.notice.setStyleSheet(
            f"color: {ok}; border: 1px solid {ok}; border-radius: 3px; padding: 6px 8px;"
            "font-weight: bold;"
        )
        self.notice.setProperty("role", "")
        self.notice.setText(text)
        self.notice.show()

    def notice_warning(self, text: str) -> None:
        self.notice.setStyleSheet("")
        self.notice.setProperty("role", "warning")
        theme.repolish(self.notice)
        self.notice.setText(text)
        self.notice.show()

    def set_fields_locked(self, locked: bool) -> None:
        """A registered order's fields no longer change here (dispatch or merge it)."""
        for w in (
            self.phone_edit,
            self.name_edit,
            self.anonymous_box,
            self.category_box,
            self.type_bar,
            self.description_edit,
            self.title_edit,
            self.location_box,
            self.urgency_bar,
            self.channel_box,
            self.confidential_box,
            self.dispute_box,
            self.attachments,
        ):
            w.setEnabled(not locked)
        if locked:
            self.suggestion_panel.list.setFocus()

    def reset_fields(self) -> None:
        for edit in (self.phone_edit, self.name_edit, self.title_edit):
            edit.clear()
        for plain in (self.description_edit, self.answer_edit):
            plain.clear()
        self.anonymous_box.setChecked(False)
        self.confidential_box.setChecked(False)
        self.category_box.clear()
        self.type_bar.reset()
        self.location_box.clear()
        self.urgency_bar.reset()
        self.channel_box.setCurrentIndex(max(0, self.channel_box.findData(Channel.HOTLINE.value)))
        self.dispute_box.clear()
        self.dispute_box.hide()
        self.attachments.clear()
        self.show_answer(False)

    def show_answer(self, shown: bool = True) -> None:
        self.answer_label.setVisible(shown)
        self.answer_row.setVisible(shown)

    def stop_lines(self) -> None:
        self.category_box.line.stop()
        self.location_box.line.stop()

    # --- what was typed ----------------------------------------------------------------------

    def fields_draft(self, place: Place | None, answer: str | None = None) -> OrderDraft:
        """The call as typed, for core to check (every bad field is reported)."""
        category = self.category_box.category
        d = OrderDraft(
            channel=str(self.channel_box.currentData()),
            request_type=self.type_bar.code or "",
            category_node_id=category.node_id if category else "",
            description=self.description_edit.toPlainText(),
            title=self.title_edit.text(),
            caller_name=self.name_edit.text() or None,
            phone=self.phone_edit.text() or None,
            anonymous=self.anonymous_box.isChecked(),
            confidential=self.confidential_box.isChecked(),
            urgency=self.urgency_bar.code or "normal",
            address=self.location_box.line.text() or None,
            lon=place.lon if place else None,
            lat=place.lat if place else None,
            location_unit_id=place.unit_id if place else None,
            answer_on_spot=answer,
        )
        if category is not None and category.is_dispute:
            for key, value in self.dispute_box.values().items():
                setattr(d, key, value)
        return d

    def typed_anything(self) -> bool:
        texts = (
            self.phone_edit.text(),
            self.name_edit.text(),
            self.category_box.line.text(),
            self.description_edit.toPlainText(),
            self.title_edit.text(),
            self.location_box.line.text(),
            self.answer_edit.toPlainText(),
        )
        return (
            any(t.strip() for t in texts)
            or self.type_bar.code is not None
            or bool(self.attachments.pending)
            or self.dispute_box.has_input()
        )
