"""The console's 演练内容 box: what a drill runs. A scenario (the shipped examples, listed
by title and id, or any file) or a replay (a 311 export, its mapping, thinned to about N
requests a day); ``make_run`` reads and checks it into a ``DrillRun``, and ``describe``
puts a refusal into words, each problem of a file on its own line with its place and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from core.drill.console import REPLAY, SCENARIO, DrillRun
from core.drill.scenario import load_scenario, shipped
from core.errors import CoreError, ValidationError
from core.resources import RESOURCES
from core.store import Store
from desktop import errors

MAPPINGS = ("nyc311.toml", "la311.toml")
REPLAY_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "replay"
NYC_DAY = "nyc311_2018-10-21_sample.csv"
SCENARIO_ID = Qt.ItemDataRole.UserRole + 1
COUNTY_RATE = 160  # requests a day: NYC's day thinned 42 times


REPLAY_SPEED = 60.0  # a day in 24 minutes
SPEED = Qt.ItemDataRole.UserRole + 2


class DrillSource(QGroupBox):
    kind_did_change = Signal(bool)  # a replay
    speed_did_suggest = Signal(float)  # the chosen scenario's own speed, or a replay's

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("What to run"))
        self.dialog: QFileDialog | None = None
        self.kind_box = QComboBox(self)
        self.kind_box.addItem(self.tr("Scenario (scripted injects)"), SCENARIO)
        self.kind_box.addItem(self.tr("Replay a real day of 311 requests"), REPLAY)
        self.kind_box.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.scenario_box = QComboBox(self)
        for path in shipped():
            self.add_scenario(path)
        self.scenario_box.currentIndexChanged.connect(lambda _i: self.suggest_speed())
        self.scenario_browse = QPushButton(self.tr("Other file…"), self)
        self.scenario_browse.clicked.connect(self._pick_scenario)
        self.replay_edit = QLineEdit(self)
        self.replay_edit.setPlaceholderText(self.tr("a 311 CSV export"))
        if (REPLAY_DIR / NYC_DAY).exists():
            self.replay_edit.setText(str(REPLAY_DIR / NYC_DAY))
        self.replay_browse = QPushButton(self.tr("Choose…"), self)
        self.replay_browse.clicked.connect(self._pick_replay)
        self.mapping_box = QComboBox(self)
        for name in MAPPINGS:
            self.mapping_box.addItem(name, str(RESOURCES / "imports" / name))
        self.thin_spin = QSpinBox(self)
        self.thin_spin.setRange(0, 100_000)
        self.thin_spin.setSingleStep(20)
        self.thin_spin.setValue(COUNTY_RATE)
        self.thin_spin.setSpecialValueText(self.tr("not thinned"))
        self.thin_spin.setSuffix(self.tr(" a day"))
        self.thin_spin.setToolTip(
            self.tr("Thin the replay to about this many requests a day: a county's rate")
        )
        self.thin_spin.setMinimumWidth(140)
        self.scenario_label = QLabel(self.tr("Scenario"), self)
        self.replay_label = QLabel(self.tr("Export"), self)
        self.mapping_label = QLabel(self.tr("Mapping · thinned to"), self)
        grid = QGridLayout(self)
        grid.addWidget(QLabel(self.tr("Kind"), self), 0, 0)
        grid.addWidget(self.kind_box, 0, 1, 1, 3)
        grid.addWidget(self.scenario_label, 1, 0)
        grid.addWidget(self.scenario_box, 1, 1, 1, 2)
        grid.addWidget(self.scenario_browse, 1, 3)
        grid.addWidget(self.replay_label, 2, 0)
        grid.addWidget(self.replay_edit, 2, 1, 1, 2)
        grid.addWidget(self.replay_browse, 2, 3)
        grid.addWidget(self.mapping_label, 3, 0)
        grid.addWidget(self.mapping_box, 3, 1)
        grid.addWidget(self.thin_spin, 3, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        self._kind_changed()

    def is_replay(self) -> bool:
        return bool(self.kind_box.currentData() == REPLAY)

    def _kind_changed(self) -> None:
        replay = self.is_replay()
        for w in (self.scenario_label, self.scenario_box, self.scenario_browse):
            w.setVisible(not replay)
        for v in (self.replay_label, self.replay_edit, self.replay_browse, self.mapping_label):
            v.setVisible(replay)
        self.mapping_box.setVisible(replay)
        self.thin_spin.setVisible(replay)
        self.kind_did_change.emit(replay)
        self.suggest_speed()

    def suggest_speed(self) -> None:
        """Say the speed that suits what is chosen: the scenario's own, 60x for a replay."""
        if self.is_replay():
            self.speed_did_suggest.emit(REPLAY_SPEED)
        else:
            self.speed_did_suggest.emit(float(self.scenario_box.currentData(SPEED) or 1.0))

    def add_scenario(self, path: Path) -> None:
        """The file in the scenario list under its title and id (a broken file under its
        name: starting it says what is wrong)."""
        try:
            found = load_scenario(path)
            name, key, speed = f"{found.title} ({found.id})", found.id, found.speed
        except CoreError:
            name, key, speed = path.name, path.stem, 1.0
        self.scenario_box.addItem(name, str(path))
        at = self.scenario_box.count() - 1
        self.scenario_box.setItemData(at, key, SCENARIO_ID)
        self.scenario_box.setItemData(at, speed, SPEED)
        self.scenario_box.setItemData(at, str(path), Qt.ItemDataRole.ToolTipRole)

    def select_scenario(self, scenario_id: str) -> None:
        at = self.scenario_box.findData(scenario_id, SCENARIO_ID)
        if at >= 0:
            self.scenario_box.setCurrentIndex(at)

    def _pick_scenario(self) -> None:
        def chosen(path: str) -> None:
            self.add_scenario(Path(path))
            self.scenario_box.setCurrentIndex(self.scenario_box.count() - 1)

        self._open(self.tr("Scenario file"), RESOURCES / "drills", "TOML (*.toml)", chosen)

    def _pick_replay(self) -> None:
        folder = REPLAY_DIR if REPLAY_DIR.is_dir() else Path.home()
        self._open(self.tr("311 export"), folder, "CSV (*.csv)", self.replay_edit.setText)

    def _open(self, title: str, folder: Path, pattern: str, chosen: Callable[[str], Any]) -> None:
        """A file dialog opened, not exec()'d (no nested event loop under qasync)."""
        dialog = QFileDialog(self, title, str(folder), pattern)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(chosen)
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.open()
        self.dialog = dialog

    def choice(self, speed: float) -> Choice:
        """What is chosen, as plain values for ``make_run`` on another thread."""
        if self.is_replay():
            return Choice(
                replay=True,
                path=Path(self.replay_edit.text().strip()),
                speed=speed,
                mapping=Path(self.mapping_box.currentData()),
                thin_to=self.thin_spin.value() or None,
            )
        return Choice(replay=False, path=Path(self.scenario_box.currentData()), speed=speed)

    def known(self) -> dict[str, Path]:
        """The listed scenarios by id: a drill that began one shows it before a start."""
        box = self.scenario_box
        return {
            str(box.itemData(i, SCENARIO_ID)): Path(box.itemData(i)) for i in range(box.count())
        }


@dataclass(frozen=True)
class Choice:
    replay: bool
    path: Path  # the scenario file, or the replay's export
    speed: float
    mapping: Path | None = None
    thin_to: int | None = None


def make_run(store: Store, choice: Choice) -> DrillRun:
    """What was chosen, read and checked (the calls are taken in by the centre's first
    active duty officer, as ``drill run`` does). A scenario that already runs in this drill
    goes on at its own pace, not the chosen speed. Any thread (a replay reads its whole
    file): plain values in, no widget touched."""
    from core.auth import acting_user

    actor = acting_user(store, None)
    if actor is None:
        raise CoreError("no_duty_officer")
    if choice.replay:
        if not choice.path.is_file():
            raise CoreError("replay_file_missing", file=str(choice.path))
        assert choice.mapping is not None
        return DrillRun.of_replay(
            store, choice.path, choice.mapping, actor, speed=choice.speed, thin_to=choice.thin_to
        )
    return DrillRun.of_scenario(store, choice.path, actor, speed=choice.speed, keep_pace=True)


def describe(exc: BaseException) -> str:
    """A refusal in words, with each problem of a file on its own line (place and line)."""

    if isinstance(exc, ValidationError):
        return (
            QCoreApplication.translate("DrillConsole", "Refused:")
            + "\n"
            + "\n".join(f"• {e}" for e in exc.errors)
        )
    if isinstance(exc, CoreError):
        p = exc.params
        words = {
            "no_duty_officer": QCoreApplication.translate(
                "DrillConsole", "No active duty officer at the centre to take the calls in."
            ),
            "replay_file_missing": QCoreApplication.translate(
                "DrillConsole", "No such file: {file}"
            ).format(file=p.get("file")),
            "drill_scenario_mismatch": QCoreApplication.translate(
                "DrillConsole",
                "This drill ran scenario “{stored}”: make a new drill database for another one.",
            ).format(stored=p.get("stored")),
            "nothing_to_replay": QCoreApplication.translate(
                "DrillConsole", "No row of {file} could be replayed."
            ).format(file=p.get("file")),
            "report_format": QCoreApplication.translate(
                "DrillConsole", "Save the report as .pdf, .xlsx or .csv."
            ),
        }
        if exc.code in words:
            return words[exc.code]
        detail = ", ".join(f"{k}={v}" for k, v in p.items())
        return f"{errors.describe(exc)} {detail}".strip()
    return errors.describe(exc)
