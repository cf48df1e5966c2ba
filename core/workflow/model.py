"""Records mirroring the order tables, and the aggregate that journals changes to them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from core.domain.enums import HopRole, HopState, LimitKind, OrderState
from core.domain.events import EventKind
from core.domain.ids import HopId, LimitId, OrderId

# --- records: one attribute per column, in the column's own name ---------------------


@dataclass(slots=True)
class OrderRec:
    id: OrderId
    number: str
    version: int
    state: str
    channel: str
    request_type: str
    category_node_id: str
    limit_class: str
    urgency: str
    title: str
    description: str
    caller_name: str | None
    phone: str | None
    phone_kind: str | None
    phone_digits: str | None
    anonymous: bool
    confidential: bool
    address: str | None
    lon: float | None
    lat: float | None
    location_unit_id: int
    centre_unit_id: int
    lead_unit_id: int | None
    tier: int | None
    planned_tier: int | None
    registered_at: datetime
    registered_by: int
    updated_at: datetime
    closed_at: datetime | None = None
    dispute_type: str | None = None
    risk_grade: str | None = None
    parties: list[dict[str, Any]] | None = None
    leader_responsible: str | None = None
    mediation_outcome: str | None = None
    external_ref: str | None = None
    upstream_due: datetime | None = None
    police_incident_no: str | None = None
    answer_text: str | None = None
    result_text: str | None = None
    return_count: int = 0
    rework_count: int = 0
    reopen_count: int = 0
    escalation_count: int = 0
    supervision_count: int = 0
    extension_count: int = 0
    visit_attempts: int = 0
    visit_result: str | None = None
    pending_request: dict[str, Any] | None = None
    paused_at: datetime | None = None
    escalated_from_level: int | None = None
    merged_into_id: int | None = None
    transfer_destination: str | None = None
    void_reason: str | None = None


@dataclass(slots=True)
class HopRec:
    id: HopId
    order_id: OrderId
    parent_id: HopId | None
    seq: int
    role: str
    sender_unit_id: int
    receiver_unit_id: int
    state: str
    dispatched_at: datetime
    dispatched_by: int
    accepted_at: datetime | None = None
    answered_at: datetime | None = None
    answer_text: str | None = None
    return_reason: str | None = None
    note: str | None = None

    @property
    def is_lead(self) -> bool:
        return self.role == HopRole.LEAD


@dataclass(slots=True)
class LimitRec:
    id: LimitId
    order_id: OrderId
    hop_id: HopId | None
    kind: str
    policy_version: str
    rule_id: str
    unit: str
    start_at: datetime
    due_at: datetime
    warn_at: datetime
    calendar_fallback: bool
    upstream_capped: bool
    paused_at: datetime | None = None
    extensions: int = 0
    extended_days: int = 0
    ended_at: datetime | None = None
    ended_overdue: bool | None = None
    warned: bool = False
    overdue_marked: bool = False

    @property
    def open(self) -> bool:
        return self.ended_at is None


@dataclass(slots=True)
class CallerRec:
    id: int
    order_id: OrderId
    name: str | None
    phone: str | None
    phone_kind: str | None
    phone_digits: str | None
    source: str
    from_order_id: int | None
    added_at: datetime


_NAMES: dict[type, tuple[str, ...]] = {}


def names(rec_type: type) -> tuple[str, ...]:
    """Column names of a record type, cached: flush asks for them very often."""
    found = _NAMES.get(rec_type)
    if found is None:
        found = _NAMES[rec_type] = tuple(f.name for f in fields(rec_type))
    return found


def as_row(rec: Any) -> dict[str, Any]:
    """Column values of a record; lists and dicts are copied so snapshots stay put."""
    out: dict[str, Any] = {}
    for name in names(type(rec)):
        value = getattr(rec, name)
        if isinstance(value, dict):
            value = dict(value)
        elif isinstance(value, list):
            value = [dict(v) if isinstance(v, dict) else v for v in value]
        out[name] = value
    return out


def json_value(value: Any) -> Any:
    """Datetimes as UTC ISO text, so a payload compares equal to the stored row."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def lim_overdue(lim: LimitRec, at: datetime) -> bool:
    """Past due at ``at``. A pause stops the clock, but not for a limit already overdue
    when the pause began: that one stays overdue."""
    if lim.paused_at is not None:
        return lim.due_at < lim.paused_at
    return lim.due_at < at


# --- pending writes ----------------------------------------------------------------------

_EMIT_SEQ = itertools.count()


@dataclass(slots=True)
class PendingEvent:
    kind: EventKind
    at: datetime
    order_version: int
    actor_user_id: int | None
    actor_unit_id: int | None
    hop_id: int | None
    from_state: str | None
    to_state: str | None
    reason: str | None
    overdue: bool
    payload: dict[str, Any]
    id: int | None = None
    # Emission order across every aggregate of one transaction (a merge writes two).
    seq: int = field(default_factory=lambda: next(_EMIT_SEQ))


@dataclass(slots=True)
class StateChange:
    state: str
    at: datetime
    event: PendingEvent


@dataclass
class Aggregate:
    """One order with its hops, limits and callers, plus what changed since loading."""

    order: OrderRec
    hops: list[HopRec] = field(default_factory=list)
    limits: list[LimitRec] = field(default_factory=list)
    callers: list[CallerRec] = field(default_factory=list)
    is_new: bool = False
    loaded_version: int = 0
    had_open_interval: bool = True
    events: list[PendingEvent] = field(default_factory=list)
    state_changes: list[StateChange] = field(default_factory=list)
    new_ids: set[tuple[str, int]] = field(default_factory=set)
    new_attachments: list[tuple[dict[str, Any], bytes]] = field(default_factory=list)
    # Column values as loaded, keyed by (table, id): what flush compares against.
    originals: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    _journal: dict[str, Any] = field(default_factory=dict)

    # -- mutation, always journalled --------------------------------------------------

    def set_order(self, **values: Any) -> None:
        bucket = self._journal.setdefault("order", {})
        for key, value in values.items():
            if not hasattr(self.order, key):
                raise AttributeError(f"orders has no column {key!r}")
            setattr(self.order, key, value)
            bucket[key] = json_value(value)

    def set_hop(self, hop: HopRec, **values: Any) -> None:
        bucket = self._journal.setdefault("hops", {}).setdefault(str(hop.id), {})
        for key, value in values.items():
            if not hasattr(hop, key):
                raise AttributeError(f"hops has no column {key!r}")
            setattr(hop, key, value)
            bucket[key] = json_value(value)

    def add_hop(self, hop: HopRec) -> HopRec:
        self.hops.append(hop)
        self.new_ids.add(("hops", hop.id))
        self._journal.setdefault("hops", {})[str(hop.id)] = {
            k: json_value(v) for k, v in as_row(hop).items()
        }
        return hop

    def set_limit(self, lim: LimitRec, **values: Any) -> None:
        bucket = self._journal.setdefault("limits", {}).setdefault(str(lim.id), {})
        for key, value in values.items():
            if not hasattr(lim, key):
                raise AttributeError(f"time_limits has no column {key!r}")
            setattr(lim, key, value)
            bucket[key] = json_value(value)

    def add_limit(self, lim: LimitRec) -> LimitRec:
        self.limits.append(lim)
        self.new_ids.add(("time_limits", lim.id))
        self._journal.setdefault("limits", {})[str(lim.id)] = {
            k: json_value(v) for k, v in as_row(lim).items()
        }
        return lim

    def add_caller(self, caller: CallerRec) -> None:
        self.callers.append(caller)
        self.new_ids.add(("order_callers", caller.id))
        self._journal.setdefault("callers", {})[str(caller.id)] = {
            k: json_value(v) for k, v in as_row(caller).items()
        }

    def emit(
        self,
        kind: EventKind,
        *,
        at: datetime,
        actor_user_id: int | None,
        actor_unit_id: int | None,
        to_state: OrderState | None = None,
        hop: HopRec | None = None,
        reason: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> PendingEvent:
        """Close the journal into one event: version +1, state interval if the state moved."""
        from_state = self.order.state
        overdue = self.overdue_at(at)
        changes: dict[str, Any] = {"version": self.order.version + 1, "updated_at": at}
        if to_state is not None and to_state != from_state:
            changes["state"] = to_state.value
        self.set_order(**changes)
        payload = dict(extra or {})
        payload.update(self._journal)
        self._journal = {}
        event = PendingEvent(
            kind=kind,
            at=at,
            order_version=self.order.version,
            actor_user_id=actor_user_id,
            actor_unit_id=actor_unit_id,
            hop_id=hop.id if hop is not None else None,
            from_state=from_state,
            to_state=self.order.state,
            reason=reason,
            overdue=overdue,
            payload=payload,
        )
        self.events.append(event)
        if self.order.state != from_state or (self.is_new and len(self.events) == 1):
            self.state_changes.append(StateChange(self.order.state, at, event))
        return event

    # -- questions --------------------------------------------------------------------

    def overdue_at(self, at: datetime) -> bool:
        """Any limit running (or ending right now) past its due: frozen into each event."""
        return any(
            lim_overdue(lim, at) and (lim.ended_at is None or lim.ended_at >= at)
            for lim in self.limits
        )

    def hop(self, hop_id: int) -> HopRec:
        for h in self.hops:
            if h.id == hop_id:
                return h
        from core.errors import NotFound

        raise NotFound("hop_not_found", order=self.order.number, hop_id=hop_id)

    def children(self, hop: HopRec | None, role: HopRole | None = None) -> list[HopRec]:
        parent = hop.id if hop is not None else None
        return [h for h in self.hops if h.parent_id == parent and (role is None or h.role == role)]

    def live_lead(self, parent: HopRec | None) -> HopRec | None:
        from core.domain.enums import LIVE_HOP_STATES

        for h in self.children(parent, HopRole.LEAD):
            if h.state in LIVE_HOP_STATES:
                return h
        return None

    def holder(self) -> HopRec | None:
        """The lead hop that has the order now: down the chain through delegated hops."""
        hop = self.live_lead(None)
        while hop is not None and hop.state == HopState.DELEGATED:
            child = self.live_lead(hop)
            if child is None or child.state == HopState.RETURNED:
                return hop
            hop = child
        return hop

    def open_limits(
        self, kind: LimitKind | None = None, hop: HopRec | None = None
    ) -> list[LimitRec]:
        return [
            lim
            for lim in self.limits
            if lim.open
            and (kind is None or lim.kind == kind)
            and (hop is None or lim.hop_id == hop.id)
        ]

    @property
    def id(self) -> OrderId:
        return self.order.id

    @property
    def state(self) -> OrderState:
        return OrderState(self.order.state)
