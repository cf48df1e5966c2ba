"""Records mirroring the order tables, and the aggregate that journals changes to them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from core.domain.enums import HopRole, HopState, LimitKind, OrderState
from core.domain.events import EVENT_FORMAT, EventKind
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
    external_source: str | None = None
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
    # Derived by ``Aggregate.set_order`` (see ``shown_caller``); never set them directly.
    phone_masked: str | None = None
    caller_shown: str | None = None


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
    phone_masked: str | None = None  # derived by ``Aggregate.add_caller``


# --- privacy: what a role without the full columns may read ------------------------------

# Columns user roles may not SELECT on PostgreSQL (core.storage.dbroles); the same keys
# are kept out of events.payload and go to events.private_payload instead.
PRIVATE_ORDER_COLS = ("caller_name", "phone", "phone_digits")
PRIVATE_CALLER_COLS = ("name", "phone", "phone_digits")
MASKED_UNPARSABLE = "****"


def mask_phone(phone: str | None) -> str | None:
    from core.phone import PhoneError, parse_phone

    try:
        parsed = parse_phone(phone)
    except PhoneError:
        return MASKED_UNPARSABLE
    return parsed.masked() if parsed is not None else None


def shown_caller(
    caller_name: str | None, phone: str | None, confidential: bool
) -> dict[str, str | None]:
    """The derived list columns: an informant of a confidential order shows nothing."""
    if confidential:
        return {"phone_masked": None, "caller_shown": None}
    return {"phone_masked": mask_phone(phone), "caller_shown": caller_name}


def _split(
    values: dict[str, Any], private: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the other keys, the ``private`` keys), each in the order ``values`` has them."""
    present = [k for k in private if k in values]
    public = dict(values)
    for key in present:
        del public[key]
    if len(present) > 1:
        present.sort(key=list(values).index)
    return public, {k: values[k] for k in present}


def event_row(order_id: int, e: PendingEvent) -> dict[str, Any]:
    """The ``events`` row of a pending event, its id aside (the writer allocates it), the
    caller's details split into ``private_payload``; ``flush`` and the bulk path share it."""
    public, private = split_private(e.payload)
    return {
        "order_id": order_id,
        "order_version": e.order_version,
        "hop_id": e.hop_id,
        "kind": e.kind.value,
        "format": EVENT_FORMAT,
        "actor_user_id": e.actor_user_id,
        "actor_unit_id": e.actor_unit_id,
        "at": e.at,
        "from_state": e.from_state,
        "to_state": e.to_state,
        "reason": e.reason,
        "overdue": e.overdue,
        "payload": public,
        "private_payload": private,
    }


def split_private(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An event payload as (what user roles may read, the caller's name and numbers)."""
    public = dict(payload)
    hidden: dict[str, Any] = {}
    for key in ("order", "from", "to"):  # from/to: a field_edited event's old and new values
        values = payload.get(key)
        if isinstance(values, dict) and any(k in values for k in PRIVATE_ORDER_COLS):
            public[key], hidden[key] = _split(values, PRIVATE_ORDER_COLS)
    callers = payload.get("callers")
    if isinstance(callers, dict) and callers:
        shown: dict[str, Any] = {}
        kept: dict[str, Any] = {}
        for cid, values in callers.items():
            shown[cid], secret = _split(values, PRIVATE_CALLER_COLS)
            if secret:
                kept[cid] = secret
        public["callers"] = shown
        if kept:
            hidden["callers"] = kept
    return public, (hidden or None)


def merge_private(payload: dict[str, Any], private: dict[str, Any] | None) -> dict[str, Any]:
    """The inverse of ``split_private``."""
    if not private:
        return dict(payload)
    out = dict(payload)
    for key, values in private.items():
        if key == "callers":
            callers = {cid: dict(v) for cid, v in out.get("callers", {}).items()}
            for cid, secret in values.items():
                callers.setdefault(cid, {}).update(secret)
            out["callers"] = callers
        else:
            out[key] = {**out.get(key, {}), **values}
    return out


_NAMES: dict[type, tuple[str, ...]] = {}
# Per record type: its column names, a getter of all their values at once, and the
# columns whose annotation allows a list or a dict (the only values ``as_row`` copies).
_RowPlan = tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]], tuple[str, ...]]
_ROW_PLANS: dict[type, _RowPlan] = {}


def names(rec_type: type) -> tuple[str, ...]:
    """Column names of a record type, cached: flush asks for them very often."""
    found = _NAMES.get(rec_type)
    if found is None:
        found = _NAMES[rec_type] = tuple(f.name for f in fields(rec_type))
    return found


def _row_plan(rec_type: type) -> _RowPlan:
    plan = _ROW_PLANS.get(rec_type)
    if plan is None:
        cols = names(rec_type)
        containers = tuple(
            f.name
            for f in fields(rec_type)
            if any(word in str(f.type) for word in ("list", "dict", "Any"))
        )
        getter = attrgetter(*cols)
        get = getter if len(cols) > 1 else (lambda rec: (getter(rec),))
        plan = _ROW_PLANS[rec_type] = (cols, get, containers)
    return plan


def as_row(rec: Any) -> dict[str, Any]:
    """Column values of a record; lists and dicts are copied so snapshots stay put.

    Only the columns typed to hold a list or a dict are looked at for copying: a record
    is a row of scalars otherwise, and flush builds many of these."""
    cols, get, containers = _row_plan(type(rec))
    out = dict(zip(cols, get(rec), strict=True))
    for name in containers:
        value = out[name]
        if isinstance(value, dict):
            out[name] = dict(value)
        elif isinstance(value, list):
            out[name] = [dict(v) if isinstance(v, dict) else v for v in value]
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
    # Order columns the connected database role may not read (loaded as None): flush
    # writes them only when they were changed.
    withheld: frozenset[str] = frozenset()
    _journal: dict[str, Any] = field(default_factory=dict)

    # -- mutation, always journalled --------------------------------------------------

    def set_order(self, **values: Any) -> None:
        bucket = self._journal.setdefault("order", {})
        for key, value in values.items():
            if not hasattr(self.order, key):
                raise AttributeError(f"orders has no column {key!r}")
            setattr(self.order, key, value)
            bucket[key] = json_value(value)
        if self.withheld and not self.withheld.isdisjoint(values):
            self.withheld = self.withheld.difference(values)  # known from now on
        if not {"phone", "caller_name", "confidential"}.isdisjoint(values):
            self._derive_shown()

    def _derive_shown(self) -> None:
        o = self.order
        derived = shown_caller(o.caller_name, o.phone, o.confidential)
        # A value this role could not read stays as it was, unless confidential hides it.
        if not o.confidential:
            if "phone" in self.withheld:
                derived.pop("phone_masked")
            if "caller_name" in self.withheld:
                derived.pop("caller_shown")
        changed = {k: v for k, v in derived.items() if getattr(o, k) != v}
        if changed:
            self.set_order(**changed)

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
        caller.phone_masked = mask_phone(caller.phone)
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
