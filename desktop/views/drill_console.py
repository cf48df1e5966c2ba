"""演练导调台, the trainer's console (Ctrl+7; ``main.py --drill`` opens on it). Only on a
drill database, for trainers.

- **Start** a scenario (the shipped examples or a file) or a replay (a 311 export, its
  mapping, thinned to about N requests a day), at a speed from 1× to 600×.
- **Pause** and **resume**, **skip** a quiet stretch to the next item due, change the
  **speed** while it runs, and **stop**: the drill ends for good, for every runner, and the
  scores are taken as of that moment.
- **Live, side by side**: each scripted inject (when it is due, what it is, the handling
  it expects, when it fired) beside what the trainees did with it (status, order, who
  dispatched it where, how long it took, routing right or wrong); for a replay, the
  latest arrivals beside their first dispatch. Under them the trainees' running scores.
- **Score report** to PDF, Excel or CSV, the same report as ``main.py drill score``.

The drill is fed from this window: a timer steps the run every second on a thread of its
own (a step of a fast replay can take a moment, and must not hold up the lanes). The
tables re-read on the live stream's changes (at most one read at a time) and on every
step that fired something. Reopening the console on a drill that began earlier and
starting the same scenario continues it where it stood (the ledger keeps its pace).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QSignalBlocker, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from core.drill.console import REPLAY, Arrival, DrillRun, Status, arrivals
from core.drill.inject import fired_times, ledger_scenario, stopped_at
from core.drill.scenario import Scenario, load_scenario
from core.drill.scoring import DrillScore, score_drill
from core.errors import CoreError
from desktop import errors
from desktop.feed import Session
from desktop.hub import ChangeHub, Changes
from desktop.lanes import Lanes, Rerun, TaskOwner, async_slot
from desktop.widgets.drill_source import DrillSource, describe, make_run
from desktop.widgets.drill_tables import (
    HANDLING_COLUMNS,
    SCRIPT_COLUMNS,
    ArrivalModel,
    ScriptModel,
    ScriptRow,
    TraineeModel,
    clock_text,
)
from desktop.widgets.table_view import RowTableView

T = TypeVar("T")
TICK_MS = 1000
SPEEDS = (1, 2, 5, 10, 30, 60, 120, 300, 600)
ARRIVALS_SHOWN = 200


@dataclass(frozen=True)
class View:
    """What the tables show, read in the background."""

    score: DrillScore
    scenario: Scenario | None  # the one scored against
    fired: dict[str, datetime]
    arrivals: list[Arrival]
    stopped: datetime | None


def read_view(
    session: Session, scenario: Scenario | None, replay: bool, known: dict[str, Path]
) -> View:
    """The tables' data. Before a start (``scenario`` None, no replay) a scenario this
    drill began, when ``known`` lists its file, is scored against as well."""
    store = session.store
    if scenario is None and not replay:
        began = ledger_scenario(store)
        path = known.get(began) if began else None
        if path is not None:
            try:
                found = load_scenario(path)
            except CoreError:
                found = None
            scenario = found if found is not None and found.id == began else None
    return View(
        score=score_drill(store, scenario),
        scenario=scenario,
        fired=fired_times(store),
        arrivals=arrivals(store, ARRIVALS_SHOWN) if replay else [],
        stopped=stopped_at(store),
    )


def _table(model: Any, parent: QWidget, stretch: int | None = None) -> RowTableView:
    """The project's row table over ``model``, columns sized to their contents and
    ``stretch`` (else the last one) taking the rest."""
    table = RowTableView(parent)
    table.setModel(model)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class DrillConsolePage(QWidget):
    rows_did_load = Signal(int)
    status_did_change = Signal(object)  # Status
    report_did_write = Signal(str)

    def __init__(
        self,
        session: Session,
        lanes: Lanes,
        hub: ChangeHub,
        parent: QWidget | None = None,
        tick_ms: int = TICK_MS,
    ) -> None:
        super().__init__(parent)
        self.session, self.lanes, self.hub = session, lanes, hub
        self.tasks = TaskOwner()
        self.run: DrillRun | None = None
        self.status: Status | None = None
        self.view: View | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="cc-drill")
        self._rerun = Rerun(self._load)
        self._stepping = False
        self._closed = False
        self.dialog: QFileDialog | None = None
        org = session.store.reference().org
        self._unit_names = {u.code: u.name for u in org.all()}

        title = QLabel(self.tr("Drill console"), self)
        title.setProperty("role", "title")
        self.state_label = QLabel(self)
        self.state_label.setProperty("role", "title")
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.state_label)

        self.source = DrillSource(self)
        self._build_controls()
        self.error_label = QLabel(self)
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()

        # the side-by-side tables: one model, two views sharing selection and scrolling
        self.script_model = ScriptModel(session.tz, self)
        self.script_view = _table(self.script_model, self, stretch=3)
        self.handling_view = _table(self.script_model, self)
        self.handling_view.setSelectionModel(self.script_view.selectionModel())
        for view, shown in (
            (self.script_view, SCRIPT_COLUMNS),
            (self.handling_view, HANDLING_COLUMNS),
        ):
            for col in range(self.script_model.columnCount()):
                view.setColumnHidden(col, col not in shown)
        self.script_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.handling_view.verticalScrollBar()
        bar.valueChanged.connect(self.script_view.verticalScrollBar().setValue)
        self.script_view.verticalScrollBar().valueChanged.connect(bar.setValue)
        sides = QSplitter(Qt.Orientation.Horizontal, self)
        sides.addWidget(self._group(self.tr("Script: what arrives"), self.script_view))
        sides.addWidget(self._group(self.tr("Trainees: what they did (live)"), self.handling_view))
        sides.setStretchFactor(0, 5)
        sides.setStretchFactor(1, 4)
        self.arrival_model = ArrivalModel(session.tz, self)
        self.arrival_view = _table(self.arrival_model, self, stretch=3)
        self.arrivals_group = self._group(
            self.tr("Replayed requests beside what the trainees did (latest {n}, live)").format(
                n=ARRIVALS_SHOWN
            ),
            self.arrival_view,
        )
        self.sides = QStackedWidget(self)
        self.sides.addWidget(sides)
        self.sides.addWidget(self.arrivals_group)
        self.trainee_model = TraineeModel(session.tz, self)
        self.trainee_view = _table(self.trainee_model, self, stretch=9)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.addWidget(self.sides)
        split.addWidget(self._group(self.tr("Trainees' scores so far"), self.trainee_view))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        layout.addLayout(head)
        layout.addWidget(self.source)
        layout.addLayout(self.controls)
        layout.addWidget(self.error_label)
        layout.addWidget(split, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.tick)
        hub.changes_did_arrive.connect(self._changes_arrived)
        self.source.speed_did_suggest.connect(self._suggest_speed)
        self.source.scenario_box.currentIndexChanged.connect(
            lambda _i: self.run is None and self.reload()
        )
        self.source.suggest_speed()
        self.source.kind_did_change.connect(lambda replay: self.sides.setCurrentIndex(int(replay)))
        self._show_status()
        self.reload()

    # --- building ---------------------------------------------------------------------------

    def _suggest_speed(self, speed: float) -> None:
        """Before a start, the speed box follows what was chosen (a scenario's own speed,
        60x for a replay); once running, only the trainer moves it."""
        if self.run is not None:
            return
        at = self.speed_box.findData(float(speed))
        if at < 0:
            self.speed_box.addItem(f"{speed:g}×", float(speed))
            at = self.speed_box.count() - 1
        with QSignalBlocker(self.speed_box):
            self.speed_box.setCurrentIndex(at)

    def _group(self, title: str, table: QTableView) -> QGroupBox:
        box = QGroupBox(title, self)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(6, 6, 6, 6)
        inner.addWidget(table)
        return box

    def _build_controls(self) -> None:
        self.speed_box = QComboBox(self)
        for s in SPEEDS:
            self.speed_box.addItem(f"{s}×", float(s))
        self.speed_box.setCurrentIndex(SPEEDS.index(60))
        self.speed_box.setToolTip(
            self.tr("Arrivals come this many times faster; trainees' deadlines stay as written")
        )
        self.speed_box.currentIndexChanged.connect(self.change_speed)
        self.start_button = QPushButton(self.tr("&Start"), self)
        self.start_button.clicked.connect(self.start)
        self.pause_button = QPushButton(self.tr("&Pause"), self)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.skip_button = QPushButton(self.tr("S&kip to next"), self)
        self.skip_button.setToolTip(self.tr("Skip the quiet stretch: the next item arrives now"))
        self.skip_button.clicked.connect(self.skip)
        self.stop_button = QPushButton(self.tr("S&top drill"), self)
        self.stop_button.setToolTip(self.tr("End the drill for good; scores are taken as of now"))
        self.stop_button.clicked.connect(self.stop)
        self.report_button = QPushButton(self.tr("Score &report…"), self)
        self.report_button.clicked.connect(self.ask_report)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress_label = QLabel(self)
        self.progress_label.setProperty("role", "muted")
        self.controls = QHBoxLayout()
        self.controls.addWidget(QLabel(self.tr("Speed"), self))
        self.controls.addWidget(self.speed_box)
        for b in (self.start_button, self.pause_button, self.skip_button, self.stop_button):
            self.controls.addWidget(b)
        self.controls.addWidget(self.progress, 1)
        self.controls.addWidget(self.progress_label)
        self.controls.addWidget(self.report_button)

    # --- running ----------------------------------------------------------------------------

    async def _in_run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn`` on the drill's own thread: a run is stepped and steered from one thread."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    @async_slot()
    async def start(self) -> None:
        if self.run is not None:
            return
        self._say(None)
        self.start_button.setEnabled(False)
        self.state_label.setText(self.tr("Reading…"))
        try:
            chosen = self.source.choice(float(self.speed_box.currentData()))
            self.run = await self._in_run(make_run, self.session.store, chosen)
        except Exception as exc:
            self._say(exc)
            self._show_status()
            return
        if self._closed:
            return
        await self._steer(lambda: None)
        self.timer.start()
        self.reload()

    async def _steer(self, action: Callable[[], Any]) -> None:
        """Do ``action`` on the run's thread, then show where the drill stands."""
        run = self.run
        if run is None:
            return

        def act() -> Status:
            action()
            return run.status()

        try:
            self.status = await self._in_run(act)
            self._say(None)
        except Exception as exc:
            self._say(exc)
        self._show_status()

    @async_slot()
    async def tick(self) -> None:
        """One step of the drill: fire what is due, then show where it stands."""
        run = self.run
        if run is None or self._stepping or self._closed:
            return
        self._stepping = True
        try:

            def step() -> tuple[int, Status]:
                got = run.step()
                return (got if isinstance(got, int) else len(got)), run.status()

            fired, self.status = await self._in_run(step)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return  # the window's banner says the link is down; the next tick tries again
        finally:
            self._stepping = False
        self._show_status()
        if fired:
            self.reload()
        if self.status is not None and self.status.stopped_at is not None:
            self.timer.stop()

    @async_slot()
    async def toggle_pause(self) -> None:
        run = self.run
        if run is None or self.status is None:
            return
        await self._steer(run.resume if self.status.paused else run.pause)

    @async_slot()
    async def change_speed(self) -> None:
        run = self.run
        if run is not None:
            speed = float(self.speed_box.currentData())
            await self._steer(lambda: run.set_speed(speed))

    @async_slot()
    async def skip(self) -> None:
        run = self.run
        if run is not None:
            await self._steer(run.skip_quiet)
            self.reload()

    @async_slot()
    async def stop(self) -> None:
        run = self.run
        if run is not None:
            await self._steer(run.stop)
            self.timer.stop()
            self.reload()

    # --- showing ----------------------------------------------------------------------------

    def _say(self, exc: BaseException | None) -> None:
        if exc is None:
            self.error_label.hide()
            return
        self.error_label.setText(describe(exc))
        self.error_label.show()

    def _show_status(self) -> None:
        s, stopped = self.status, self.view.stopped if self.view else None
        running = self.run is not None and s is not None
        over = stopped is not None or (s is not None and s.stopped_at is not None)
        self.start_button.setEnabled(self.run is None and not over)
        self.source.setEnabled(self.run is None and not over)
        live = running and not over and s is not None and not s.finished
        self.pause_button.setEnabled(live)
        self.skip_button.setEnabled(live)
        self.stop_button.setEnabled(running and not over)
        self.speed_box.setEnabled(not over)
        paused = s is not None and s.paused
        self.pause_button.setText(self.tr("&Resume") if paused else self.tr("&Pause"))
        if s is not None:
            with QSignalBlocker(self.speed_box):
                at = self.speed_box.findData(float(s.speed))
                if at >= 0:
                    self.speed_box.setCurrentIndex(at)
        if over:
            when = (stopped or (s.stopped_at if s else None)) or datetime.now()
            self.state_label.setText(
                self.tr("■ Stopped at {time}").format(
                    time=when.astimezone(self.session.tz).strftime("%H:%M:%S")
                )
            )
        elif s is None:
            self.state_label.setText(self.tr("○ Not started"))
        elif s.finished:
            self.state_label.setText(self.tr("● All arrived: trainees still at work"))
        elif s.paused:
            self.state_label.setText(self.tr("❚❚ Paused"))
        else:
            self.state_label.setText(self.tr("▶ Running at {speed}×").format(speed=f"{s.speed:g}"))
        if s is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("")
            self.progress_label.setText("")
        else:
            self.progress.setRange(0, max(1, s.total))
            self.progress.setValue(s.fired)
            self.progress.setFormat(f"{s.fired} / {s.total}")
            self.progress_label.setText(self._progress_text(s))
        if s is not None:
            self.status_did_change.emit(s)

    def _progress_text(self, s: Status) -> str:
        drill_time = self.tr("Drill time {reached} of {span}").format(
            reached=clock_text(s.reached), span=clock_text(s.span)
        )
        parts = [drill_time]
        if s.source_time is not None:
            parts.append(
                self.tr("replayed up to {time}").format(
                    time=s.source_time.strftime("%Y-%m-%d %H:%M")
                )
            )
            if s.refused:
                parts.append(self.tr("{n} refused by intake").format(n=s.refused))
        if s.next_due is not None and not s.paused:
            parts.append(
                self.tr("next at {time}").format(
                    time=s.next_due.astimezone(self.session.tz).strftime("%H:%M:%S")
                )
            )
        return " · ".join(parts)

    # --- loading ----------------------------------------------------------------------------

    @async_slot()
    async def reload(self) -> None:
        await self._rerun()

    async def _load(self) -> None:
        run = self.run
        scenario = run.scenario if run is not None else None
        replay = run is not None and run.kind == REPLAY
        try:
            known = self.source.known()
            view = await self.lanes.background(read_view, self.session, scenario, replay, known)
        except Exception as exc:
            if not errors.is_connection_error(exc):
                raise
            return
        if self._closed:
            return
        self.view = view
        scenario = view.scenario
        if scenario is not None:
            outcomes = {o.inject: o for o in view.score.injects}
            self.script_model.replace(
                [
                    ScriptRow(e, view.fired.get(e.id), outcomes.get(e.id), self._unit_names)
                    for e in scenario.entries()
                ]
            )
        self.arrival_model.replace(view.arrivals)
        self.trainee_model.replace(list(view.score.trainees))
        self._show_status()
        began = view.score.scenario_id
        if run is None and began and view.stopped is None:
            self.source.select_scenario(began)
            self.progress_label.setText(
                self.tr("Scenario {id} began in this drill: Start goes on where it stood").format(
                    id=began
                )
            )
        self.rows_did_load.emit(self.script_model.rowCount() + self.arrival_model.rowCount())

    def _changes_arrived(self, changes: Changes) -> None:
        if not self._closed:
            self.reload()

    @property
    def settled(self) -> bool:
        return not self._rerun.running and not self._stepping

    # --- the report -------------------------------------------------------------------------

    def ask_report(self) -> None:
        dialog = QFileDialog(self, self.tr("Save the score report"))
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["PDF (*.pdf)", "Excel (*.xlsx)", "CSV (*.csv)"])
        dialog.setDefaultSuffix("pdf")
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        dialog.setDirectory(folder if folder and Path(folder).is_dir() else str(Path.home()))
        day = datetime.now(self.session.tz).strftime("%Y-%m-%d")
        name = self.tr("drill-scores")
        dialog.selectFile(f"{name}-{day}.pdf")
        dialog.finished.connect(lambda _code: dialog.deleteLater())
        dialog.fileSelected.connect(lambda path: self.write_report(Path(path)))
        dialog.open()
        self.dialog = dialog

    @async_slot(object)
    async def write_report(self, path: Path) -> None:
        """The scores as of the stop (or now) to ``path``: .pdf, .xlsx or .csv."""
        from core.drill import score_export

        run = self.run
        scenario = run.scenario if run is not None else None
        try:
            score = await self.lanes.background(score_drill, self.session.store, scenario)
            suffix = path.suffix.lower()
            if suffix == ".pdf":
                from desktop.drill_report_pdf import render

                render(score, path)  # Qt draws it: here, on the UI thread
            elif suffix == ".xlsx":
                await self.lanes.background(score_export.write_xlsx, score, path)
            elif suffix == ".csv":
                await self.lanes.background(score_export.write_csv, score, path)
            else:
                raise CoreError("report_format", suffix=suffix)
        except Exception as exc:
            self._say(exc)
            return
        self._say(None)
        self.progress_label.setText(self.tr("Report written: {path}").format(path=str(path)))
        self.report_did_write.emit(str(path))

    # --- closing ----------------------------------------------------------------------------

    def shut(self) -> None:
        """Stop stepping (the drill itself goes on until someone stops it). A step under
        way is let finish, so nothing writes after the window's database is closed."""
        if self._closed:
            return
        self._closed = True
        self.timer.stop()
        self.hub.changes_did_arrive.disconnect(self._changes_arrived)
        self.tasks.cancel_all()
        self._pool.shutdown(wait=True, cancel_futures=True)
