"""An order's whole history as the editor shows it, and its attachments.

``core.history`` answers the stale-save question (what changed since my version); this
answers "what happened to this order": every event, oldest first, with who did it, from
which unit, on which hop (sender → receiver) and the few payload facts worth reading.
Only the public ``payload`` is read: callers' names and numbers stay in
``private_payload``, which user roles may not read at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from core.storage.schema import attachment_blobs, attachments, events, hops, units, users

# Payload keys worth showing, per the event kinds that carry them.
DETAIL_KEYS = (
    "text",
    "field",
    "from",
    "to",
    "result",
    "attempt",
    "level",
    "days",
    "destination",
    "target",
    "source",
    "withdrawn_hop",
    "attachment",
    "unit_id",
    "mark",
    "limit_kind",
    "verdict",
    "decision",
    "source_at",
    "source_type",
)


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    version: int | None
    kind: str
    actor: str | None  # display name; None for the service process
    actor_unit: str | None
    hop_id: int | None
    hop_role: str | None
    sender: str | None
    receiver: str | None
    from_state: str | None
    to_state: str | None
    reason: str | None
    overdue: bool
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    hop_id: int | None
    kind: str
    filename: str
    mime: str
    size: int
    added_at: datetime
    added_by: str | None

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


def entries(conn: Connection, order_id: int) -> list[Entry]:
    """Every event of the order, oldest first."""
    unit_names = {r.id: r.name for r in conn.execute(select(units.c.id, units.c.name))}
    hop_rows = {
        r.id: r
        for r in conn.execute(
            select(hops.c.id, hops.c.role, hops.c.sender_unit_id, hops.c.receiver_unit_id).where(
                hops.c.order_id == order_id
            )
        )
    }
    rows = conn.execute(
        select(
            events.c.id,
            events.c.at,
            events.c.order_version,
            events.c.kind,
            users.c.display_name,
            events.c.actor_unit_id,
            events.c.hop_id,
            events.c.from_state,
            events.c.to_state,
            events.c.reason,
            events.c.overdue,
            events.c.payload,
        )
        .select_from(events.outerjoin(users, users.c.id == events.c.actor_user_id))
        .where(events.c.order_id == order_id)
        .order_by(events.c.id)
    )
    out: list[Entry] = []
    for r in rows:
        payload = r.payload if isinstance(r.payload, dict) else {}
        detail = {k: payload[k] for k in DETAIL_KEYS if k in payload}
        hop = hop_rows.get(r.hop_id) if r.hop_id is not None else None
        out.append(
            Entry(
                id=int(r.id),
                at=r.at,
                version=r.order_version,
                kind=r.kind,
                actor=r.display_name,
                actor_unit=unit_names.get(r.actor_unit_id),
                hop_id=r.hop_id,
                hop_role=hop.role if hop is not None else None,
                sender=unit_names.get(hop.sender_unit_id) if hop is not None else None,
                receiver=unit_names.get(hop.receiver_unit_id) if hop is not None else None,
                from_state=r.from_state,
                to_state=r.to_state,
                reason=r.reason,
                overdue=bool(r.overdue),
                detail=detail,
            )
        )
    return out


def attachment_rows(conn: Connection, order_id: int) -> list[AttachmentRow]:
    rows = conn.execute(
        select(
            attachments.c.id,
            attachments.c.hop_id,
            attachments.c.kind,
            attachments.c.filename,
            attachments.c.mime,
            attachments.c.size,
            attachments.c.added_at,
            users.c.display_name,
        )
        .select_from(attachments.outerjoin(users, users.c.id == attachments.c.added_by))
        .where(attachments.c.order_id == order_id)
        .order_by(attachments.c.id)
    )
    return [AttachmentRow(*r) for r in rows]


def attachment_data(conn: Connection, order_id: int, attachment_id: int) -> bytes:
    """The file's bytes; the order id keeps a stray id from reading another order's file."""
    from core.errors import NotFound

    data = conn.execute(
        select(attachment_blobs.c.data)
        .join(attachments, attachments.c.sha256 == attachment_blobs.c.sha256)
        .where(attachments.c.id == attachment_id, attachments.c.order_id == order_id)
    ).scalar()
    if data is None:
        raise NotFound("attachment_not_found", order=order_id, attachment=attachment_id)
    return bytes(data)
