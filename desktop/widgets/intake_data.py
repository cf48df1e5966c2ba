"""What the intake form reads and writes, as blocking calls for the lanes (desktop.lanes).

Plain values in, plain values out; never called on the UI thread, never touching a widget.
A save is one call that registers the order and then attaches its files and dispatches
it: what happened to each later step is reported in ``SaveOutcome`` instead of raised,
because by then the order exists and the form must know its number.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import Any

from core import addresses, callers, duplicates, routing
from core.category_search import CategoryIndex
from core.domain.enums import GridKind, UnitKind
from core.errors import ValidationError
from core.geo import Polygon
from core.org import grid_workers
from core.service import OpResult, OrderService
from core.storage.db import read_tx
from core.taxonomy import Category, CategoryBook
from core.workflow.intake import AttachmentData, OrderDraft
from desktop.feed import Session
from desktop.widgets.attachment_list import PendingFile, Refusal
from desktop.widgets.location_box import Place
from desktop.widgets.map_picker import Shape

_INDEXES: weakref.WeakKeyDictionary[CategoryBook, CategoryIndex] = weakref.WeakKeyDictionary()

GRID_KINDS = (UnitKind.GRID,)
VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)
TOWN_KINDS = (UnitKind.TOWN, UnitKind.STREET)


def category_index(session: Session) -> CategoryIndex:
    """Built once per taxonomy (pypinyin's dictionaries load on first use)."""
    book = session.store.reference().categories
    index = _INDEXES.get(book)
    if index is None:
        index = _INDEXES[book] = CategoryIndex(book)
    return index


def caller_history(session: Session, phone_text: str) -> callers.CallerHistory | None:
    store = session.store
    with read_tx(store.engine) as conn:
        return callers.history(conn, session.actor, phone_text, store.clock.now())


def find_addresses(session: Session, text: str) -> list[addresses.AddressMatch]:
    with read_tx(session.store.engine) as conn:
        return addresses.resolve(conn, text)


def place_of(
    session: Session, unit_id: int, lon: float | None, lat: float | None, from_map: bool
) -> Place:
    """The grid, village and town of a unit, and the grid's workers (its handlers)."""
    org = session.store.reference().org
    found: dict[str, str] = {}
    grid_id: int | None = None
    for unit in org.ancestors(unit_id):  # the unit itself first
        if unit.kind in GRID_KINDS and "grid" not in found:
            found["grid"], grid_id = unit.name, unit.id
        elif unit.kind in VILLAGE_KINDS and "village" not in found:
            found["village"] = unit.name
        elif unit.kind in TOWN_KINDS and "town" not in found:
            found["town"] = unit.name
    workers: tuple[str, ...] = ()
    if grid_id is not None:
        with read_tx(session.store.engine) as conn:
            found_workers = grid_workers(conn, grid_id)
        workers = tuple(f"{name} {phone}" if phone else name for name, phone in found_workers)
    return Place(
        unit_id,
        lon,
        lat,
        found.get("grid"),
        found.get("village"),
        found.get("town"),
        workers,
        from_map,
    )


def suggestions(
    session: Session, category: Category, location_unit_id: int
) -> list[routing.Suggestion]:
    store = session.store
    org = store.reference().org
    with read_tx(store.engine) as conn:
        return routing.suggest(
            conn, org, category, location_unit_id, session.actor.unit_id, store.clock.now()
        )


def possible_duplicates(session: Session, **query: Any) -> list[duplicates.Duplicate]:
    store = session.store
    with read_tx(store.engine) as conn:
        return duplicates.candidates(conn, session.actor, now=store.clock.now(), **query)


def map_shapes(session: Session) -> tuple[list[Shape], dict[int, str]]:
    """Villages and grids inside the officer's territory, with the names of every unit."""
    org = session.store.reference().org
    root = org.get(session.actor.unit_id).path
    shapes: list[Shape] = []
    for unit in org.all():
        if unit.polygon is None or not unit.path.startswith(root):
            continue
        if unit.kind in VILLAGE_KINDS:
            kind = "village"
        elif unit.kind in GRID_KINDS:
            kind = "special" if unit.grid_kind is GridKind.SPECIAL else "grid"
        else:
            continue
        shapes.append(Shape(unit.id, unit.name, kind, Polygon.from_json(unit.polygon)))
    return shapes, {u.id: u.name for u in org.all()}


def locate(session: Session, lon: float, lat: float) -> int | None:
    return session.store.reference().org.grid_index.locate((lon, lat))


# --- writing ---------------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    order_id: int
    number: str
    results: list[OpResult] = field(default_factory=list)
    dispatched_to: int | None = None
    answered: bool = False
    attached: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    unattached: list[PendingFile] = field(default_factory=list)  # kept for a retry
    failure: BaseException | None = None  # a later step failed; the order stands

    @property
    def registered(self) -> OpResult:
        return self.results[0]


def register_call(
    session: Session,
    draft: OrderDraft,
    lead_unit_id: int | None,
    files: list[PendingFile],
) -> SaveOutcome:
    """Register (a ValidationError here means nothing was written), then finish."""
    service = OrderService(session.store)
    result = service.register(session.actor, draft)
    out = SaveOutcome(result.order_id, str(result.value), [result])
    out.answered = bool(draft.answer_on_spot)
    return finish_call(session, out, lead_unit_id, files)


def finish_call(
    session: Session,
    out: SaveOutcome,
    lead_unit_id: int | None,
    files: list[PendingFile],
    answer: str | None = None,
) -> SaveOutcome:
    """Attach the files, then dispatch (or answer on the spot): the handling unit finds
    the photos on the order when it receives it. Failures are kept, not raised."""
    service = OrderService(session.store)
    actor = session.actor
    out.failure = None
    out.unattached = []
    for i, f in enumerate(files):
        try:
            data = f.path.read_bytes()
        except OSError:
            out.refused.append(Refusal(f.path.name, "unreadable", {}))
            continue
        try:
            result = service.add_attachment(
                actor, out.order_id, AttachmentData(f.kind, f.path.name, f.mime, data)
            )
        except ValidationError as exc:
            first = exc.errors[0]
            out.refused.append(Refusal(f.path.name, first.code, dict(first.params)))
            continue
        except Exception as exc:
            out.failure = exc
            out.unattached = files[i:]
            return out
        out.results.append(result)
        out.attached.append(f.path.name)
    try:
        if answer:
            out.results.append(service.answer_on_spot(actor, out.order_id, answer))
            out.answered = True
        elif lead_unit_id is not None:
            out.results.append(service.dispatch(actor, out.order_id, lead_unit_id))
            out.dispatched_to = lead_unit_id
    except Exception as exc:
        out.failure = exc
    return out


def add_caller(
    session: Session, order_id: int, name: str | None, phone: str | None, note: str | None
) -> list[OpResult]:
    """The caller joins the existing order; what they said goes into its timeline as a
    progress note, so the words of the second call are not lost."""
    svc = OrderService(session.store)
    done = [svc.add_caller(session.actor, order_id, name, phone)]
    if note:
        done.append(svc.note_progress(session.actor, order_id, note))
    return done


def merge(session: Session, source_id: int, target_id: int) -> OpResult:
    return OrderService(session.store).merge(session.actor, source_id, target_id)
