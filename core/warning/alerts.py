"""An alert's life: raised by a rule, acknowledged (认领) by someone, closed with a note.

Every step writes one order-less event in the same transaction (``write_notice``), so
every workstation's live stream and the wall learn of it at once: ``alert_raised``,
``alert_acknowledged``, ``alert_closed``, with ``{"alert", "rule", "severity", "title"}``.
A step that does not follow from the alert's status is refused (``IllegalTransition``)
and changes nothing; two people acknowledging at once get one success and one refusal.

Alerts are county-wide: the centre's duty officers, dispatchers, supervisors and
leaders may act on those of their unit's territory (an alert without a unit: users of
the county itself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, case, func, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from core.domain.actor import Actor
from core.domain.enums import Role
from core.domain.events import EventKind
from core.errors import FieldError, IllegalTransition, NotFound, OutOfJurisdiction, ValidationError
from core.org import OrgDirectory, is_within
from core.storage.db import read_tx, write_tx
from core.storage.repo import write_notice
from core.storage.schema import alerts, units, users
from core.store import Store
from core.warning.model import (
    AlertChange,
    AlertCounts,
    AlertRow,
    AlertStatus,
    Candidate,
    Severity,
)
from core.workflow.guards import require_role

ALERT_ROLES = (Role.DUTY_OFFICER, Role.DISPATCHER, Role.SUPERVISOR, Role.LEADER)
OPEN = (AlertStatus.RAISED.value, AlertStatus.ACKNOWLEDGED.value)
NOTE_MAX = 2000


def _payload(rule: str, severity: str, title: str, alert_id: int) -> dict[str, Any]:
    return {"alert": alert_id, "rule": rule, "severity": severity, "title": title}


# --- raising ------------------------------------------------------------------------------


def raise_alerts(conn: Connection, candidates: Iterable[Candidate], now: datetime) -> list[int]:
    """Insert the candidates whose (rule, key) is new, each with its ``alert_raised``
    event; returns the new alerts' ids. A candidate raised before (or by a concurrent
    service on the same key) is left alone."""
    ins = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    raised: list[int] = []
    for c in candidates:
        stmt = (
            ins(alerts)
            .values(
                rule=c.rule.value,
                key=c.key[:200],
                severity=c.severity.value,
                title=c.title,
                detail=c.detail,
                unit_id=c.unit_id,
                raised_at=now,
                status=AlertStatus.RAISED.value,
            )
            .on_conflict_do_nothing(index_elements=["rule", "key"])
            .returning(alerts.c.id)
        )
        alert_id = conn.execute(stmt).scalar()
        if alert_id is None:
            continue
        payload = _payload(c.rule.value, c.severity.value, c.title, alert_id)
        write_notice(conn, EventKind.ALERT_RAISED, now, payload, actor_unit_id=c.unit_id)
        raised.append(int(alert_id))
    return raised


def existing_keys(conn: Connection, candidates: Sequence[Candidate]) -> set[tuple[str, str]]:
    """Which candidates were raised already, as (rule, key)."""
    out: set[tuple[str, str]] = set()
    by_rule: dict[str, list[str]] = {}
    for c in candidates:
        by_rule.setdefault(c.rule.value, []).append(c.key[:200])
    for rule, keys in by_rule.items():
        for start in range(0, len(keys), 500):
            q = select(alerts.c.key).where(
                alerts.c.rule == rule, alerts.c.key.in_(keys[start : start + 500])
            )
            out.update((rule, k) for k in conn.execute(q).scalars())
    return out


def recent_details(conn: Connection, rule: str, since: datetime) -> list[dict[str, Any]]:
    """The details of a rule's alerts raised since ``since`` (any status): the rules read
    which orders earlier alerts were about, so an episode raises one alert."""
    q = select(alerts.c.detail).where(
        alerts.c.status.in_([s.value for s in AlertStatus]),
        alerts.c.raised_at >= since,
        alerts.c.rule == rule,
    )
    return [d for d in conn.execute(q).scalars() if isinstance(d, dict)]


# --- acting on one ------------------------------------------------------------------------


def _may_act(org: OrgDirectory, actor: Actor, unit_id: int | None) -> None:
    require_role(actor, *ALERT_ROLES)
    unit = org.find(unit_id) if unit_id is not None else org.territory_root()
    if unit is None or not is_within(unit.path, actor.unit_path):
        raise OutOfJurisdiction("alert_out_of_jurisdiction", unit=actor.unit_id)


def _step(
    store: Store,
    actor: Actor,
    alert_id: int,
    to: AlertStatus,
    now: datetime | None,
    note: str | None = None,
) -> AlertChange:
    at = now or store.clock.now()
    org = store.reference().org
    with write_tx(store.engine) as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()
        if row is None:
            raise NotFound("alert_not_found", alert=alert_id)
        _may_act(org, actor, row.unit_id)
        allowed = (AlertStatus.RAISED.value,) if to is AlertStatus.ACKNOWLEDGED else OPEN
        if row.status not in allowed:
            _refuse(row.status, to, alert_id)
        if to is AlertStatus.ACKNOWLEDGED:
            values: dict[str, Any] = {"acknowledged_at": at, "acknowledged_by": actor.user_id}
            kind = EventKind.ALERT_ACKNOWLEDGED
        else:
            values = {"closed_at": at, "closed_by": actor.user_id, "close_note": note}
            if row.acknowledged_at is None:  # closing it says someone saw it, too
                values |= {"acknowledged_at": at, "acknowledged_by": actor.user_id}
            kind = EventKind.ALERT_CLOSED
        done = conn.execute(
            update(alerts)
            .where(alerts.c.id == alert_id, alerts.c.status == row.status)
            .values(status=to.value, **values)
        ).rowcount
        if done != 1:  # someone else moved it meanwhile (PostgreSQL, read committed)
            status = conn.execute(
                select(alerts.c.status).where(alerts.c.id == alert_id)
            ).scalar_one()
            _refuse(status, to, alert_id)
        event_id = write_notice(
            conn,
            kind,
            at,
            _payload(row.rule, row.severity, row.title, alert_id),
            actor_user_id=actor.user_id,
            actor_unit_id=actor.unit_id,
            reason=note,
        )
    return AlertChange(alert_id, to, event_id)


def _refuse(status: str, to: AlertStatus, alert_id: int) -> None:
    if status == AlertStatus.CLOSED.value:
        code = "alert_already_closed"
    elif to is AlertStatus.ACKNOWLEDGED:
        code = "alert_already_acknowledged"
    else:
        code = "alert_not_open"
    raise IllegalTransition(code, alert=alert_id, status=status, to=to.value)


def acknowledge(
    store: Store, actor: Actor, alert_id: int, now: datetime | None = None
) -> AlertChange:
    """认领: record that ``actor`` has seen the alert. Only a raised alert."""
    return _step(store, actor, alert_id, AlertStatus.ACKNOWLEDGED, now)


def close(
    store: Store, actor: Actor, alert_id: int, note: str, now: datetime | None = None
) -> AlertChange:
    """Close a raised or acknowledged alert, saying why (处置完毕, 误报 …)."""
    text = (note or "").strip()
    if not text:
        raise ValidationError([FieldError("note", "required")])
    if len(text) > NOTE_MAX:
        raise ValidationError([FieldError("note", "too_long", {"max": NOTE_MAX})])
    return _step(store, actor, alert_id, AlertStatus.CLOSED, now, text)


# --- reading ------------------------------------------------------------------------------

_ACK = aliased(users, name="ack_user")
_CLOSER = aliased(users, name="close_user")
_SEVERITY_ORDER = case(
    (alerts.c.severity == Severity.RED.value, 0),
    (alerts.c.severity == Severity.ORANGE.value, 1),
    else_=2,
)


def _rows_query(org: OrgDirectory, actor: Actor | None) -> Select[Any]:
    q = (
        select(
            alerts,
            units.c.name.label("unit_name"),
            _ACK.c.display_name.label("ack_name"),
            _CLOSER.c.display_name.label("close_name"),
        )
        .select_from(alerts)
        .outerjoin(units, units.c.id == alerts.c.unit_id)
        .outerjoin(_ACK, _ACK.c.id == alerts.c.acknowledged_by)
        .outerjoin(_CLOSER, _CLOSER.c.id == alerts.c.closed_by)
    )
    return q.where(_scope(org, actor))


def _scope(org: OrgDirectory, actor: Actor | None) -> Any:
    """Alerts of the actor's territory; an alert without a unit goes to the county's users."""
    if actor is None:
        return true()
    root = org.territory_root()
    sees_all = root is not None and is_within(root.path, actor.unit_path)
    in_unit = and_(
        alerts.c.unit_id.is_not(None),
        units.c.path.startswith(actor.unit_path, autoescape=True),
    )
    return or_(in_unit, alerts.c.unit_id.is_(None)) if sees_all else in_unit


def _row(r: Any) -> AlertRow:
    return AlertRow(
        id=int(r.id),
        rule=r.rule,
        key=r.key,
        severity=r.severity,
        title=r.title,
        detail=dict(r.detail or {}),
        unit_id=r.unit_id,
        unit_name=r.unit_name,
        raised_at=r.raised_at,
        status=r.status,
        acknowledged_at=r.acknowledged_at,
        acknowledged_by=r.ack_name,
        closed_at=r.closed_at,
        closed_by=r.close_name,
        close_note=r.close_note,
    )


def _with_conn(source: Connection | Store) -> Any:
    return read_tx(source.engine) if isinstance(source, Store) else _Borrowed(source)


class _Borrowed:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def __enter__(self) -> Connection:
        return self.conn

    def __exit__(self, *exc: object) -> None:
        return None


def _org(source: Connection | Store, conn: Connection) -> OrgDirectory:
    from core.org import load_org

    return source.reference().org if isinstance(source, Store) else load_org(conn)


def open_alerts(
    source: Connection | Store,
    *,
    limit: int = 100,
    actor: Actor | None = None,
    include_closed: bool = False,
) -> list[AlertRow]:
    """Alerts for a screen: the ones nobody acknowledged first, then the acknowledged;
    the most severe first, then the newest. ``actor``: only those of their territory.
    ``include_closed``: closed ones too, after the open ones (newest first)."""
    with _with_conn(source) as conn:
        q = _rows_query(_org(source, conn), actor)
        if not include_closed:
            q = q.where(alerts.c.status.in_(OPEN))
        status_order = case(
            (alerts.c.status == AlertStatus.RAISED.value, 0),
            (alerts.c.status == AlertStatus.ACKNOWLEDGED.value, 1),
            else_=2,
        )
        q = q.order_by(
            status_order, _SEVERITY_ORDER, alerts.c.raised_at.desc(), alerts.c.id.desc()
        ).limit(limit)
        return [_row(r) for r in conn.execute(q)]


def get_alert(source: Connection | Store, alert_id: int) -> AlertRow:
    with _with_conn(source) as conn:
        r = conn.execute(_rows_query(_org(source, conn), None).where(alerts.c.id == alert_id))
        found = r.first()
    if found is None:
        raise NotFound("alert_not_found", alert=alert_id)
    return _row(found)


def counts(source: Connection | Store, actor: Actor | None = None) -> AlertCounts:
    """Open alerts by status and by severity (the banner's and the wall's numbers)."""
    with _with_conn(source) as conn:
        q = (
            select(alerts.c.status, alerts.c.severity, func.count())
            .select_from(alerts)
            .outerjoin(units, units.c.id == alerts.c.unit_id)
            .where(alerts.c.status.in_(OPEN), _scope(_org(source, conn), actor))
            .group_by(alerts.c.status, alerts.c.severity)
        )
        rows = conn.execute(q).all()
    by_status = {s: 0 for s in OPEN}
    by_severity = {s.value: 0 for s in Severity}
    for status, severity, n in rows:
        by_status[status] += int(n)
        by_severity[severity] = by_severity.get(severity, 0) + int(n)
    return AlertCounts(
        by_status[AlertStatus.RAISED.value],
        by_status[AlertStatus.ACKNOWLEDGED.value],
        by_severity,
    )
