"""One path for files from other systems: read, map, skip what is already here, register
the rest through the bulk registration (``OrderService.register_bulk``: the batch path's
validation, rows and events, written many orders per statement).

What becomes of each row is in the report, by row number:
- registered, with its new order number;
- a duplicate: the source's id is already an order of this source (an earlier import), or
  appeared on an earlier row of the same file; nothing is registered twice;
- refused: the mapping could not read it, or intake refused the draft (the field and code).

A dry run reads, maps and validates everything, and writes nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.domain.actor import Actor
from core.errors import CoreError, ValidationError
from core.imports.mapping import ImportMapping, RowDraft, RowProblem, convert
from core.imports.open311_source import SUFFIXES, read_open311
from core.imports.tabular import DEFAULT_MAX_BYTES, read_table
from core.open311 import Open311Note
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import orders
from core.workflow.intake import OrderDraft

BLOCK = 500  # ids per IN (...) list
GC_YOUNG_THRESHOLD = 50_000  # allocations between young collections during an import


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while an import builds its rows.

    An import allocates millions of dicts and lists that live until it ends (the file's
    rows, the drafts, the rows to write), and reference counting frees them, not the
    collector. At Python's default (a young collection every 700 allocations, older
    generations in turn) the collector took 10-15 % of the Los Angeles import
    (bench_import), walking those live objects again and again. The threshold is the
    process's: it is restored on the way out."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], GC_YOUNG_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


@dataclass
class ImportReport:
    source: str
    rows: int = 0
    registered: list[tuple[int, str]] = field(default_factory=list)  # row, order number
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # row, source id
    refused: list[RowProblem] = field(default_factory=list)
    dry_run: bool = False

    @property
    def accepted(self) -> int:
        """Rows that were (or, in a dry run, would be) registered."""
        return len(self.registered)


def known_ids(svc: OrderService, source: str, ids: Sequence[str]) -> set[str]:
    """The source ids already registered as orders of ``source``."""
    found: set[str] = set()
    o = orders
    with read_tx(svc.store.engine) as conn:
        for i in range(0, len(ids), BLOCK):
            part = list(ids[i : i + BLOCK])
            found.update(
                conn.execute(
                    select(o.c.external_ref).where(
                        o.c.external_source == source, o.c.external_ref.in_(part)
                    )
                ).scalars()
            )
    return found


def _problems(row: int, exc: CoreError) -> list[RowProblem]:
    if isinstance(exc, ValidationError):
        return [RowProblem(row, e.field, e.code) for e in exc.errors]
    return [RowProblem(row, "", exc.code)]


def placed_by_address(svc: OrderService, drafts: Sequence[RowDraft]) -> list[RowDraft]:
    """Rows without coordinates whose address is a standard address (exactly, as intake's
    address box matches it) are placed in its unit; the others stay as they are (intake
    then files them under the centre)."""
    from core.addresses import normalize
    from core.storage.schema import std_addresses

    wanted = {
        normalize(d.draft.address): None
        for d in drafts
        if d.draft.address and d.draft.lon is None and d.draft.location_unit_id is None
    }
    keys = [k for k in wanted if len(k) >= 2]
    found: dict[str, int] = {}
    a = std_addresses
    with read_tx(svc.store.engine) as conn:
        for i in range(0, len(keys), BLOCK):
            q = select(a.c.normalized, a.c.unit_id).where(a.c.normalized.in_(keys[i : i + BLOCK]))
            for key, unit_id in conn.execute(q):
                found.setdefault(key, unit_id)
    out = []
    for d in drafts:
        unit = (
            found.get(normalize(d.draft.address))
            if d.draft.address and d.draft.lon is None
            else None
        )
        if unit is not None and d.draft.location_unit_id is None:
            d = replace(d, draft=replace(d.draft, location_unit_id=unit))
        out.append(d)
    return out


def import_drafts(
    svc: OrderService, actor: Actor, drafts: Sequence[RowDraft], source: str, dry_run: bool = False
) -> ImportReport:
    with fewer_collections():
        return _import_drafts(svc, actor, drafts, source, dry_run)


def _import_drafts(
    svc: OrderService, actor: Actor, drafts: Sequence[RowDraft], source: str, dry_run: bool
) -> ImportReport:
    report = ImportReport(source, dry_run=dry_run)
    drafts = placed_by_address(svc, drafts)
    seen: set[str] = set()
    rows: list[int] = []
    fresh: list[OrderDraft] = []
    known = known_ids(svc, source, [d.external_id for d in drafts])
    for d in drafts:
        if d.external_id in known or d.external_id in seen:
            report.duplicates.append((d.row, d.external_id))
            continue
        seen.add(d.external_id)
        draft = copy(d.draft)  # the caller's drafts stay as they were
        draft.external_source = source
        rows.append(d.row)
        fresh.append(draft)
    if dry_run:
        for row, problem in zip(rows, svc.check_many(actor, fresh), strict=True):
            if problem is None:
                report.registered.append((row, ""))
            else:
                report.refused += _problems(row, problem)
        return report
    result = svc.register_bulk(actor, fresh)
    rejected = dict(result.rejected)
    numbers = iter(result.numbers)
    for index, row in enumerate(rows):
        if index in rejected:
            report.refused += _problems(row, rejected[index])
        else:
            report.registered.append((row, next(numbers)))
    return report


def import_file(
    svc: OrderService,
    actor: Actor,
    path: Path,
    mapping: ImportMapping,
    *,
    dry_run: bool = False,
    encoding: str = "utf-8-sig",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ImportReport:
    """Read ``path`` (CSV, .xlsx, or Open311 .json/.xml) with ``mapping`` and register its
    new rows. Open311 rows are numbered by request, in document order."""
    with fewer_collections():
        return _import_file(svc, actor, path, mapping, dry_run, encoding, max_bytes)


def _import_file(
    svc: OrderService,
    actor: Actor,
    path: Path,
    mapping: ImportMapping,
    dry_run: bool,
    encoding: str,
    max_bytes: int,
) -> ImportReport:
    if mapping.place_to_county:
        mapping = mapping.onto(county_box(svc))
    notes: dict[str, tuple[Open311Note, ...]] = {}
    if path.suffix.lower() in SUFFIXES:
        got = read_open311(path, max_bytes)
        rows, early, notes = got.rows, got.problems, got.notes
        converted = convert(rows, mapping, first_row=1)
        total = len(rows) + len(early)
    else:
        sheet = read_table(path, mapping.needed(), encoding=encoding, max_bytes=max_bytes)
        rows, early = sheet.rows, []
        converted = convert(rows, mapping)
        total = len(rows)
    report = import_drafts(svc, actor, converted.drafts, mapping.source, dry_run)
    report.rows = total
    report.refused = sorted([*early, *converted.problems, *report.refused], key=lambda p: p.row)
    if notes and not dry_run:
        by_row = {d.row: d.external_id for d in converted.drafts}
        for row, number in report.registered:
            timeline = notes.get(by_row[row], ())
            if timeline:
                write_notes(svc, actor, svc.order_id(number), timeline)
    return report


def write_notes(
    svc: OrderService, actor: Actor, order_id: int, notes: Sequence[Open311Note]
) -> None:
    """The sending system's timeline on the new order: one ``source_note`` event a note,
    in one transaction, with the note's own time, type and text."""
    from core.domain.events import EventKind
    from core.workflow.common import record

    def run(_conn: Any, ctx: Any, agg: Any) -> None:
        for note in notes:
            record(
                agg,
                ctx,
                EventKind.SOURCE_NOTE,
                extra={
                    "text": " · ".join(x for x in (note.summary, note.description) if x),
                    "source_at": note.datetime.isoformat() if note.datetime else None,
                    "source_type": note.type,
                },
            )

    svc.act(actor, order_id, None, run)


def county_box(svc: OrderService) -> tuple[float, float, float, float]:
    """The county's extent: the bounding box of its grids (for ``[place].to = "county"``)."""
    bounds = svc.store.reference().org.grid_index.bounds
    if bounds is None:
        raise CoreError("no_grids")
    return bounds
