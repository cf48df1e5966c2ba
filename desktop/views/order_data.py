"""What the order editor reads and writes, as plain functions the lanes run off the UI
thread: the snapshot it shows, the actions it performs, attachments and the logged reveal
of a number. Nothing here touches a widget.
"""

from __future__ import annotations

import copy
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtGui import QImage
from sqlalchemy import select

from core import history, locks, marks, privacy, timeline
from core.actions import Action, Op, allowed, available, perform
from core.errors import FieldError, ValidationError
from core.service import OpResult, OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import orders
from core.workflow.context import Reference
from core.workflow.intake import AttachmentData
from core.workflow.model import Aggregate, OrderRec
from desktop.feed import Session
from desktop.views.order_form import DUE_FORMAT, as_text, clean_parties
from desktop.widgets.attachments import thumbnail


def form_values(o: OrderRec, tz: ZoneInfo) -> dict[str, Any]:
    """The order as the form shows it (``o`` has no full number: see the editor's scrub)."""
    due = o.upstream_due.astimezone(tz).strftime(DUE_FORMAT) if o.upstream_due else ""
    return {
        "title": as_text(o.title),
        "description": as_text(o.description),
        "category_node_id": o.category_node_id,
        "limit_class": o.limit_class,
        "request_type": o.request_type,
        "urgency": o.urgency,
        "caller_name": as_text(o.caller_shown),
        "phone": "",
        "anonymous": bool(o.anonymous),
        "confidential": bool(o.confidential),
        "address": as_text(o.address),
        "lon": "" if o.lon is None else f"{o.lon:.6f}",
        "lat": "" if o.lat is None else f"{o.lat:.6f}",
        "dispute_type": as_text(o.dispute_type),
        "risk_grade": as_text(o.risk_grade),
        "parties": clean_parties(o.parties),
        "leader_responsible": as_text(o.leader_responsible),
        "mediation_outcome": as_text(o.mediation_outcome),
        "external_ref": as_text(o.external_ref),
        "upstream_due": due,
        "police_incident_no": as_text(o.police_incident_no),
    }


@dataclass(frozen=True)
class Snapshot:
    """What the editor read, in one go: the order without its private columns, what
    this user may do to it, its history and attachments, and who holds the lock."""

    version: int
    values: dict[str, Any]
    number: str
    lock: locks.LockResult
    agg: Aggregate
    actions: list[Action]
    entries: list[timeline.Entry]
    attachments: list[timeline.AttachmentRow]
    ref: Reference
    marks: list[marks.MarkView]

    @property
    def editable(self) -> bool:
        return allowed(self.actions, Op.EDIT)


def _scrub(agg: Aggregate) -> Aggregate:
    """A copy the UI may hold: no full number, no informant of a confidential order."""
    out = copy.deepcopy(agg)
    o = out.order
    o.phone = o.phone_digits = None
    o.caller_name = o.caller_shown
    for c in out.callers:
        c.phone = c.phone_digits = None
        if o.confidential:
            c.name = c.phone_masked = None
    out.originals.clear()
    return out


def current_version(session: Session, order_id: int) -> int | None:
    with read_tx(session.store.engine) as conn:
        found = conn.execute(select(orders.c.version).where(orders.c.id == order_id)).scalar()
    return int(found) if found is not None else None


def read_order(session: Session, order_id: int, workstation: str) -> Snapshot:
    store = session.store
    agg = OrderService(store).load(session.actor, order_id)
    ref = store.reference()
    acts = available(session.actor, agg, ref.org, ref.policy)
    if allowed(acts, Op.EDIT):
        lock = locks.acquire(store, session.actor, order_id, workstation)
    else:  # a reader shows who edits, and claims nothing
        lock = locks.LockResult(False, locks.holder(store, order_id))
    with read_tx(store.engine) as conn:
        entries = timeline.entries(conn, order_id)
        rows = timeline.attachment_rows(conn, order_id)
        marked = marks.views_of(conn, session.actor, ref, agg, store.clock.now())
    safe = _scrub(agg)
    values = form_values(safe.order, session.tz)
    return Snapshot(
        agg.order.version, values, agg.order.number, lock, safe, acts, entries, rows, ref, marked
    )


def history_since(session: Session, order_id: int, version: int) -> list[history.HistoryLine]:
    with read_tx(session.store.engine) as conn:
        return history.since(conn, order_id, version)


def run_action(
    session: Session,
    order_id: int,
    action: Action | marks.Move,
    args: dict[str, Any],
    version: int,
) -> OpResult:
    svc = OrderService(session.store)
    if isinstance(action, marks.Move):  # screening and appeals (the editor's marks tab)
        return marks.perform_move(svc, session.actor, order_id, action, args, version)
    if action.code == Op.ADD_ATTACHMENT:
        path = Path(str(args.pop("path")))
        try:
            data = path.read_bytes()
        except OSError:
            raise ValidationError([FieldError("path", "unreadable")]) from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        args = {"att": AttachmentData(str(args.pop("kind")), path.name, mime, data)}
    return perform(svc, session.actor, order_id, action, args, version)


def thumbnails(session: Session, order_id: int, ids: list[int]) -> dict[int, QImage]:
    out: dict[int, QImage] = {}
    with read_tx(session.store.engine) as conn:
        for att_id in ids:
            image = thumbnail(timeline.attachment_data(conn, order_id, att_id))
            if image is not None:
                out[att_id] = image
    return out


def full_image(session: Session, order_id: int, att_id: int) -> QImage:
    with read_tx(session.store.engine) as conn:
        return QImage.fromData(timeline.attachment_data(conn, order_id, att_id))


def reveal(session: Session, order_id: int, reason: str, caller_id: int | None) -> str | None:
    with write_tx(session.store.engine) as conn:  # the read is logged in phone_reads
        return privacy.reveal_phone(conn, session.actor, order_id, reason, caller_id)
