"""What a user may do to an order now, and why not: the guards of ``core.workflow``
restated as questions, so a screen can show every action, enabled or not, with a reason.

Each checker below walks the same checks, in the same order, as the workflow function it
mirrors (tests/core/test_actions.py proves it by running every operation). A check that
fails names a reason code; the UI translates it. When an operation takes a hop, every hop
is tried: each one that passes is an enabled ``Action``; if none passes, the one that got
furthest through the checks gives the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.action_targets import (
    assist_targets,
    dispatch_targets,
    parent_hop,
    pass_down_targets,
    reassign_targets,
)
from core.domain.actor import Actor
from core.domain.enums import (
    OPEN_STATES,
    HopRole,
    HopState,
    LimitKind,
    OrderState,
    Role,
)
from core.org import OrgDirectory, Unit, is_within
from core.policy import PolicyBook
from core.service import OpResult, OrderService
from core.workflow.guards import CENTRE_INTAKE, STAFF, can_see
from core.workflow.handling import DONE_ASSIST
from core.workflow.model import Aggregate, HopRec


class Op(StrEnum):
    EDIT = "edit"
    ADD_CALLER = "add_caller"
    ADD_ATTACHMENT = "add_attachment"
    ANSWER_ON_SPOT = "answer_on_spot"
    DISPATCH = "dispatch"
    MERGE = "merge"
    VOID = "void"
    TRANSFER = "transfer"
    ACCEPT = "accept"
    RETURN_HOP = "return_hop"
    ACCEPT_RETURN = "accept_return"
    REJECT_RETURN = "reject_return"
    PASS_DOWN = "pass_down"
    REASSIGN = "reassign"
    ESCALATE = "escalate"
    ADD_ASSIST = "add_assist"
    NOTE_PROGRESS = "note_progress"
    REQUEST_PAUSE = "request_pause"
    DECIDE_PAUSE = "decide_pause"
    RESUME = "resume"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    ANSWER_ASSIST = "answer_assist"
    SUBMIT_RESULT = "submit_result"
    REVIEW = "review"
    VISIT = "visit"
    REOPEN = "reopen"
    SUPERVISE = "supervise"


# Operations that choose a unit (``targets``).
UNIT_OPS = frozenset({Op.DISPATCH, Op.PASS_DOWN, Op.REASSIGN, Op.ADD_ASSIST})


@dataclass(frozen=True)
class Action:
    code: Op
    hop_id: int | None
    enabled: bool
    why: str | None = None  # a reason code when disabled
    detail: dict[str, Any] = field(default_factory=dict)


class _Refused(Exception):
    def __init__(self, why: str, step: int, detail: dict[str, Any]) -> None:
        super().__init__(why)
        self.why, self.step, self.detail = why, step, detail


class _Check:
    """Counts passed checks, so the refusal that got furthest can be reported."""

    def __init__(self, actor: Actor, agg: Aggregate, org: OrgDirectory) -> None:
        self.actor, self.agg, self.org = actor, agg, org
        self.step = 0

    def need(self, ok: bool, why: str, **detail: Any) -> None:
        if not ok:
            raise _Refused(why, self.step, detail)
        self.step += 1

    # -- the guards of core.workflow.guards ---------------------------------------------

    def role(self, *roles: Role) -> None:
        self.need(self.actor.has(*roles), "role_required", roles=[r.value for r in roles])

    def state(self, *states: OrderState) -> None:
        st = self.agg.order.state
        if st in states:
            self.step += 1
            return
        if st not in OPEN_STATES:
            why = "closed"
        elif st == OrderState.PAUSED:
            why = "paused"
        else:
            why = "wrong_state"
        self.need(False, why, state=st, allowed=[s.value for s in states])

    def open_state(self) -> None:
        self.state(*OPEN_STATES)

    def hop_state(self, hop: HopRec, *states: HopState) -> None:
        self.need(
            hop.state in states,
            "wrong_hop_state",
            hop_state=hop.state,
            allowed=[s.value for s in states],
        )

    def centre(self, *roles: Role) -> None:
        self.role(*roles)
        centre = self.org.get(self.agg.order.centre_unit_id)
        self.need(is_within(centre.path, self.actor.unit_path), "not_order_centre")

    def receiver(self, hop: HopRec) -> None:
        self.role(*STAFF)
        self.need(self.actor.unit_id == hop.receiver_unit_id, "not_your_assignment")

    def sender(self, hop: HopRec) -> None:
        self.role(*(CENTRE_INTAKE if hop.parent_id is None else STAFF))
        sender = self.org.get(hop.sender_unit_id)
        self.need(is_within(sender.path, self.actor.unit_path), "not_sender")

    def not_paused(self) -> None:
        self.need(self.agg.order.state != OrderState.PAUSED, "paused")

    def holder(self) -> HopRec:
        holder = self.agg.holder()
        self.need(holder is not None, "no_holder")
        assert holder is not None
        return holder

    def holds(self, hop: HopRec) -> None:
        self.need(hop.is_lead and self.agg.holder() is hop, "not_holder")

    def some(self, units: list[Unit]) -> None:
        self.need(bool(units), "no_targets")


OPEN_HOP = (HopState.AWAITING, HopState.IN_PROGRESS)
Checker = Callable[[_Check, HopRec | None], dict[str, Any] | None]


# --- one checker per operation, each in its workflow function's order -----------------


def _edit(c: _Check, hop: HopRec | None) -> None:
    c.centre(*CENTRE_INTAKE)
    c.open_state()


def _add_attachment(c: _Check, hop: HopRec | None) -> None:
    c.role(*STAFF)


def _answer_on_spot(c: _Check, hop: HopRec | None) -> None:
    c.centre(*CENTRE_INTAKE)
    c.state(OrderState.REGISTERED)


def _dispatch(c: _Check, hop: HopRec | None) -> None:
    c.centre(*CENTRE_INTAKE)
    c.state(OrderState.REGISTERED)
    c.some(dispatch_targets(c.org, c.agg, lead=True))


def _void(c: _Check, hop: HopRec | None) -> None:
    c.centre(Role.DISPATCHER, Role.SUPERVISOR)
    c.state(OrderState.REGISTERED)


def _accept(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.receiver(hop)
    c.not_paused()
    c.hop_state(hop, HopState.AWAITING)


def _return_hop(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.receiver(hop)
    c.not_paused()
    c.hop_state(hop, *OPEN_HOP)
    c.need(not hop.is_lead or c.agg.holder() is hop, "not_holder")


def _accept_return(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.sender(hop)
    c.hop_state(hop, HopState.RETURNED)


def _reject_return(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.sender(hop)
    c.hop_state(hop, HopState.RETURNED)
    c.not_paused()
    if hop.is_lead:
        parent = parent_hop(c.agg, hop)
        if parent is None:
            c.state(OrderState.REGISTERED)
        else:
            moved = parent.state != HopState.IN_PROGRESS or c.agg.holder() is not parent
            c.need(not moved, "parent_moved_on")


def _pass_down(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.receiver(hop)
    c.not_paused()
    c.hop_state(hop, *OPEN_HOP)
    c.holds(hop)
    c.some(pass_down_targets(c.org, hop))


def _reassign(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.sender(hop)
    c.not_paused()
    c.hop_state(hop, HopState.AWAITING, HopState.IN_PROGRESS, HopState.RETURNED)
    parent = parent_hop(c.agg, hop)
    if hop.is_lead and parent is not None:
        c.need(c.agg.holder() in (hop, parent), "not_current")
    if hop.is_lead and parent is None and hop.state == HopState.RETURNED:
        c.state(OrderState.REGISTERED)
    c.some(reassign_targets(c.org, c.agg, hop))


def _escalate(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.receiver(hop)
    c.not_paused()
    c.hop_state(hop, *OPEN_HOP)
    c.holds(hop)


def _add_assist(c: _Check, hop: HopRec | None) -> None:
    if hop is None:
        c.centre(*CENTRE_INTAKE)
    else:
        c.receiver(hop)
        c.hop_state(hop, HopState.IN_PROGRESS, HopState.DELEGATED)
    c.state(OrderState.DISPATCHED, OrderState.IN_PROGRESS)
    c.some(assist_targets(c.org, c.agg, hop))


def _note_progress(c: _Check, hop: HopRec | None) -> None:
    if hop is not None:
        c.receiver(hop)
    else:
        c.role(*STAFF)
    c.open_state()


def _request_pause(c: _Check, hop: HopRec | None) -> dict[str, Any]:
    c.state(OrderState.IN_PROGRESS)
    holder = c.holder()
    c.receiver(holder)
    c.need(not c.agg.order.pending_request, "request_pending")
    return {"hop_id": holder.id}


def _decide(kind: str) -> Checker:
    states = (
        (OrderState.IN_PROGRESS,)
        if kind == "pause"
        else (OrderState.IN_PROGRESS, OrderState.PAUSED)
    )

    def check(c: _Check, hop: HopRec | None) -> dict[str, Any]:
        c.centre(Role.SUPERVISOR)
        c.state(*states)
        req = c.agg.order.pending_request
        c.need(bool(req) and req is not None and req.get("type") == kind, "no_request")
        assert req is not None
        return {"request": dict(req)}

    return check


def _resume(c: _Check, hop: HopRec | None) -> dict[str, Any]:
    c.state(OrderState.PAUSED)
    holder = c.holder()
    if c.actor.unit_id != holder.receiver_unit_id:
        c.centre(Role.SUPERVISOR)
    else:
        c.role(*STAFF)
    return {"hop_id": holder.id}


def _request_extension(c: _Check, hop: HopRec | None) -> dict[str, Any]:
    c.state(OrderState.IN_PROGRESS, OrderState.PAUSED)
    holder = c.holder()
    c.receiver(holder)
    c.need(not c.agg.order.pending_request, "request_pending")
    return {"hop_id": holder.id}


def _answer_assist(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    c.receiver(hop)
    c.need(not hop.is_lead, "not_assist")
    c.hop_state(hop, HopState.AWAITING, HopState.IN_PROGRESS)
    c.not_paused()


def _submit_result(c: _Check, hop: HopRec | None) -> None:
    assert hop is not None
    agg = c.agg
    c.receiver(hop)
    c.state(OrderState.IN_PROGRESS)
    c.hop_state(hop, HopState.IN_PROGRESS)
    c.holds(hop)
    returned = [h for h in agg.children(hop, HopRole.LEAD) if h.state == HopState.RETURNED]
    c.need(not returned, "return_pending")
    waiting = [h for h in agg.children(hop, HopRole.ASSIST) if h.state not in DONE_ASSIST]
    if hop.parent_id is None:
        waiting += [h for h in agg.children(None, HopRole.ASSIST) if h.state not in DONE_ASSIST]
    c.need(not waiting, "assist_answers_missing", waiting=[h.receiver_unit_id for h in waiting])


def _review(c: _Check, hop: HopRec | None) -> dict[str, Any]:
    c.centre(Role.SUPERVISOR)
    c.state(OrderState.PENDING_REVIEW)
    tops = [h for h in c.agg.children(None, HopRole.LEAD) if h.state == HopState.ANSWERED]
    return {"can_fail": bool(tops)}


def _centre_in(roles: tuple[Role, ...], *states: OrderState) -> Checker:
    def check(c: _Check, hop: HopRec | None) -> None:
        c.centre(*roles)
        c.state(*states)

    return check


def _centre_open(*roles: Role) -> Checker:
    def check(c: _Check, hop: HopRec | None) -> None:
        c.centre(*roles)
        c.open_state()

    return check


def _supervise(c: _Check, hop: HopRec | None) -> None:
    c.centre(Role.SUPERVISOR, Role.LEADER)
    c.open_state()
    target = c.agg.order.lead_unit_id
    c.need(target is None or c.org.find(target) is not None, "unknown_unit")


REGISTERED = (OrderState.REGISTERED,)
_CHECKS: dict[Op, Checker] = {
    Op.EDIT: _edit,
    Op.ADD_CALLER: _centre_open(*CENTRE_INTAKE),
    Op.ADD_ATTACHMENT: _add_attachment,
    Op.ANSWER_ON_SPOT: _answer_on_spot,
    Op.DISPATCH: _dispatch,
    Op.MERGE: _centre_in(CENTRE_INTAKE, *REGISTERED),
    Op.VOID: _void,
    Op.TRANSFER: _centre_in(CENTRE_INTAKE, *REGISTERED),
    Op.ACCEPT: _accept,
    Op.RETURN_HOP: _return_hop,
    Op.ACCEPT_RETURN: _accept_return,
    Op.REJECT_RETURN: _reject_return,
    Op.PASS_DOWN: _pass_down,
    Op.REASSIGN: _reassign,
    Op.ESCALATE: _escalate,
    Op.ADD_ASSIST: _add_assist,
    Op.NOTE_PROGRESS: _note_progress,
    Op.REQUEST_PAUSE: _request_pause,
    Op.DECIDE_PAUSE: _decide("pause"),
    Op.RESUME: _resume,
    Op.REQUEST_EXTENSION: _request_extension,
    Op.DECIDE_EXTENSION: _decide("extension"),
    Op.ANSWER_ASSIST: _answer_assist,
    Op.SUBMIT_RESULT: _submit_result,
    Op.REVIEW: _review,
    Op.VISIT: _centre_in((Role.SUPERVISOR,), OrderState.PENDING_VISIT),
    Op.REOPEN: _centre_in((Role.SUPERVISOR, Role.DISPATCHER), OrderState.CLOSED),
    Op.SUPERVISE: _supervise,
}

# Operations taking a hop, and whether "no hop" is one of their choices.
_HOP_OPS = {
    Op.ACCEPT: False,
    Op.RETURN_HOP: False,
    Op.ACCEPT_RETURN: False,
    Op.REJECT_RETURN: False,
    Op.PASS_DOWN: False,
    Op.REASSIGN: False,
    Op.ESCALATE: False,
    Op.ANSWER_ASSIST: False,
    Op.SUBMIT_RESULT: False,
    Op.ADD_ASSIST: True,
}


def _run(
    check: Checker, actor: Actor, agg: Aggregate, org: OrgDirectory, hop: HopRec | None
) -> tuple[dict[str, Any], None] | tuple[None, _Refused]:
    c = _Check(actor, agg, org)
    try:
        return check(c, hop) or {}, None
    except _Refused as no:
        return None, no


def _one(
    op: Op, actor: Actor, agg: Aggregate, org: OrgDirectory, policy: PolicyBook | None
) -> list[Action]:
    check = _CHECKS[op]
    if op not in _HOP_OPS:
        detail, no = _run(check, actor, agg, org, None)
        if no is not None:
            return [Action(op, None, False, no.why, no.detail)]
        assert detail is not None
        hop_id = detail.pop("hop_id", None)
        if op == Op.REQUEST_EXTENSION or op == Op.DECIDE_EXTENSION:
            refused = _extension(op, agg, policy, detail)
            if refused is not None:
                return [Action(op, hop_id, False, refused, dict(detail))]
        return [Action(op, hop_id, True, None, detail)]
    if op in (Op.ACCEPT_RETURN, Op.REJECT_RETURN) and not any(
        h.state == HopState.RETURNED for h in agg.hops
    ):
        return [Action(op, None, False, "nothing_returned", {})]
    hops: list[HopRec | None] = [None] if _HOP_OPS[op] else []
    hops += agg.hops
    enabled: list[Action] = []
    best: tuple[int, int, HopRec | None, _Refused] | None = None
    for hop in hops:
        detail, no = _run(check, actor, agg, org, hop)
        unit = {"unit_id": hop.receiver_unit_id} if hop is not None else {}
        if no is None:
            enabled.append(
                Action(op, hop.id if hop else None, True, None, {**unit, **(detail or {})})
            )
        elif best is None or (no.step, hop.seq if hop else 0) >= best[:2]:
            best = (no.step, hop.seq if hop else 0, hop, no)
    if enabled:
        return enabled
    if best is None:  # no hop at all: the first check any hop would meet
        if op in (Op.ACCEPT_RETURN, Op.REJECT_RETURN, Op.REASSIGN):
            return [Action(op, None, False, "not_sender", {})]
        if not actor.has(*STAFF):
            return [Action(op, None, False, "role_required", {"roles": [r.value for r in STAFF]})]
        return [Action(op, None, False, "not_your_assignment", {})]
    _, _, hop, no = best
    if no.why in ("not_your_assignment", "not_sender"):
        hop = None  # "not yours" is about every hop, not the last one tried
    return [Action(op, hop.id if hop else None, False, no.why, no.detail)]


def _extension(
    op: Op, agg: Aggregate, policy: PolicyBook | None, detail: dict[str, Any]
) -> str | None:
    """The cap of ``handling._check_extension_cap``; needs the policy book."""
    if policy is None:
        return None
    resolve = agg.open_limits(LimitKind.RESOLVE)
    if not resolve:
        return "no_resolve_limit"
    lim = resolve[-1]
    version = policy.version_at(lim.start_at)
    room = version.extension_max_days - lim.extended_days
    full = agg.order.extension_count >= version.extension_max_count
    if op == Op.REQUEST_EXTENSION:
        detail["max_days"] = room
        return "extension_cap" if full or room < 1 else None
    days = int(str(detail.get("request", {}).get("days", 0)))
    detail["can_approve"] = not full and days <= room
    return None


def available(
    actor: Actor, agg: Aggregate, org: OrgDirectory, policy: PolicyBook | None = None
) -> list[Action]:
    """Every operation, in a stable order: enabled ones with their hop, disabled ones
    with why. Give ``policy`` to check the extension cap too (``detail["max_days"]``)."""
    if not can_see(actor, agg, org):
        return [Action(op, None, False, "not_visible", {}) for op in Op]
    out: list[Action] = []
    for op in Op:
        out += _one(op, actor, agg, org, policy)
    return out


def find(actions: Iterable[Action], op: Op) -> list[Action]:
    return [a for a in actions if a.code == op]


def allowed(actions: Iterable[Action], op: Op) -> bool:
    return any(a.enabled for a in find(actions, op))


# --- the units one may choose -------------------------------------------------------------


def targets(
    org: OrgDirectory,
    agg: Aggregate,
    actor: Actor,
    op: Op,
    hop_id: int | None,
    *,
    assist: bool = False,
) -> list[Unit]:
    """The units ``op`` accepts. For dispatch, the lead's choices (after an escalation,
    only a higher tier), or with ``assist=True`` the assisting units' choices. Who may
    act is ``available``'s question, not this one's."""
    hop = agg.hop(hop_id) if hop_id is not None else None
    if op == Op.DISPATCH:
        return dispatch_targets(org, agg, lead=not assist)
    if op == Op.PASS_DOWN:
        return pass_down_targets(org, hop) if hop is not None else []
    if op == Op.REASSIGN:
        return reassign_targets(org, agg, hop) if hop is not None else []
    if op == Op.ADD_ASSIST:
        return assist_targets(org, agg, hop)
    raise ValueError(f"{op} does not choose a unit")


# --- performing one ----------------------------------------------------------------------

_HOP_ARG = {Op.ADD_ASSIST: "at_hop_id", Op.NOTE_PROGRESS: "hop_id", Op.ADD_ATTACHMENT: "hop_id"}


def perform(
    svc: OrderService,
    actor: Actor,
    order_id: int,
    action: Action,
    args: dict[str, Any],
    expected_version: int | None,
) -> OpResult:
    """Run ``action`` through the service with the arguments a dialog collected, as of the
    version the screen read. Merge names its target by number and checks both versions."""
    if action.code == Op.MERGE:
        target_id = svc.order_id(str(args["target_number"]).strip())
        target = svc.load(actor, target_id)
        versions = None if expected_version is None else (expected_version, target.order.version)
        return svc.merge(actor, order_id, target_id, args.get("reason"), versions)
    kw = dict(args)
    if action.code in _HOP_ARG:
        kw[_HOP_ARG[action.code]] = action.hop_id
    elif action.code in _HOP_OPS:
        kw["hop_id"] = action.hop_id
    method = getattr(svc, action.code.value)
    result: OpResult = method(actor, order_id, expected_version=expected_version, **kw)
    return result
