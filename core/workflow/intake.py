"""制单: registering an order, answering on the spot, editing fields, callers, attachments."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.domain.actor import Actor
from core.domain.enums import (
    OPEN_STATES,
    PHONE_OPTIONAL_CHANNELS,
    AttachmentKind,
    CallerSource,
    Channel,
    LimitKind,
    LimitStart,
    MediationOutcome,
    OrderState,
    RequestType,
    RiskGrade,
    Urgency,
)
from core.domain.events import EventKind
from core.domain.ids import OrderId
from core.errors import FieldError, ValidationError
from core.geo import gcj02_to_wgs84, validate_lonlat
from core.org import is_within
from core.phone import Phone, PhoneError, parse_phone
from core.taxonomy import LIMIT_CLASSES
from core.workflow.common import record, settle_returned, withdraw_live_hops
from core.workflow.context import Ctx
from core.workflow.guards import (
    CENTRE_INTAKE,
    STAFF,
    require_centre,
    require_role,
    require_state,
    require_text,
    require_visible,
)
from core.workflow.model import Aggregate, CallerRec, OrderRec, json_value
from core.workflow.timing import end_all_limits, start_limit

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
NAME_MAX = 64
TEXT_MAX = 5000
ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024


@dataclass
class OrderDraft:
    """What intake collects. Every field is checked, and every bad one is reported."""

    channel: str
    request_type: str
    category_node_id: str
    description: str
    title: str = ""
    caller_name: str | None = None
    phone: str | None = None
    anonymous: bool = False
    confidential: bool = False
    urgency: str = Urgency.NORMAL.value
    address: str | None = None
    lon: float | None = None
    lat: float | None = None
    coord_system: str = "wgs84"  # "gcj02" for 高德/WeChat/Tencent map picks
    location_unit_id: int | None = None  # resolved from the standard-address table or a map pick
    limit_class: str | None = None  # defaults to the category's class
    dispute_type: str | None = None
    risk_grade: str | None = None
    parties: list[dict[str, Any]] | None = None
    leader_responsible: str | None = None
    mediation_outcome: str | None = None
    external_ref: str | None = None
    external_source: str | None = None  # an importing system's name (core.imports)
    upstream_due: datetime | None = None
    police_incident_no: str | None = None
    answer_on_spot: str | None = None
    extra_callers: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class CleanDraft:
    """A draft that passed validation, normalised (WGS-84, canonical phone, location)."""

    values: dict[str, Any]
    phone: Phone | None
    location_unit_id: int
    answer_on_spot: str | None
    extra_callers: list[tuple[str | None, Phone | None]]


_ENUM_VALUES: dict[type, frozenset[str]] = {}


def _enum_error(errors: list[FieldError], name: str, value: Any, enum: type) -> None:
    values = _ENUM_VALUES.get(enum)
    if values is None:
        values = _ENUM_VALUES[enum] = frozenset(m.value for m in enum)  # type: ignore[attr-defined]
    if type(value) is str and value in values:
        return  # a plain member value: what enum(value) accepts, without the call
    try:
        enum(value)
    except ValueError:
        errors.append(FieldError(name, "unknown_value", {"value": value}))


def _text(
    errors: list[FieldError], name: str, value: str | None, limit: int, required: bool = False
) -> str | None:
    text = (value or "").strip()
    if required and not text:
        errors.append(FieldError(name, "required"))
    if len(text) > limit:
        errors.append(FieldError(name, "too_long", {"max": limit, "length": len(text)}))
    return text or None


def _phone(errors: list[FieldError], name: str, value: str | None) -> Phone | None:
    try:
        return parse_phone(value)
    except PhoneError as exc:
        errors.append(FieldError(name, exc.code, dict(exc.params)))
        return None


def validate_draft(ctx: Ctx, d: OrderDraft) -> CleanDraft:
    errors: list[FieldError] = []
    ref = ctx.ref
    _enum_error(errors, "channel", d.channel, Channel)
    _enum_error(errors, "request_type", d.request_type, RequestType)
    _enum_error(errors, "urgency", d.urgency, Urgency)
    cat = ref.categories.get(d.category_node_id)
    if cat is None:
        errors.append(
            FieldError("category_node_id", "unknown_category", {"value": d.category_node_id})
        )
    elif not cat.selectable:
        errors.append(
            FieldError("category_node_id", "category_not_selectable", {"value": d.category_node_id})
        )
    description = _text(errors, "description", d.description, DESCRIPTION_MAX, required=True)
    title = _text(errors, "title", d.title, TITLE_MAX)
    caller_name = _text(errors, "caller_name", d.caller_name, NAME_MAX)
    phone = _phone(errors, "phone", d.phone)
    phone_ok = not any(e.field == "phone" for e in errors)
    if phone is None and phone_ok and not d.anonymous and d.channel not in PHONE_OPTIONAL_CHANNELS:
        errors.append(FieldError("phone", "phone_required", {"channel": d.channel}))
    address = _text(errors, "address", d.address, 256)
    limit_class = d.limit_class or (cat.limit_class if cat else "general")
    if limit_class not in LIMIT_CLASSES:
        errors.append(FieldError("limit_class", "unknown_value", {"value": limit_class}))

    # location: coordinates (converted to WGS-84), else an explicit unit, else the centre
    lon, lat = d.lon, d.lat
    location_unit_id: int | None = None
    org = ref.org
    if (lon is None) != (lat is None):
        errors.append(FieldError("coordinates", "coordinates_incomplete"))
    elif lon is not None and lat is not None:
        coord_errors = validate_lonlat(lon, lat, "coordinates")
        errors.extend(coord_errors)
        if d.coord_system not in ("wgs84", "gcj02"):
            errors.append(FieldError("coord_system", "unknown_value", {"value": d.coord_system}))
        elif not coord_errors:
            if d.coord_system == "gcj02":
                lon, lat = gcj02_to_wgs84(float(lon), float(lat))
            if not org.contains_point(float(lon), float(lat)):
                errors.append(FieldError("coordinates", "outside_county", {"lon": lon, "lat": lat}))
            else:
                location_unit_id = org.grid_index.locate((float(lon), float(lat)))
    if d.location_unit_id is not None:
        picked = org.find(d.location_unit_id)
        if picked is not None and not picked.territorial:
            # A department is functional and county-wide: it is nobody's location.
            errors.append(
                FieldError("location_unit_id", "not_territorial", {"value": d.location_unit_id})
            )
        elif picked is None:
            errors.append(
                FieldError("location_unit_id", "unknown_unit", {"value": d.location_unit_id})
            )
        else:
            location_unit_id = d.location_unit_id
    actor = ctx.actor
    if location_unit_id is None and actor is not None:
        location_unit_id = actor.unit_id
    location = org.find(location_unit_id) if location_unit_id is not None else None
    if location and actor and not is_within(location.path, actor.unit_path):
        errors.append(
            FieldError("location_unit_id", "outside_centre_territory", {"value": location.id})
        )

    # disputes 矛盾纠纷
    dispute_given = any(
        v
        for v in (
            d.dispute_type,
            d.risk_grade,
            d.parties,
            d.leader_responsible,
            d.mediation_outcome,
        )
    )
    is_dispute = bool(cat and cat.is_dispute)
    if dispute_given and cat is not None and not is_dispute:
        errors.append(FieldError("dispute_type", "not_a_dispute_category", {"category": cat.code}))
    if d.risk_grade is not None:
        _enum_error(errors, "risk_grade", d.risk_grade, RiskGrade)
    elif is_dispute:
        errors.append(FieldError("risk_grade", "required"))
    if d.mediation_outcome is not None:
        _enum_error(errors, "mediation_outcome", d.mediation_outcome, MediationOutcome)
    parties = _parties(errors, d.parties)
    dispute_type = _text(errors, "dispute_type", d.dispute_type, 64)
    leader = _text(errors, "leader_responsible", d.leader_responsible, NAME_MAX)
    if d.upstream_due is not None and d.upstream_due.tzinfo is None:
        errors.append(FieldError("upstream_due", "naive_datetime"))
    external_ref = _text(errors, "external_ref", d.external_ref, 64)
    source = _text(errors, "external_source", d.external_source, 40)
    if source and not external_ref:
        errors.append(FieldError("external_ref", "required_with_source"))
    answer = _text(errors, "answer_on_spot", d.answer_on_spot, TEXT_MAX)
    extras: list[tuple[str | None, Phone | None]] = []
    for i, (name, number) in enumerate(d.extra_callers):
        extras.append(
            (
                _text(errors, f"extra_callers[{i}].name", name, NAME_MAX),
                _phone(errors, f"extra_callers[{i}].phone", number),
            )
        )
    if errors:
        raise ValidationError(errors)
    assert location_unit_id is not None and description is not None and cat is not None
    values: dict[str, Any] = {
        "channel": d.channel,
        "request_type": d.request_type,
        "category_node_id": cat.node_id,
        "limit_class": limit_class,
        "urgency": d.urgency,
        "title": title or _title_from(description),
        "description": description,
        "caller_name": caller_name,
        "anonymous": bool(d.anonymous),
        "confidential": bool(d.confidential),
        "address": address,
        "lon": float(lon) if lon is not None else None,
        "lat": float(lat) if lat is not None else None,
        "planned_tier": cat.default_tier,
        "dispute_type": dispute_type,
        "risk_grade": d.risk_grade,
        "parties": parties,
        "leader_responsible": leader,
        "mediation_outcome": d.mediation_outcome,
        "external_ref": external_ref,
        "external_source": source,
        "upstream_due": d.upstream_due,
        "police_incident_no": (d.police_incident_no or "").strip() or None,
    }
    return CleanDraft(values, phone, location_unit_id, answer, extras)


def _parties(
    errors: list[FieldError], parties: list[dict[str, Any]] | None
) -> list[dict[str, Any]] | None:
    if parties is None:
        return None
    out: list[dict[str, Any]] = []
    for i, p in enumerate(parties):
        if not isinstance(p, dict) or not str(p.get("name", "")).strip():
            errors.append(FieldError(f"parties[{i}].name", "required"))
            continue
        entry = {"name": str(p["name"]).strip()}
        for key in ("role", "id_number", "address"):
            if p.get(key):
                entry[key] = str(p[key]).strip()
        if p.get("phone"):
            ph = _phone(errors, f"parties[{i}].phone", str(p["phone"]))
            if ph is not None:
                entry["phone"] = ph.canonical
        out.append(entry)
    return out or None


def _title_from(description: str) -> str:
    first = description.splitlines()[0].strip()
    return first if len(first) <= 40 else first[:39] + "…"


def _phone_columns(phone: Phone | None) -> dict[str, Any]:
    if phone is None:
        return {"phone": None, "phone_kind": None, "phone_digits": None}
    return {
        "phone": phone.canonical,
        "phone_kind": phone.kind.value,
        "phone_digits": phone.digits(),
    }


def require_intake(ctx: Ctx) -> Actor:
    """The acting user, if they may register orders."""
    actor = ctx.actor
    if actor is None:
        from core.errors import PermissionDenied

        raise PermissionDenied("user_required")
    require_role(actor, *CENTRE_INTAKE)
    return actor


def register(ctx: Ctx, draft: OrderDraft) -> Aggregate:
    """制单. Validates everything first; returns the new aggregate (not yet stored)."""
    require_intake(ctx)
    return register_clean(ctx, validate_draft(ctx, draft))


def register_clean(ctx: Ctx, clean: CleanDraft) -> Aggregate:
    """制单 of a draft ``validate_draft`` passed (the batch path validates only once)."""
    actor = require_intake(ctx)
    now = ctx.now
    local_year = now.astimezone(ctx.ref.tz).year
    order = OrderRec(
        id=OrderId(ctx.ids.next_id("orders")),
        number=ctx.ids.next_order_number(local_year),
        version=0,
        state=OrderState.REGISTERED.value,
        location_unit_id=clean.location_unit_id,
        centre_unit_id=actor.unit_id,
        lead_unit_id=None,
        tier=None,
        registered_at=now,
        registered_by=actor.user_id,
        updated_at=now,
        **clean.values,
        **_phone_columns(clean.phone),
    )
    agg = Aggregate(order=order, is_new=True, had_open_interval=False)
    agg.set_order(
        **{k: getattr(order, k) for k in order.__slots__}
    )  # the whole record goes in the event
    for name, phone in clean.extra_callers:
        _add_caller(agg, ctx, name, phone, CallerSource.ADDED, None)
    start_limit(agg, ctx, LimitKind.HANDOUT, LimitStart.REGISTRATION)
    start_limit(agg, ctx, LimitKind.RESOLVE, LimitStart.REGISTRATION)
    agg.emit(
        EventKind.REGISTERED,
        at=now,
        actor_user_id=actor.user_id,
        actor_unit_id=actor.unit_id,
        to_state=OrderState.REGISTERED,
    )
    if clean.answer_on_spot:
        answer_on_spot(ctx, agg, clean.answer_on_spot)
    return agg


def answer_on_spot(ctx: Ctx, agg: Aggregate, text: str) -> None:
    """直接答复: the officer answered the caller; the order closes at once."""
    require_centre(ctx, agg, *CENTRE_INTAKE)
    require_state(agg, "answer_on_spot", OrderState.REGISTERED)
    answer = require_text(text, "answer_text")
    settle_returned(agg, None)  # answering it ourselves accepts a return waiting here
    withdraw_live_hops(agg)  # assisting units still on it are released
    end_all_limits(agg, ctx)
    agg.set_order(answer_text=answer, closed_at=ctx.now)
    record(
        agg,
        ctx,
        EventKind.ANSWERED_ON_SPOT,
        to_state=OrderState.CLOSED,
    )


EDITABLE = (
    "title",
    "description",
    "category_node_id",
    "limit_class",
    "request_type",
    "urgency",
    "caller_name",
    "phone",
    "anonymous",
    "confidential",
    "address",
    "location",
    "dispute_type",
    "risk_grade",
    "parties",
    "leader_responsible",
    "mediation_outcome",
    "external_ref",
    "upstream_due",
    "police_incident_no",
)


def edit(ctx: Ctx, agg: Aggregate, changes: dict[str, Any]) -> None:
    """One event per changed field. Deadlines already computed stay as they are."""
    require_centre(
        ctx,
        agg,
        *CENTRE_INTAKE,
    )
    if agg.order.state not in OPEN_STATES:
        require_state(agg, "edit", *OPEN_STATES)
    unknown = [k for k in changes if k not in EDITABLE]
    if unknown:
        raise ValidationError([FieldError(k, "not_editable") for k in unknown])
    o = agg.order
    base = OrderDraft(
        channel=o.channel,
        request_type=o.request_type,
        category_node_id=o.category_node_id,
        description=o.description,
        title=o.title,
        caller_name=o.caller_name,
        phone=o.phone,
        anonymous=o.anonymous,
        confidential=o.confidential,
        urgency=o.urgency,
        address=o.address,
        lon=o.lon,
        lat=o.lat,
        location_unit_id=o.location_unit_id,
        limit_class=o.limit_class,
        dispute_type=o.dispute_type,
        risk_grade=o.risk_grade,
        parties=o.parties,
        leader_responsible=o.leader_responsible,
        mediation_outcome=o.mediation_outcome,
        external_ref=o.external_ref,
        external_source=o.external_source,
        upstream_due=o.upstream_due,
        police_incident_no=o.police_incident_no,
    )
    for key, value in changes.items():
        if key == "location":
            loc = dict(value)
            base.lon, base.lat = loc.get("lon"), loc.get("lat")
            base.coord_system = loc.get("coord_system", "wgs84")
            base.location_unit_id = loc.get("location_unit_id")
        else:
            setattr(base, key, value)
    # Validate as the registering centre would: the territory is the order's centre's.
    as_centre = _as_centre(ctx, agg)
    try:
        clean = validate_draft(as_centre, base)
    except ValidationError as exc:
        # A database role that may not read the caller's number loaded it as None; the
        # number is still there, so "phone required" does not apply to other edits.
        if "phone" not in agg.withheld or "phone" in changes or "anonymous" in changes:
            raise
        rest = [e for e in exc.errors if (e.field, e.code) != ("phone", "phone_required")]
        if rest:
            raise ValidationError(rest) from None
        base.anonymous = True  # passes the rule only: "anonymous" is not among the changes
        clean = validate_draft(as_centre, base)
    new: dict[str, Any] = dict(clean.values)
    new.update(_phone_columns(clean.phone))
    new["location_unit_id"] = clean.location_unit_id
    groups = {
        "phone": ("phone", "phone_kind", "phone_digits"),
        "location": ("lon", "lat", "location_unit_id"),
        "category_node_id": ("category_node_id", "planned_tier"),
    }
    for key in changes:
        cols = groups.get(key, (key,))
        before = {c: getattr(o, c) for c in cols}
        after = {c: new[c] for c in cols}
        if before == after:
            continue
        agg.set_order(**after)
        record(
            agg,
            ctx,
            EventKind.FIELD_EDITED,
            extra={
                "field": key,
                "from": {c: json_value(v) for c, v in before.items()},
                "to": {c: json_value(v) for c, v in after.items()},
            },
        )


def _as_centre(ctx: Ctx, agg: Aggregate) -> Ctx:
    from dataclasses import replace

    centre = ctx.ref.org.get(agg.order.centre_unit_id)
    assert ctx.actor is not None
    return replace(ctx, actor=replace(ctx.actor, unit_id=centre.id, unit_path=centre.path))


def _add_caller(
    agg: Aggregate,
    ctx: Ctx,
    name: str | None,
    phone: Phone | None,
    source: CallerSource,
    from_order: int | None,
) -> None:
    agg.add_caller(
        CallerRec(
            id=ctx.ids.next_id("order_callers"),
            order_id=agg.order.id,
            name=name,
            source=source.value,
            from_order_id=from_order,
            added_at=ctx.now,
            **_phone_columns(phone),
        )
    )


def add_caller(ctx: Ctx, agg: Aggregate, name: str | None, phone_text: str | None) -> None:
    """A further caller on the same matter (附加来电人)."""
    require_centre(ctx, agg, *CENTRE_INTAKE)
    if agg.order.state not in OPEN_STATES:
        require_state(agg, "add_caller", *OPEN_STATES)
    errors: list[FieldError] = []
    clean_name = _text(errors, "caller_name", name, NAME_MAX)
    phone = _phone(errors, "phone", phone_text)
    if clean_name is None and phone is None and not errors:
        errors.append(FieldError("phone", "required"))
    if errors:
        raise ValidationError(errors)
    _add_caller(agg, ctx, clean_name, phone, CallerSource.ADDED, None)
    record(
        agg,
        ctx,
        EventKind.CALLER_ADDED,
    )


@dataclass(frozen=True)
class AttachmentData:
    kind: str
    filename: str
    mime: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def add_attachment(
    ctx: Ctx, agg: Aggregate, att: AttachmentData, hop_id: int | None = None
) -> dict[str, Any]:
    """Photos and documents; the blob itself is stored once per content hash."""
    actor = require_visible(ctx, agg)
    require_role(actor, *STAFF)
    errors: list[FieldError] = []
    _enum_error(errors, "kind", att.kind, AttachmentKind)
    if (
        not att.filename.strip()
        or len(att.filename) > 256
        or any(c in att.filename for c in "/\\\0")
    ):
        errors.append(FieldError("filename", "bad_filename", {"value": att.filename[:80]}))
    if not att.data:
        errors.append(FieldError("data", "empty_file"))
    if len(att.data) > ATTACHMENT_MAX_BYTES:
        errors.append(
            FieldError(
                "data", "file_too_large", {"max": ATTACHMENT_MAX_BYTES, "size": len(att.data)}
            )
        )
    if errors:
        raise ValidationError(errors)
    meta = {
        "id": ctx.ids.next_id("attachments"),
        "kind": att.kind,
        "filename": att.filename.strip(),
        "mime": att.mime or "application/octet-stream",
        "size": len(att.data),
        "sha256": att.sha256,
        "hop_id": hop_id,
    }
    agg.new_attachments.append((meta, att.data))
    record(
        agg,
        ctx,
        EventKind.ATTACHMENT_ADDED,
        extra={"attachment": meta},
    )
    return meta
