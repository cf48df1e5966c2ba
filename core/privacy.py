"""Reading a caller's full number or an informant's name: checked and logged, every time.

On PostgreSQL, connected as a user's own role, the database decides (``cc_reveal_phone``,
``cc_reveal_caller_name`` of migration 0006): the role cannot read the columns at all.
Otherwise (SQLite, or the owner's connection) the same rule runs here and the read is
written to ``phone_reads`` in the same transaction.

The rule (DESIGN.md, Jurisdiction): the order must be visible to the user. A confidential
order's informant is for supervisors, leaders and admins at the order's centre or above.
Otherwise the number is for the centre's duty officers, dispatchers and supervisors (at
the order's centre or above) and for staff of a unit that holds or held an assignment on
it; a name that is no informant's is on the list anyway.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Connection, insert, select, text

from core.auth import connected_user
from core.domain.actor import Actor
from core.domain.enums import Role
from core.errors import FieldError, NotFound, OutOfJurisdiction, PermissionDenied, ValidationError
from core.org import is_within
from core.storage.schema import hops, order_callers, orders, phone_reads, units

Field = Literal["phone", "name"]
INFORMANT_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.ADMIN)
CENTRE_ROLES = (Role.DUTY_OFFICER, Role.DISPATCHER, Role.SUPERVISOR)
STAFF_ROLES = (Role.HANDLER, Role.DUTY_OFFICER, Role.DISPATCHER, Role.SUPERVISOR)


def reveal_phone(
    conn: Connection, actor: Actor, order_id: int, reason: str, caller_id: int | None = None
) -> str | None:
    return _reveal(conn, actor, order_id, reason, caller_id, "phone")


def reveal_caller_name(
    conn: Connection, actor: Actor, order_id: int, reason: str, caller_id: int | None = None
) -> str | None:
    return _reveal(conn, actor, order_id, reason, caller_id, "name")


def _reveal(
    conn: Connection,
    actor: Actor,
    order_id: int,
    reason: str,
    caller_id: int | None,
    field: Field,
) -> str | None:
    if not reason.strip():
        raise ValidationError([FieldError("reason", "required")])
    if connected_user(conn) is not None:
        fn = "cc_reveal_phone" if field == "phone" else "cc_reveal_caller_name"
        value = conn.execute(
            text(f"SELECT {fn}(:o, :r, :c)"), {"o": order_id, "r": reason, "c": caller_id}
        ).scalar()
        return None if value is None else str(value)
    if not may_read_caller(conn, actor, order_id, field):
        raise PermissionDenied("caller_withheld", order=order_id, field=field)
    if caller_id is None:
        col = orders.c.phone if field == "phone" else orders.c.caller_name
        value = conn.execute(select(col).where(orders.c.id == order_id)).scalar()
        column = f"orders.{col.name}"
    else:
        col = order_callers.c.phone if field == "phone" else order_callers.c.name
        row = conn.execute(
            select(col).where(order_callers.c.id == caller_id, order_callers.c.order_id == order_id)
        ).first()
        if row is None:
            raise NotFound("caller_not_found", order=order_id, caller=caller_id)
        value, column = row[0], f"order_callers.{col.name}"
    conn.execute(
        insert(phone_reads).values(
            at=datetime.now(UTC),
            user_id=actor.user_id,
            order_id=order_id,
            caller_id=caller_id,
            field=column,
            reason=reason.strip(),
        )
    )
    return None if value is None else str(value)


def may_read_caller(conn: Connection, actor: Actor, order_id: int, field: Field) -> bool:
    """The rule of ``cc_may_read_caller``, for connections the database does not check."""
    centre = units.alias("centre")
    loc = units.alias("loc")
    row = conn.execute(
        select(orders.c.confidential, centre.c.path.label("centre_path"), loc.c.path)
        .join(centre, centre.c.id == orders.c.centre_unit_id)
        .join(loc, loc.c.id == orders.c.location_unit_id)
        .where(orders.c.id == order_id)
    ).first()
    if row is None:
        raise NotFound("order_not_found", order_id=order_id)
    sender, receiver = units.alias("s"), units.alias("r")
    parties = conn.execute(
        select(hops.c.receiver_unit_id, sender.c.path, receiver.c.path)
        .join(sender, sender.c.id == hops.c.sender_unit_id)
        .join(receiver, receiver.c.id == hops.c.receiver_unit_id)
        .where(hops.c.order_id == order_id)
    ).all()
    paths = [row.path, *(p for h in parties for p in h[1:])]
    if not any(is_within(p, actor.unit_path) for p in paths):
        raise OutOfJurisdiction(order=order_id, unit=actor.unit_id)
    at_centre = is_within(row.centre_path, actor.unit_path)
    if row.confidential:
        return at_centre and actor.has(*INFORMANT_ROLES)
    if field == "name":
        return True
    if at_centre and actor.has(*CENTRE_ROLES):
        return True
    return any(h[0] == actor.unit_id for h in parties) and actor.has(*STAFF_ROLES)
