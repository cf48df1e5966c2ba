"""The fields a dispute (矛盾纠纷) carries at intake: its type, the risk grade, the parties
and the leader responsible (领导包案). Shown only while a dispute category is chosen."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from core.domain.enums import RiskGrade
from desktop import labels
from desktop.widgets.choice_bar import ChoiceBar
from desktop.widgets.field_note import with_note

_SPLIT = re.compile(r"[,，、;；]+")


class DisputeBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Dispute"), parent)
        self.type_box = QComboBox(self)
        self.type_box.setEditable(True)
        self.type_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for text in (
            self.tr("Neighbours"),
            self.tr("Marriage and family"),
            self.tr("Land and property"),
            self.tr("Labour and wages"),
            self.tr("Property management"),
            self.tr("Consumer"),
            self.tr("Medical"),
        ):
            self.type_box.addItem(text)
        self.type_box.setCurrentIndex(-1)
        typed = self.type_box.lineEdit()
        assert typed is not None  # editable
        typed.setMaxLength(64)
        typed.setPlaceholderText(self.tr("Type or choose"))
        self.risk = ChoiceBar([(g.value, labels.risk_grade(g.value)) for g in RiskGrade], self)
        self.parties = QLineEdit(self)
        self.parties.setPlaceholderText(self.tr("Names, separated by commas"))
        self.leader = QLineEdit(self)
        self.leader.setMaxLength(64)
        self.leader.setPlaceholderText(self.tr("Leader who takes charge of the case"))
        self.notes: dict[str, tuple[QWidget, QLabel]] = {}
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for name, text, field in (
            ("dispute_type", self.tr("Dispute &type"), self.type_box),
            ("risk_grade", self.tr("Ris&k grade"), self.risk),
            ("parties", self.tr("&Parties"), self.parties),
            ("leader_responsible", self.tr("&Leader responsible"), self.leader),
        ):
            box, note = with_note(field, self)
            label = QLabel(text, self)
            label.setBuddy(field)
            self.form.addRow(label, box)
            self.notes[name] = (field, note)

    def values(self) -> dict[str, Any]:
        names = [n.strip() for n in _SPLIT.split(self.parties.text()) if n.strip()]
        return {
            "dispute_type": self.type_box.currentText().strip() or None,
            "risk_grade": self.risk.code,
            "parties": [{"name": n} for n in names] or None,
            "leader_responsible": self.leader.text().strip() or None,
        }

    def has_input(self) -> bool:
        return any(v for v in self.values().values())

    def clear(self) -> None:
        self.type_box.setCurrentIndex(-1)
        self.type_box.clearEditText()
        self.risk.reset()
        self.parties.clear()
        self.leader.clear()
