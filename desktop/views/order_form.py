"""The order editor's form: every field of the order, editable ones as inputs (those
``core.workflow.intake.edit`` accepts), the rest as text, and a field-by-field undo.

Values are kept in "form space" (stripped text, codes, "" for none) so that comparing
with what was read tells what this user changed; ``changes`` turns them into core's.
The caller's full number is never here: the phone box starts empty, showing the masked
number as a hint, and a full number appears only through ``core.privacy``'s logged read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.errors import FieldError, ValidationError
from core.workflow.context import Reference
from core.workflow.model import Aggregate
from desktop import labels
from desktop.feed import Session

PARTY_KEYS = ("name", "role", "phone", "id_number", "address")
LINES = (
    "title",
    "caller_name",
    "phone",
    "address",
    "lon",
    "lat",
    "dispute_type",
    "leader_responsible",
    "external_ref",
    "upstream_due",
    "police_incident_no",
)
CHECKS = ("anonymous", "confidential")
DUE_FORMAT = "%Y-%m-%d %H:%M"


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


def clean_parties(rows: Any) -> list[dict[str, str]]:
    """Parties as stored: trimmed, empty fields and empty rows left out."""
    out = []
    for p in rows or []:
        entry = {k: str(p.get(k) or "").strip() for k in PARTY_KEYS}
        entry = {k: v for k, v in entry.items() if v}
        if entry:
            out.append(entry)
    return out


def _line_setter(edit: QLineEdit) -> Callable[[Any], None]:
    return lambda v: edit.setText(as_text(v))


def _check_setter(box: QCheckBox) -> Callable[[Any], None]:
    return lambda v: box.setChecked(bool(v))


def _combo_access(combo: QComboBox) -> tuple[Callable[[], Any], Callable[[Any], None]]:
    def get() -> Any:
        return as_text(combo.currentData())

    def put(value: Any) -> None:
        combo.setCurrentIndex(max(0, combo.findData(value)))

    return get, put


class FieldChange(QUndoCommand):
    """One field's change; consecutive changes of the same field merge into one step."""

    def __init__(self, form: OrderForm, key: str, old: Any, new: Any, done: bool) -> None:
        super().__init__(labels.order_field(key))
        self.form, self.key, self.old, self.new = form, key, old, new
        self._skip = done  # the widget already shows ``new``

    def id(self) -> int:
        return 1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, FieldChange) or other.key != self.key:
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)
        return True

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self.form.put(self.key, self.new)

    def undo(self) -> None:
        self.form.put(self.key, self.old)


class OrderForm(QWidget):
    caller_reveal_did_request = Signal(object)  # caller id, None for the first caller

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.undo_stack = QUndoStack(self)
        self.base_values: dict[str, Any] = {}
        self._shown: dict[str, Any] = {}
        self._quiet = 0
        self._editable = False
        self._get: dict[str, Callable[[], Any]] = {}
        self._set: dict[str, Callable[[Any], None]] = {}

        self.lines = {k: QLineEdit(self) for k in LINES}
        self.title_edit = self.lines["title"]
        self.title_edit.setMaxLength(200)
        self.lines["upstream_due"].setPlaceholderText("YYYY-MM-DD HH:MM")
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setMinimumHeight(110)
        self.description_edit.setTabChangesFocus(True)
        self.checks = {
            "anonymous": QCheckBox(self.tr("Anonymous"), self),
            "confidential": QCheckBox(self.tr("Confidential (informant hidden)"), self),
        }
        self.combos = {
            k: QComboBox(self)
            for k in (
                "category_node_id",
                "limit_class",
                "request_type",
                "urgency",
                "risk_grade",
                "mediation_outcome",
            )
        }
        for key, table in (
            ("limit_class", labels.LIMIT_CLASSES),
            ("request_type", labels.REQUEST_TYPES),
            ("urgency", labels.URGENCIES),
        ):
            for code in table:
                self.combos[key].addItem(labels.label(table, code), code)
        for key, table in (
            ("risk_grade", labels.RISK_GRADES),
            ("mediation_outcome", labels.MEDIATION_OUTCOMES),
        ):
            self.combos[key].addItem("—", "")
            for code in table:
                self.combos[key].addItem(labels.label(table, code), code)
        self.parties = QTableWidget(0, len(PARTY_KEYS), self)
        self.parties.setHorizontalHeaderLabels(
            [
                self.tr("Name"),
                self.tr("Role"),
                self.tr("Phone"),
                self.tr("ID number"),
                self.tr("Address"),
            ]
        )
        self.parties.verticalHeader().hide()
        self.parties.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.parties.horizontalHeader().setStretchLastSection(True)
        self.parties.setMinimumHeight(90)
        self.add_party = QPushButton(self.tr("Add party"), self)
        self.remove_party = QPushButton(self.tr("Remove party"), self)
        self.add_party.clicked.connect(self._add_party)
        self.remove_party.clicked.connect(self._remove_party)
        self.callers = QTableWidget(0, 3, self)
        self.callers.setHorizontalHeaderLabels(
            [self.tr("Caller"), self.tr("Phone (masked)"), self.tr("How added")]
        )
        self.callers.verticalHeader().hide()
        self.callers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.callers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.callers.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.callers.setMinimumHeight(90)
        self.callers.setMaximumHeight(130)
        self.reveal_button = QPushButton(self.tr("Show full number…"), self)
        self.reveal_button.setToolTip(self.tr("Shows the selected caller's number; logged"))
        self.reveal_button.clicked.connect(self._reveal_selected)
        self.info: dict[str, QLabel] = {}
        self._bind()
        self._layout()

    # --- building ----------------------------------------------------------------------

    def _bind(self) -> None:
        for key, edit in self.lines.items():
            self._get[key] = edit.text
            self._set[key] = _line_setter(edit)
            edit.textChanged.connect(lambda _t, k=key: self._changed(k))
        self._get["description"] = self.description_edit.toPlainText
        self._set["description"] = lambda v: self.description_edit.setPlainText(as_text(v))
        self.description_edit.textChanged.connect(lambda: self._changed("description"))
        for key, box in self.checks.items():
            self._get[key] = box.isChecked
            self._set[key] = _check_setter(box)
            box.toggled.connect(lambda _c, k=key: self._changed(k))
        for key, combo in self.combos.items():
            self._get[key], self._set[key] = _combo_access(combo)
            combo.currentIndexChanged.connect(lambda _i, k=key: self._changed(k))
        self._get["parties"] = self._read_parties
        self._set["parties"] = self._write_parties
        self.parties.itemChanged.connect(lambda _i: self._changed("parties"))

    def _layout(self) -> None:
        f = labels.order_field

        def group(title: str) -> tuple[QGroupBox, QFormLayout]:
            box = QGroupBox(title, self)
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            return box, form

        request, rf = group(self.tr("Request"))
        rf.addRow(f("title"), self.title_edit)
        rf.addRow(f("description"), self.description_edit)
        rf.addRow(f("category_node_id"), self.combos["category_node_id"])
        rf.addRow(f("request_type"), self.combos["request_type"])
        rf.addRow(f("urgency"), self.combos["urgency"])
        rf.addRow(f("limit_class"), self.combos["limit_class"])
        caller, cf = group(self.tr("Caller"))
        cf.addRow(f("caller_name"), self.lines["caller_name"])
        cf.addRow(f("phone"), self.lines["phone"])
        flags = QHBoxLayout()
        flags.addWidget(self.checks["anonymous"])
        flags.addWidget(self.checks["confidential"])
        cf.addRow(flags)
        cf.addRow(self.callers)
        cf.addRow(self.reveal_button)
        location, lf = group(self.tr("Location"))
        lf.addRow(f("address"), self.lines["address"])
        lf.addRow(self.tr("Longitude"), self.lines["lon"])
        lf.addRow(self.tr("Latitude"), self.lines["lat"])
        self._info(lf, "location_unit", self.tr("Location unit"))
        dispute, df = group(self.tr("Dispute"))
        df.addRow(f("dispute_type"), self.lines["dispute_type"])
        df.addRow(f("risk_grade"), self.combos["risk_grade"])
        df.addRow(f("parties"), self.parties)
        party_buttons = QHBoxLayout()
        party_buttons.addWidget(self.add_party)
        party_buttons.addWidget(self.remove_party)
        party_buttons.addStretch(1)
        df.addRow(party_buttons)
        df.addRow(f("leader_responsible"), self.lines["leader_responsible"])
        df.addRow(f("mediation_outcome"), self.combos["mediation_outcome"])
        source, sf = group(self.tr("Source"))
        self._info(sf, "channel", self.tr("Channel"))
        sf.addRow(f("external_ref"), self.lines["external_ref"])
        sf.addRow(f("upstream_due"), self.lines["upstream_due"])
        sf.addRow(f("police_incident_no"), self.lines["police_incident_no"])
        status = QGroupBox(self.tr("Status"), self)
        grid = QGridLayout(status)
        names = self._status_names()
        for i, (key, name) in enumerate(names.items()):
            label = QLabel(name, status)
            label.setProperty("role", "muted")
            value = QLabel(status)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.info[key] = value
            row, col = divmod(i, 2)
            grid.addWidget(label, row, col * 2)
            grid.addWidget(value, row, col * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        layout = QGridLayout(self)
        left, right = QVBoxLayout(), QVBoxLayout()
        for box in (request, location, source):
            left.addWidget(box)
        for box in (caller, dispute):
            right.addWidget(box)
        left.addStretch(1)
        right.addStretch(1)
        layout.addLayout(left, 0, 0)
        layout.addLayout(right, 0, 1)
        layout.addWidget(status, 1, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)

    def _info(self, form: QFormLayout, key: str, name: str) -> None:
        value = QLabel(self)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info[key] = value
        form.addRow(name, value)

    def _status_names(self) -> dict[str, str]:
        return {
            "state": self.tr("State"),
            "registered_at": self.tr("Registered"),
            "lead": self.tr("Handling unit"),
            "tier": self.tr("Tier (planned)"),
            "centre": self.tr("Centre"),
            "closed_at": self.tr("Closed"),
            "counts": self.tr("Returns / reworks / reopens"),
            "more_counts": self.tr("Escalations / supervisions / extensions"),
            "visit": self.tr("Return visit (attempts)"),
            "pending": self.tr("Request awaiting decision"),
            "answer_text": self.tr("Answer on the spot"),
            "result_text": self.tr("Result"),
            "ended": self.tr("Merged, transferred or voided"),
            "updated_at": self.tr("Last change"),
        }

    # --- showing -------------------------------------------------------------------------

    def show_order(
        self, agg: Aggregate, ref: Reference, values: dict[str, Any], base: dict[str, Any]
    ) -> None:
        o = agg.order
        self.base_values = dict(base)
        self._fill_categories(ref, o.category_node_id)
        tz = self.session.tz
        org = ref.org

        def unit(uid: int | None) -> str:
            found = org.find(uid)
            return found.name if found is not None else ("—" if uid is None else str(uid))

        def when(at: datetime | None) -> str:
            return "—" if at is None else f"{at.astimezone(tz):%Y-%m-%d %H:%M}"

        req = o.pending_request or {}
        ended = (
            o.transfer_destination
            or o.void_reason
            or (str(o.merged_into_id) if o.merged_into_id else "")
        )
        shown = {
            "state": labels.state(o.state),
            "registered_at": when(o.registered_at),
            "lead": unit(o.lead_unit_id),
            "tier": f"{as_text(o.tier) or '—'} ({as_text(o.planned_tier) or '—'})",
            "centre": unit(o.centre_unit_id),
            "closed_at": when(o.closed_at),
            "counts": f"{o.return_count} / {o.rework_count} / {o.reopen_count}",
            "more_counts": f"{o.escalation_count} / {o.supervision_count} / {o.extension_count}",
            "visit": f"{labels.label(labels.VISIT_RESULTS, o.visit_result or '') or '—'}"
            f" ({o.visit_attempts})",
            "pending": f"{req.get('type', '—')} {req.get('reason', '')}".strip(),
            "answer_text": o.answer_text or "—",
            "result_text": o.result_text or "—",
            "ended": ended or "—",
            "updated_at": when(o.updated_at),
            "location_unit": unit(o.location_unit_id),
            "channel": labels.channel(o.channel),
        }
        for key, text in shown.items():
            self.info[key].setText(text)
        self.lines["phone"].setPlaceholderText(o.phone_masked or "")
        hidden = self.tr("Hidden: confidential order") if o.confidential else ""
        self.lines["caller_name"].setPlaceholderText(hidden)
        self._fill_callers(agg)
        self._quiet += 1
        try:
            for key, value in values.items():
                self._set[key](value)
        finally:
            self._quiet -= 1
        self._shown = {k: self._get[k]() for k in self._get}

    def _fill_categories(self, ref: Reference, current: str) -> None:
        box = self.combos["category_node_id"]
        if box.count():
            return
        self._quiet += 1
        try:
            cats = sorted(ref.categories.selectable(), key=lambda c: c.code)
            for cat in cats:
                box.addItem(f"{cat.code} {cat.name}", cat.node_id)
            extra = ref.categories.get(current)
            if box.findData(current) < 0 and extra is not None:
                box.addItem(f"{extra.code} {extra.name}", extra.node_id)
            box.setEditable(True)
            box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            completer = QCompleter([box.itemText(i) for i in range(box.count())], box)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            box.setCompleter(completer)
        finally:
            self._quiet -= 1

    def _fill_callers(self, agg: Aggregate) -> None:
        o = agg.order
        rows: list[tuple[int | None, str, str, str]] = []
        if not o.confidential and (o.caller_shown or o.phone_masked):
            rows.append((None, o.caller_shown or "", o.phone_masked or "", self.tr("First caller")))
        sources = {"added": self.tr("Added"), "merged": self.tr("From a merged order")}
        for c in agg.callers:
            rows.append((c.id, c.name or "", c.phone_masked or "", sources.get(c.source, c.source)))
        self.callers.setRowCount(len(rows))
        for r, (cid, *cells) in enumerate(rows):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, cid)
                self.callers.setItem(r, col, item)
        self.reveal_button.setEnabled(bool(rows))

    def show_number(self, caller_id: int | None, number: str) -> None:
        for r in range(self.callers.rowCount()):
            item = self.callers.item(r, 1)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == caller_id:
                item.setText(number)
                item.setToolTip(self.tr("Shown on request; the read was logged"))

    def _reveal_selected(self) -> None:
        rows = self.callers.selectionModel().selectedRows()
        row = rows[0].row() if rows else 0
        item = self.callers.item(row, 0)
        if item is not None:
            self.caller_reveal_did_request.emit(item.data(Qt.ItemDataRole.UserRole))

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        for edit in self.lines.values():
            edit.setReadOnly(not editable)
        self.description_edit.setReadOnly(not editable)
        for w in (*self.combos.values(), *self.checks.values(), self.add_party, self.remove_party):
            w.setEnabled(editable)
        triggers = (
            QAbstractItemView.EditTrigger.AllEditTriggers
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        self.parties.setEditTriggers(triggers)

    # --- parties ---------------------------------------------------------------------------

    def _read_parties(self) -> list[dict[str, str]]:
        rows = []
        for r in range(self.parties.rowCount()):
            cells = {}
            for c, key in enumerate(PARTY_KEYS):
                item = self.parties.item(r, c)
                cells[key] = item.text() if item is not None else ""
            rows.append(cells)
        return rows

    def _write_parties(self, rows: Any) -> None:
        self._quiet += 1
        try:
            rows = list(rows or [])
            self.parties.setRowCount(len(rows))
            for r, p in enumerate(rows):
                for c, key in enumerate(PARTY_KEYS):
                    self.parties.setItem(r, c, QTableWidgetItem(as_text(p.get(key))))
        finally:
            self._quiet -= 1
        self._shown["parties"] = self._read_parties()

    def _add_party(self) -> None:
        self.parties.insertRow(self.parties.rowCount())
        self._changed("parties")

    def _remove_party(self) -> None:
        row = self.parties.currentRow()
        if row < 0:
            row = self.parties.rowCount() - 1
        if row >= 0:
            self.parties.removeRow(row)
            self._changed("parties")

    # --- values, changes and undo -------------------------------------------------------

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, get in self._get.items():
            value = get()
            if key == "parties":
                value = clean_parties(value)
            elif (isinstance(value, str) and key != "description") or key == "description":
                value = value.strip()
            out[key] = value
        return out

    def changes(self, mine: dict[str, Any], base: Any) -> dict[str, Any]:
        """Form values this user changed, as ``OrderService.edit`` takes them."""
        out: dict[str, Any] = {}
        errors: list[FieldError] = []
        for key, value in mine.items():
            if key in ("lon", "lat"):
                continue
            if key == "upstream_due":
                try:
                    out[key] = (
                        datetime.strptime(value, DUE_FORMAT).replace(tzinfo=self.session.tz)
                        if value
                        else None
                    )
                except ValueError:
                    errors.append(FieldError(key, "unknown_value", {"value": value}))
            elif key in CHECKS or key in ("title", "description"):
                out[key] = value
            else:
                out[key] = value or None
        if "lon" in mine or "lat" in mine:
            now = self.values()
            coords: list[float | None] = []
            for key in ("lon", "lat"):
                try:
                    coords.append(float(now[key]) if now[key] else None)
                except ValueError:
                    errors.append(FieldError("coordinates", "coordinates_not_numbers"))
            if len(coords) == 2:
                lon, lat = coords
                out["location"] = {
                    "lon": lon,
                    "lat": lat,
                    "coord_system": "wgs84",
                    "location_unit_id": None
                    if lon is not None
                    else base.agg.order.location_unit_id,
                }
        if errors:
            raise ValidationError(errors)
        return out

    def put(self, key: str, value: Any) -> None:
        """Show ``value`` in a field without recording it (undo and redo use this)."""
        self._quiet += 1
        try:
            self._set[key](value)
        finally:
            self._quiet -= 1
        self._shown[key] = self._get[key]()

    def _changed(self, key: str) -> None:
        if self._quiet or key not in self._shown:
            return
        new, old = self._get[key](), self._shown[key]
        if new == old:
            return
        self._shown[key] = new
        self.undo_stack.push(FieldChange(self, key, old, new, done=True))

    def revert_all(self) -> None:
        """Every field back as it was read, in one undoable step."""
        changed = [k for k, v in self.values().items() if v != self.base_values.get(k)]
        if not changed:
            return
        self.undo_stack.beginMacro(self.tr("Revert all"))
        for key in changed:
            old = self._shown[key]
            self.undo_stack.push(FieldChange(self, key, old, self.base_values[key], done=False))
        self.undo_stack.endMacro()

    def install_undo_keys(self) -> None:
        """Ctrl+Z in a text box undoes the editor's last field change, not a keystroke."""
        for w in (*self.lines.values(), self.description_edit, self.parties):
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Text boxes keep their own undo for Ctrl+Z; the editor's field undo wins."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Undo):
                self.undo_stack.undo()
                return True
            if event.matches(QKeySequence.StandardKey.Redo):
                self.undo_stack.redo()
                return True
        return super().eventFilter(watched, event)
