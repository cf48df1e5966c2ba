"""``core.actions.available`` mirrors the workflow's guards exactly.

Orders are driven through ``OrderService`` into many states. Then, for every test user
and every operation, each enabled ``Action`` is performed (on a copy of the aggregate,
in memory: no commit per attempt) and must succeed, while a disabled one must raise a
``CoreError`` for every hop and unit one might try. ``targets`` is checked the same way:
every unit it offers works, every other unit is refused.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from core.actions import UNIT_OPS, Action, Op, available, perform, targets
from core.domain.actor import Actor
from core.errors import CoreError
from core.service import OrderService
from core.workflow import closing, dispatch, handling, intake
from core.workflow.context import Ctx, Reference
from core.workflow.guards import require_visible
from core.workflow.intake import AttachmentData
from core.workflow.model import Aggregate
from tests.core.county import County
from tests.core.test_transitions import draft

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class Ids:
    """Fresh ids without a database: the attempts are never stored."""

    def __init__(self) -> None:
        self.counter = itertools.count(10**9)

    def next_id(self, table: str) -> int:
        return next(self.counter)

    def next_order_number(self, year: int) -> str:
        return f"T{next(self.counter)}"


@dataclass
class Life:
    svc: OrderService
    a: dict[str, Actor]
    u: dict[str, int]

    def reg(self, who: str = "duty") -> int:
        return self.svc.register(self.a[who], draft()).order_id

    def hop(self, oid: int, unit: str, role: str = "lead") -> int:
        found = [
            h
            for h in self.svc.load(self.a["admin"], oid).hops
            if h.receiver_unit_id == self.u[unit] and h.role == role
        ]
        return found[-1].id

    def dispatched(self, *assists: str, to: str = "town1") -> int:
        oid = self.reg()
        self.svc.dispatch(self.a["dispatcher"], oid, self.u[to], [self.u[x] for x in assists])
        return oid

    def accepted(self, *assists: str, to: str = "town1") -> int:
        oid = self.dispatched(*assists, to=to)
        self.svc.accept(self.a[f"h_{to}"], oid, self.hop(oid, to))
        return oid

    def at_village(self, accept: bool = True) -> int:
        oid = self.accepted()
        self.svc.pass_down(self.a["h_town1"], oid, self.hop(oid, "town1"), self.u["town1v1"])
        if accept:
            self.svc.accept(self.a["h_town1v1"], oid, self.hop(oid, "town1v1"))
        return oid


def build(svc: OrderService, actors: dict[str, Actor], u: dict[str, int]) -> dict[str, int]:
    """One order per interesting moment of the closed loop."""
    f = Life(svc, actors, u)
    a, o = actors, {}
    o["registered"] = f.reg()
    o["town_registered"] = f.reg("town1_duty")
    x = f.reg("town1_duty")
    svc.dispatch(a["town1_duty"], x, u["town1v1"])
    o["town_dispatched"] = x
    o["dispatched"] = f.dispatched("police")
    o["accepted"] = f.accepted("police")
    o["passed_down"] = f.at_village(accept=False)
    o["village_accepted"] = f.at_village()
    x = f.at_village()
    svc.pass_down(a["h_town1v1"], x, f.hop(x, "town1v1"), u["town1v1g1"])
    svc.accept(a["h_town1v1g1"], x, f.hop(x, "town1v1g1"))
    o["grid"] = x
    x = f.at_village()
    svc.return_hop(a["h_town1v1"], x, f.hop(x, "town1v1"), "不属于本村")
    o["child_returned"] = x
    x = f.dispatched()
    svc.return_hop(a["h_town1"], x, f.hop(x, "town1"), "不属于本镇")
    o["top_returned"] = x
    x = f.accepted(to="town1v1")
    svc.escalate(a["h_town1v1"], x, f.hop(x, "town1v1"), "需要上级协调")
    o["escalated_village"] = x
    x = f.accepted()
    svc.escalate(a["h_town1"], x, f.hop(x, "town1"), "需要县里协调")
    o["escalated_town"] = x
    x = f.accepted("police", "civil")
    svc.answer_assist(a["h_police"], x, f.hop(x, "police", "assist"), "已出警")
    o["assist_half_answered"] = x
    x = f.accepted("police")
    svc.answer_assist(a["h_police"], x, f.hop(x, "police", "assist"), "已出警")
    o["assist_answered"] = x
    x = f.accepted()
    svc.add_assist(a["h_town1"], x, u["town1v2"], f.hop(x, "town1"))
    o["town_assist"] = x
    x = f.accepted()
    svc.request_pause(a["h_town1"], x, "等待法院判决")
    o["pause_requested"] = x
    x = f.accepted()
    svc.request_pause(a["h_town1"], x, "等待法院判决")
    svc.decide_pause(a["supervisor"], x, True)
    o["paused"] = x
    x = f.accepted()
    svc.request_extension(a["h_town1"], x, 2, "需要更多时间")
    o["extension_requested"] = x
    x = f.accepted()
    svc.submit_result(a["h_town1"], x, f.hop(x, "town1"), "已处理")
    o["pending_review"] = x
    x = f.at_village()
    svc.submit_result(a["h_town1v1"], x, f.hop(x, "town1v1"), "村里已处理")
    o["result_climbing"] = x
    x = f.accepted()
    svc.submit_result(a["h_town1"], x, f.hop(x, "town1"), "已处理")
    svc.review(a["supervisor"], x, True)
    o["pending_visit"] = x
    x = f.accepted()
    svc.submit_result(a["h_town1"], x, f.hop(x, "town1"), "已处理")
    svc.review(a["supervisor"], x, True)
    svc.visit(a["supervisor"], x, "satisfied")
    o["closed"] = x
    x = f.reg()
    svc.void(a["dispatcher"], x, "测试单")
    o["voided"] = x
    return o


# --- performing one operation in memory ------------------------------------------------

FALLBACK_UNITS = ("town1", "town2", "town1v1", "town1v2", "town1v1g1", "police", "school")


@dataclass
class Try:
    """One attempt: the op, a hop, and a unit for the operations that choose one."""

    op: Op
    hop_id: int | None
    unit_id: int | None = None
    approve: bool = True


def run(
    ref: Reference, now: Any, actor: Actor, agg: Aggregate, t: Try, merge_to: Aggregate
) -> None:
    """What ``OrderService`` does for the op, minus the database: raises or changes ``agg``."""
    ctx = Ctx(now, actor, ref, Ids())
    require_visible(ctx, agg)
    h, unit = t.hop_id, t.unit_id
    calls: dict[Op, Callable[[], object]] = {
        Op.EDIT: lambda: intake.edit(ctx, agg, {"title": "改过的标题"}),
        Op.ADD_CALLER: lambda: intake.add_caller(ctx, agg, "李四", "13900001111"),
        Op.ADD_ATTACHMENT: lambda: intake.add_attachment(
            ctx, agg, AttachmentData("photo_before", "现场.png", "image/png", PNG), h
        ),
        Op.ANSWER_ON_SPOT: lambda: intake.answer_on_spot(ctx, agg, "已当场答复"),
        Op.DISPATCH: lambda: dispatch.dispatch(ctx, agg, unit or 0),
        Op.MERGE: lambda: closing.merge(ctx, agg, copy.deepcopy(merge_to), "重复来电"),
        Op.VOID: lambda: closing.void(ctx, agg, "测试单"),
        Op.TRANSFER: lambda: closing.transfer(ctx, agg, "邻县", "不在本县"),
        Op.ACCEPT: lambda: dispatch.accept(ctx, agg, h or 0),
        Op.RETURN_HOP: lambda: dispatch.return_hop(ctx, agg, h or 0, "不归我们管"),
        Op.ACCEPT_RETURN: lambda: dispatch.accept_return(ctx, agg, h or 0),
        Op.REJECT_RETURN: lambda: dispatch.reject_return(ctx, agg, h or 0, "请继续办理"),
        Op.PASS_DOWN: lambda: dispatch.pass_down(ctx, agg, h or 0, unit or 0),
        Op.REASSIGN: lambda: dispatch.reassign(ctx, agg, h or 0, unit or 0, "改派"),
        Op.ESCALATE: lambda: dispatch.escalate(ctx, agg, h or 0, "需要上级协调"),
        Op.ADD_ASSIST: lambda: dispatch.add_assist(ctx, agg, unit or 0, h),
        Op.NOTE_PROGRESS: lambda: handling.note_progress(ctx, agg, "正在处理", h),
        Op.REQUEST_PAUSE: lambda: handling.request_pause(ctx, agg, "等待判决"),
        Op.DECIDE_PAUSE: lambda: handling.decide_pause(ctx, agg, t.approve),
        Op.RESUME: lambda: handling.resume(ctx, agg),
        Op.REQUEST_EXTENSION: lambda: handling.request_extension(ctx, agg, 1, "需要时间"),
        Op.DECIDE_EXTENSION: lambda: handling.decide_extension(ctx, agg, t.approve),
        Op.ANSWER_ASSIST: lambda: handling.answer_assist(ctx, agg, h or 0, "协办意见"),
        Op.SUBMIT_RESULT: lambda: handling.submit_result(ctx, agg, h or 0, "已办结"),
        Op.REVIEW: lambda: closing.review(ctx, agg, t.approve, None if t.approve else "返工"),
        Op.VISIT: lambda: closing.visit(ctx, agg, "satisfied"),
        Op.REOPEN: lambda: closing.reopen(ctx, agg, "再次投诉"),
        Op.SUPERVISE: lambda: closing.supervise(ctx, agg, "yellow", "请加快办理"),
    }
    calls[t.op]()


class Attempts:
    """Runs attempts on one copy of an order, copied again only after a change: a refused
    operation changes nothing (test_transitions proves it), so refusals share a copy."""

    def __init__(self, ref: Reference, now: Any, agg: Aggregate, merge_to: Aggregate) -> None:
        self.ref, self.now, self.agg, self.merge_to = ref, now, agg, merge_to
        self.copy = copy.deepcopy(agg)
        self.count = 0

    def ok(self, actor: Actor, t: Try) -> CoreError | None:
        self.count += 1
        try:
            run(self.ref, self.now, actor, self.copy, t, self.merge_to)
        except CoreError as exc:
            if self.copy.events or self.copy._journal:
                self.copy = copy.deepcopy(self.agg)
            return exc
        self.copy = copy.deepcopy(self.agg)
        return None


HOP_REQUIRED = {
    Op.ACCEPT,
    Op.RETURN_HOP,
    Op.ACCEPT_RETURN,
    Op.REJECT_RETURN,
    Op.PASS_DOWN,
    Op.REASSIGN,
    Op.ESCALATE,
    Op.ANSWER_ASSIST,
    Op.SUBMIT_RESULT,
}


def hop_choices(op: Op, agg: Aggregate) -> list[int | None]:
    ids: list[int | None] = [h.id for h in agg.hops]
    if op in HOP_REQUIRED:
        return ids
    if op in (Op.ADD_ASSIST, Op.NOTE_PROGRESS):
        return [None, *ids]
    return [None]


def unit_choices(op: Op, offered: list[int], fallback: list[int]) -> list[int | None]:
    if op not in UNIT_OPS:
        return [None]
    return list(dict.fromkeys([*offered[:1], *fallback]))


def check_order(
    name: str,
    svc: OrderService,
    actors: dict[str, Actor],
    county: County,
    agg: Aggregate,
    merge_to: Aggregate,
    seen: set[Op],
) -> int:
    ref = svc.store.reference()
    org, now = ref.org, svc.store.clock.now()
    tries = Attempts(ref, now, agg, merge_to)
    fallback = [county.units[k] for k in FALLBACK_UNITS]
    every_unit = [u.id for u in org.all()]
    for who, actor in actors.items():
        acts = available(actor, agg, org, ref.policy)
        assert {a.code for a in acts} == set(Op), (name, who)
        for op in Op:
            mine = [a for a in acts if a.code == op]
            where = f"{name}: {who} {op}"
            on = [a for a in mine if a.enabled]
            if not on:
                assert len(mine) == 1 and mine[0].why, where
                hops = hop_choices(op, agg)
                for hop_id, unit in itertools.product(hops, unit_choices(op, [], fallback)):
                    err = tries.ok(actor, Try(op, hop_id, unit))
                    assert err is not None, f"{where} is disabled ({mine[0].why}) yet ran"
                continue
            seen.add(op)
            for act in on:
                assert act.why is None, where
                offered = []
                if op in UNIT_OPS:
                    offered = [u.id for u in targets(org, agg, actor, op, act.hop_id)]
                    assert offered, where
                approve = [True]
                if op == Op.DECIDE_EXTENSION and not act.detail["can_approve"]:
                    approve = [False]
                if op in (Op.DECIDE_PAUSE, Op.DECIDE_EXTENSION) or (
                    op == Op.REVIEW and act.detail["can_fail"]
                ):
                    approve.append(False)
                for yes in approve:
                    err = tries.ok(actor, Try(op, act.hop_id, offered[0] if offered else None, yes))
                    assert err is None, f"{where} hop {act.hop_id} is enabled but: {err!r}"
                if op in UNIT_OPS:  # targets() is exact: each offered unit works, no other
                    for unit in every_unit:
                        err = tries.ok(actor, Try(op, act.hop_id, unit))
                        assert (err is None) == (unit in offered), f"{where} unit {unit}: {err!r}"
            if op in HOP_REQUIRED or op == Op.ADD_ASSIST:  # every hop that works is offered
                works = set()
                for hop_id in hop_choices(op, agg):
                    units: list[Any] = [None]
                    if op in UNIT_OPS:
                        units = [u.id for u in targets(org, agg, actor, op, hop_id)][:1]
                        units = units or list(fallback)
                    if any(tries.ok(actor, Try(op, hop_id, unit)) is None for unit in units):
                        works.add(hop_id)
                assert works == {a.hop_id for a in on}, where
    return tries.count


@pytest.fixture
def lives(svc: OrderService, actors: dict[str, Actor], county: County) -> dict[str, int]:
    return build(svc, actors, county.units)


def test_available_mirrors_every_guard(
    svc: OrderService, actors: dict[str, Actor], county: County, lives: dict[str, int]
) -> None:
    admin = actors["admin"]
    merge_to = {
        "county": svc.load(admin, svc.register(actors["duty"], draft()).order_id),
        "town": svc.load(admin, svc.register(actors["town1_duty"], draft()).order_id),
    }
    county_id = county.units["county"]
    total = 0
    seen: set[Op] = set()
    for name, oid in lives.items():
        agg = svc.load(admin, oid)
        target = merge_to["county" if agg.order.centre_unit_id == county_id else "town"]
        total += check_order(name, svc, actors, county, agg, target, seen)
    assert seen == set(Op)  # every operation was performed at least once
    assert total > 5000


def enabled(acts: list[Action]) -> set[str]:
    return {a.code.value for a in acts if a.enabled}


def test_what_each_role_sees_and_why(
    svc: OrderService, actors: dict[str, Actor], county: County, lives: dict[str, int]
) -> None:
    ref = svc.store.reference()
    org = ref.org

    def acts(who: str, order: str) -> list[Action]:
        return available(actors[who], svc.load(actors["admin"], lives[order]), org, ref.policy)

    def why(who: str, order: str, op: Op) -> str | None:
        return next(a for a in acts(who, order) if a.code == op).why

    assert {"edit", "dispatch", "answer_on_spot", "merge", "void", "transfer"} <= enabled(
        acts("dispatcher", "registered")
    )
    assert why("duty", "registered", Op.VOID) == "role_required"
    assert why("h_town1", "registered", Op.DISPATCH) == "role_required"
    assert why("town1_duty", "registered", Op.DISPATCH) == "not_order_centre"
    assert enabled(acts("h_town1", "dispatched")) >= {"accept", "return_hop", "pass_down"}
    assert why("h_town1", "dispatched", Op.SUBMIT_RESULT) == "wrong_state"
    assert why("h_town1v1", "dispatched", Op.ACCEPT) == "not_your_assignment"
    assert why("h_town1", "accepted", Op.SUBMIT_RESULT) == "assist_answers_missing"
    assert why("h_town1", "assist_answered", Op.SUBMIT_RESULT) is None
    assert why("h_town1", "child_returned", Op.SUBMIT_RESULT) == "return_pending"
    assert why("h_town1", "child_returned", Op.ACCEPT_RETURN) is None
    assert why("h_town1", "passed_down", Op.SUBMIT_RESULT) == "wrong_state"
    assert why("h_town1v1", "passed_down", Op.ACCEPT) is None
    assert why("h_town1v1g1", "grid", Op.PASS_DOWN) == "no_targets"
    assert why("h_town1", "pause_requested", Op.REQUEST_PAUSE) == "request_pending"
    assert why("supervisor", "accepted", Op.DECIDE_PAUSE) == "no_request"
    assert why("h_town1", "paused", Op.SUBMIT_RESULT) == "paused"
    assert why("h_town1", "paused", Op.RESUME) is None
    assert why("supervisor", "closed", Op.SUPERVISE) == "closed"
    assert why("wall", "registered", Op.ADD_ATTACHMENT) == "role_required"
    assert why("h_town2", "registered", Op.EDIT) == "not_visible"
    assert why("dispatcher", "accepted", Op.ACCEPT_RETURN) == "nothing_returned"
    assert why("h_police", "accepted", Op.ANSWER_ASSIST) is None
    accept = next(a for a in acts("h_town1", "dispatched") if a.code == Op.ACCEPT)
    assert accept.hop_id == svc.load(actors["admin"], lives["dispatched"]).hops[0].id
    role = next(a for a in acts("wall", "registered") if a.code == Op.EDIT)
    assert role.why == "role_required" and "duty_officer" in role.detail["roles"]


def test_targets_follow_the_tree(
    svc: OrderService, actors: dict[str, Actor], county: County, lives: dict[str, int]
) -> None:
    org = svc.store.reference().org
    u = county.units
    agg = svc.load(actors["admin"], lives["accepted"])
    hop = agg.hops[0].id
    names = [x.id for x in targets(org, agg, actors["h_town1"], Op.PASS_DOWN, hop)]
    assert names == [u["town1v1"], u["town1v2"]]
    reg = svc.load(actors["admin"], lives["escalated_town"])
    lead = targets(org, reg, actors["dispatcher"], Op.DISPATCH, None)
    assert {x.id for x in lead} == {u["police"], u["civil"], u["hrss"], u["urban"]}
    assists = targets(org, reg, actors["dispatcher"], Op.DISPATCH, None, assist=True)
    assert u["town2"] in {x.id for x in assists}


def test_perform_runs_an_action_through_the_service(
    svc: OrderService, actors: dict[str, Actor], lives: dict[str, int]
) -> None:
    oid = lives["dispatched"]
    agg = svc.load(actors["h_town1"], oid)
    org = svc.store.reference().org
    act = next(a for a in available(actors["h_town1"], agg, org) if a.code == Op.ACCEPT)
    result = perform(svc, actors["h_town1"], oid, act, {}, agg.order.version)
    assert svc.load(actors["admin"], oid).order.state == "in_progress"
    assert result.versions[agg.id] == agg.order.version + 1
    target = lives["registered"]
    source = svc.register(actors["duty"], draft()).order_id
    src = svc.load(actors["dispatcher"], source)
    merge = next(a for a in available(actors["dispatcher"], src, org) if a.code == Op.MERGE)
    number = svc.load(actors["admin"], target).order.number
    perform(svc, actors["dispatcher"], source, merge, {"target_number": number}, src.order.version)
    assert svc.load(actors["admin"], source).order.state == "merged"
