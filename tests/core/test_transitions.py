"""Every transition of the closed loop, allowed and refused, across hops.

Everything goes through ``OrderService``. A refused call must change nothing: each
refusal below is checked against a full snapshot of the order (row, hops, limits,
callers and its events) taken before the call.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.ids import OrderId
from core.errors import (
    CoreError,
    IllegalTransition,
    OutOfJurisdiction,
    PermissionDenied,
    StaleVersion,
    ValidationError,
)
from core.service import OpResult, OrderService
from core.storage.db import read_tx, write_tx
from core.storage.repo import DbIds, flush, load_aggregate
from core.storage.schema import events
from core.workflow import closing
from core.workflow.context import Ctx
from core.workflow.intake import OrderDraft
from core.workflow.model import Aggregate, HopRec, as_row
from tests.core.county import POINTS, County

COUNTERS = (
    "return_count",
    "rework_count",
    "reopen_count",
    "escalation_count",
    "supervision_count",
    "extension_count",
    "visit_attempts",
)


def draft(**kw: object) -> OrderDraft:
    lon, lat = POINTS["town1v1g1"]
    base: dict[str, object] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id="db44t2479-2024:0303:030301",
        description="路灯不亮",
        phone="13812345678",
        lon=lon,
        lat=lat,
    )
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


@dataclass
class Loop:
    """Small helpers over the service, the test county and its users."""

    svc: OrderService
    a: dict[str, Actor]
    u: dict[str, int]

    # -- reading ----------------------------------------------------------------------

    def load(self, oid: int) -> Aggregate:
        return self.svc.load(self.a["admin"], oid)  # the county's admin sees every order

    def key(self, unit_id: int | None) -> str | None:
        if unit_id is None:
            return None
        return next(k for k, v in self.u.items() if v == unit_id)

    def level(self, unit: str) -> int:
        return self.svc.store.reference().org.get(self.u[unit]).level

    def hops(self, oid: int) -> list[tuple[str | None, str, str]]:
        """(receiver, role, state) of every hop, in order."""
        return [(self.key(h.receiver_unit_id), h.role, h.state) for h in self.load(oid).hops]

    def hop(self, oid: int, unit: str, role: str = "lead") -> HopRec:
        """The latest hop to ``unit`` with ``role``."""
        found = [
            h for h in self.load(oid).hops if h.receiver_unit_id == self.u[unit] and h.role == role
        ]
        assert found, f"no {role} hop to {unit}"
        return found[-1]

    def counters(self, oid: int) -> dict[str, int]:
        o = self.load(oid).order
        return {c: getattr(o, c) for c in COUNTERS}

    def expect(
        self, oid: int, state: str, lead: str | None, worked_at: str | None = None, **counters: int
    ) -> None:
        """State, handling unit, tier and every counter. The tier is the level where the
        work is done: the lead's, except while a result climbs up (``worked_at``)."""
        o = self.load(oid).order
        assert o.state == state
        assert self.key(o.lead_unit_id) == lead
        tier_unit = worked_at or lead
        assert o.tier == (self.level(tier_unit) if tier_unit is not None else None)
        want = {c: 0 for c in COUNTERS}
        want.update(counters)
        assert self.counters(oid) == want

    def event_versions(self, oid: int) -> list[int]:
        with self.svc.store.engine.connect() as conn:
            return list(
                conn.execute(
                    select(events.c.order_version)
                    .where(events.c.order_id == oid)
                    .order_by(events.c.id)
                ).scalars()
            )

    def event_kinds(self, oid: int) -> list[str]:
        with self.svc.store.engine.connect() as conn:
            return list(
                conn.execute(
                    select(events.c.kind).where(events.c.order_id == oid).order_by(events.c.id)
                ).scalars()
            )

    def event_count(self) -> int:
        with self.svc.store.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(events)).scalar_one())

    def snapshot(self, oid: int) -> tuple[Any, ...]:
        agg = self.load(oid)
        return (
            as_row(agg.order),
            [as_row(h) for h in agg.hops],
            [as_row(lim) for lim in agg.limits],
            [as_row(c) for c in agg.callers],
            self.event_versions(oid),
            self.event_count(),
        )

    # -- acting -----------------------------------------------------------------------

    def do(self, user: str, action: str, oid: int, *args: Any, **kw: Any) -> OpResult:
        """Call ``svc.<action>``; check every event raised the version by exactly one."""
        before = self.load(oid).order.version
        res: OpResult = getattr(self.svc, action)(self.a[user], oid, *args, **kw)
        after = res.versions[OrderId(oid)]
        assert after == before + len(res.event_ids)
        assert self.event_versions(oid) == list(range(1, after + 1))
        return res

    def refuse(
        self,
        exc: type[CoreError],
        user: str,
        action: str,
        oid: int,
        *args: Any,
        field: str | None = None,
        code: str | None = None,
        **kw: Any,
    ) -> CoreError:
        """The call raises ``exc`` and leaves the order exactly as it was."""
        before = self.snapshot(oid)
        with pytest.raises(exc) as info:
            getattr(self.svc, action)(self.a[user], oid, *args, **kw)
        assert self.snapshot(oid) == before
        err = info.value
        if field is not None:
            assert isinstance(err, ValidationError)
            assert field in err.fields(), err
            if code is not None:
                assert code in err.codes_for(field), err
        elif code is not None:
            assert err.code == code or err.params.get("reason") == code, err
        return err

    # -- scenarios --------------------------------------------------------------------

    def register(self, user: str = "duty", **kw: Any) -> int:
        res = self.svc.register(self.a[user], draft(**kw))
        assert res.versions[res.order_id] == len(res.event_ids)
        return res.order_id

    def dispatched(
        self, lead: str = "town1", assists: tuple[str, ...] = (), **kw: Any
    ) -> tuple[int, int]:
        oid = self.register(**kw)
        res = self.do("dispatcher", "dispatch", oid, self.u[lead], [self.u[x] for x in assists])
        return oid, res.value[0]

    def town_in_progress(self, assists: tuple[str, ...] = ()) -> tuple[int, int]:
        oid, top = self.dispatched("town1", assists)
        self.do("h_town1", "accept", oid, top)
        return oid, top

    def village_in_progress(self) -> tuple[int, int, int]:
        oid, top = self.town_in_progress()
        child = self.do("h_town1", "pass_down", oid, top, self.u["town1v1"]).value
        self.do("h_town1v1", "accept", oid, child)
        return oid, top, child

    def pending_review(self) -> int:
        oid, top = self.town_in_progress()
        self.do("h_town1", "submit_result", oid, top, "已修复")
        return oid

    def pending_visit(self) -> int:
        oid = self.pending_review()
        self.do("supervisor", "review", oid, True)
        return oid

    def closed(self) -> int:
        oid = self.pending_visit()
        self.do("supervisor", "visit", oid, "satisfied")
        return oid


@pytest.fixture
def f(svc: OrderService, actors: dict[str, Actor], county: County) -> Loop:
    return Loop(svc, actors, county.units)


# --- register 制单 ------------------------------------------------------------------------


def test_register_creates_a_registered_order(f: Loop) -> None:
    oid = f.register()
    agg = f.load(oid)
    assert agg.order.version == 1
    assert agg.order.centre_unit_id == f.u["county"]
    assert agg.order.location_unit_id == f.u["town1v1g1"]
    assert agg.hops == []
    assert sorted(lim.kind for lim in agg.limits if lim.open) == ["handout", "resolve"]
    f.expect(oid, "registered", None)
    assert f.event_kinds(oid) == ["registered"]


def test_register_refused_for_a_handler(f: Loop) -> None:
    before = f.event_count()
    with pytest.raises(PermissionDenied):
        f.svc.register(f.a["h_town1"], draft())
    with pytest.raises(PermissionDenied):
        f.svc.register(f.a["supervisor"], draft())
    assert f.event_count() == before


def test_register_without_description_names_the_field(f: Loop) -> None:
    before = f.event_count()
    with pytest.raises(ValidationError) as info:
        f.svc.register(f.a["duty"], draft(description="   "))
    assert info.value.codes_for("description") == ["required"]
    assert f.event_count() == before


def test_register_with_answer_on_spot_closes_at_once(f: Loop) -> None:
    res = f.svc.register(f.a["duty"], draft(answer_on_spot="已告知办理流程"))
    oid = res.order_id
    assert res.versions[oid] == 2
    o = f.load(oid).order
    assert o.answer_text == "已告知办理流程"
    assert o.closed_at is not None
    assert all(not lim.open for lim in f.load(oid).limits)
    f.expect(oid, "closed", None)
    assert f.event_kinds(oid) == ["registered", "answered_on_spot"]
    assert f.event_versions(oid) == [1, 2]


# --- answer on the spot 直接答复 -----------------------------------------------------------


def test_answer_on_spot_later_closes_a_registered_order(f: Loop) -> None:
    oid = f.register()
    f.do("duty", "answer_on_spot", oid, "已答复")
    f.expect(oid, "closed", None)
    assert f.load(oid).order.answer_text == "已答复"


def test_answer_on_spot_refusals(f: Loop) -> None:
    oid = f.register()
    f.refuse(
        ValidationError, "duty", "answer_on_spot", oid, "  ", field="answer_text", code="required"
    )
    f.refuse(PermissionDenied, "h_town1", "answer_on_spot", oid, "已答复")
    f.refuse(PermissionDenied, "supervisor", "answer_on_spot", oid, "已答复")
    # a town centre below the order's centre is not the order's centre
    f.refuse(
        PermissionDenied, "town1_duty", "answer_on_spot", oid, "已答复", code="not_order_centre"
    )
    f.do("dispatcher", "dispatch", oid, f.u["town1"])
    f.refuse(IllegalTransition, "duty", "answer_on_spot", oid, "已答复")


def test_answer_on_spot_after_an_accepted_return(f: Loop) -> None:
    oid, top = f.dispatched()
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.do("dispatcher", "accept_return", oid, top)
    f.do("duty", "answer_on_spot", oid, "已答复")
    f.expect(oid, "closed", None, return_count=1)


def test_answer_on_spot_withdraws_live_assisting_hops(f: Loop) -> None:
    """Closing at the centre ends every assignment, as void/merge/transfer do."""
    oid, top = f.dispatched("town1", ("police",))
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.do("dispatcher", "accept_return", oid, top)
    f.do("duty", "answer_on_spot", oid, "已答复")
    assert f.load(oid).order.state == "closed"
    assert f.hop(oid, "police", "assist").state == "withdrawn"
    f.refuse(
        IllegalTransition,
        "h_police",
        "answer_assist",
        oid,
        f.hop(oid, "police", "assist").id,
        "配合意见",
    )


# --- dispatch 派单 -------------------------------------------------------------------------


def test_dispatch_to_a_lead_and_assisting_units(f: Loop) -> None:
    oid, top = f.dispatched("town1", ("police", "civil"))
    assert f.hops(oid) == [
        ("town1", "lead", "awaiting"),
        ("police", "assist", "awaiting"),
        ("civil", "assist", "awaiting"),
    ]
    for h in f.load(oid).hops:
        assert h.sender_unit_id == f.u["county"]
        assert h.parent_id is None
    assert f.hop(oid, "town1").id == top
    f.expect(oid, "dispatched", "town1")
    agg = f.load(oid)
    receiver = {h.id: f.key(h.receiver_unit_id) for h in agg.hops}
    assert {
        (lim.kind, receiver[lim.hop_id]) for lim in agg.open_limits() if lim.hop_id is not None
    } == {
        ("accept", "town1"),
        ("accept", "police"),
        ("accept", "civil"),
        ("assist", "police"),
        ("assist", "civil"),
    }


def test_dispatch_straight_to_a_village_sets_tier_3(f: Loop) -> None:
    oid, _ = f.dispatched("town1v1")
    f.expect(oid, "dispatched", "town1v1")
    assert f.load(oid).order.tier == 3


def test_dispatch_refusals(f: Loop) -> None:
    oid = f.register()
    town1 = f.u["town1"]
    f.refuse(PermissionDenied, "h_town1", "dispatch", oid, town1)
    f.refuse(PermissionDenied, "supervisor", "dispatch", oid, town1)
    f.refuse(PermissionDenied, "town1_duty", "dispatch", oid, f.u["town1v1"])
    f.refuse(
        ValidationError,
        "dispatcher",
        "dispatch",
        oid,
        f.u["county"],
        field="lead_unit_id",
        code="outside_dispatch_scope",
    )
    f.refuse(
        ValidationError,
        "dispatcher",
        "dispatch",
        oid,
        town1,
        [town1],
        field="assist_unit_ids[0]",
        code="duplicate_unit",
    )
    f.do("dispatcher", "dispatch", oid, town1)
    f.refuse(IllegalTransition, "dispatcher", "dispatch", oid, f.u["town2"])


# --- accept 签收 ---------------------------------------------------------------------------


def test_accept_moves_the_order_in_progress(f: Loop) -> None:
    oid, top = f.dispatched()
    f.do("h_town1", "accept", oid, top)
    h = f.hop(oid, "town1")
    assert h.state == "in_progress"
    assert h.accepted_at is not None
    f.expect(oid, "in_progress", "town1")
    assert [lim.kind for lim in f.load(oid).open_limits()] == [
        "resolve"
    ]  # handout and accept ended


def test_accepting_an_assist_hop_leaves_the_order_dispatched(f: Loop) -> None:
    oid, _ = f.dispatched("town1", ("police",))
    f.do("h_police", "accept", oid, f.hop(oid, "police", "assist").id)
    assert f.hop(oid, "police", "assist").state == "in_progress"
    f.expect(oid, "dispatched", "town1")


def test_accept_refusals(f: Loop) -> None:
    oid, top = f.dispatched("town1", ("police",))
    f.refuse(PermissionDenied, "h_police", "accept", oid, top, code="not_hop_receiver")
    f.refuse(PermissionDenied, "dispatcher", "accept", oid, top)
    f.refuse(PermissionDenied, "leader", "accept", oid, top)
    f.refuse(OutOfJurisdiction, "h_town2", "accept", oid, top)
    f.do("h_town1", "accept", oid, top)
    f.refuse(IllegalTransition, "h_town1", "accept", oid, top)


# --- return 退回 ---------------------------------------------------------------------------


def test_return_of_the_top_hop_puts_the_order_back_to_registered(f: Loop) -> None:
    oid, top = f.town_in_progress()
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    h = f.hop(oid, "town1")
    assert h.state == "returned"
    assert h.return_reason == "不属本镇职责"
    f.expect(oid, "registered", None, return_count=1)


def test_return_of_an_unaccepted_top_hop(f: Loop) -> None:
    oid, top = f.dispatched()
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.expect(oid, "registered", None, return_count=1)


def test_return_of_a_child_hop_goes_back_to_the_parent(f: Loop) -> None:
    oid, _top, child = f.village_in_progress()
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    assert f.hops(oid) == [("town1", "lead", "in_progress"), ("town1v1", "lead", "returned")]
    f.expect(oid, "in_progress", "town1", return_count=1)


def test_return_of_an_assist_hop_does_not_move_the_order(f: Loop) -> None:
    oid, _top = f.town_in_progress(("police",))
    assist = f.hop(oid, "police", "assist").id
    f.do("h_police", "return_hop", oid, assist, "非公安职责")
    assert f.hop(oid, "police", "assist").state == "returned"
    f.expect(oid, "in_progress", "town1")


def test_return_refusals(f: Loop) -> None:
    oid, top, child = f.village_in_progress()
    f.refuse(
        ValidationError, "h_town1v1", "return_hop", oid, child, " ", field="reason", code="required"
    )
    f.refuse(PermissionDenied, "h_town1", "return_hop", oid, child, "不在本村")
    f.refuse(OutOfJurisdiction, "h_town2", "return_hop", oid, child, "不在本村")
    # the town passed the order down: its own hop is delegated, not open
    f.refuse(IllegalTransition, "h_town1", "return_hop", oid, top, "退回")


# --- accept_return / reject_return 驳回 ---------------------------------------------------


def test_accept_return_of_the_top_hop(f: Loop) -> None:
    oid, top = f.dispatched()
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.do("dispatcher", "accept_return", oid, top, "同意")
    assert f.hops(oid) == [("town1", "lead", "return_accepted")]
    f.expect(oid, "registered", None, return_count=1)
    f.do("dispatcher", "dispatch", oid, f.u["town2"])
    f.expect(oid, "dispatched", "town2", return_count=1)


def test_accept_return_of_a_child_hop(f: Loop) -> None:
    oid, top, child = f.village_in_progress()
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    f.do("h_town1", "accept_return", oid, child)
    assert f.hops(oid) == [("town1", "lead", "in_progress"), ("town1v1", "lead", "return_accepted")]
    f.expect(oid, "in_progress", "town1", return_count=1)
    f.do("h_town1", "submit_result", oid, top, "镇里自办")
    f.expect(oid, "pending_review", "town1", return_count=1)


def test_accept_return_refusals(f: Loop) -> None:
    oid, _top, child = f.village_in_progress()
    f.refuse(IllegalTransition, "h_town1", "accept_return", oid, child)
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    f.refuse(PermissionDenied, "h_town1v1", "accept_return", oid, child, code="not_hop_sender")
    f.refuse(PermissionDenied, "leader", "accept_return", oid, child)


def test_reject_return_of_the_top_hop(f: Loop) -> None:
    oid, top = f.town_in_progress()
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.do("dispatcher", "reject_return", oid, top, "属地管理，请办理")
    assert f.hops(oid) == [("town1", "lead", "awaiting")]
    f.expect(oid, "dispatched", "town1", return_count=1)
    f.do("h_town1", "accept", oid, top)
    f.expect(oid, "in_progress", "town1", return_count=1)


def test_reject_return_of_a_child_hop(f: Loop) -> None:
    oid, _top, child = f.village_in_progress()
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    f.do("h_town1", "reject_return", oid, child, "属本村")
    assert f.hops(oid) == [("town1", "lead", "delegated"), ("town1v1", "lead", "awaiting")]
    f.expect(oid, "dispatched", "town1v1", return_count=1)


def test_reject_return_by_a_centre_above_the_sender(f: Loop) -> None:
    oid, _top, child = f.village_in_progress()
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    f.do("dispatcher", "reject_return", oid, child, "属本村")
    f.expect(oid, "dispatched", "town1v1", return_count=1)


def test_reject_return_refusals(f: Loop) -> None:
    oid, _top, child = f.village_in_progress()
    f.refuse(IllegalTransition, "h_town1", "reject_return", oid, child, "属本村")
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    f.refuse(
        ValidationError, "h_town1", "reject_return", oid, child, "", field="reason", code="required"
    )
    f.refuse(PermissionDenied, "h_town1v1", "reject_return", oid, child, "属本村")
    f.do("h_town1", "accept_return", oid, child)
    f.refuse(IllegalTransition, "h_town1", "reject_return", oid, child, "属本村")


# --- pass down 下派 -------------------------------------------------------------------------


def test_pass_down_town_to_village_to_grid(f: Loop) -> None:
    oid, top = f.town_in_progress()
    village = f.do("h_town1", "pass_down", oid, top, f.u["town1v1"], "请村里处理").value
    assert f.hops(oid) == [("town1", "lead", "delegated"), ("town1v1", "lead", "awaiting")]
    vh = f.hop(oid, "town1v1")
    assert (vh.id, vh.parent_id, vh.sender_unit_id) == (village, top, f.u["town1"])
    f.expect(oid, "dispatched", "town1v1")

    f.do("h_town1v1", "accept", oid, village)
    f.expect(oid, "in_progress", "town1v1")

    grid = f.do("h_town1v1", "pass_down", oid, village, f.u["town1v1g1"]).value
    assert f.hops(oid) == [
        ("town1", "lead", "delegated"),
        ("town1v1", "lead", "delegated"),
        ("town1v1g1", "lead", "awaiting"),
    ]
    assert f.hop(oid, "town1v1g1").parent_id == village
    f.expect(oid, "dispatched", "town1v1g1")

    f.do("h_town1v1g1", "accept", oid, grid)
    f.expect(oid, "in_progress", "town1v1g1")
    assert f.load(oid).order.tier == 4


def test_pass_down_unaccepted_is_an_implicit_acceptance(f: Loop) -> None:
    oid, top = f.dispatched()
    f.do("h_town1", "pass_down", oid, top, f.u["town1v1"])
    agg = f.load(oid)
    town = agg.hop(top)
    assert town.state == "delegated"
    assert town.accepted_at is not None
    assert not agg.open_limits(hop=town)  # its accept limit ended
    assert not [lim for lim in agg.open_limits() if lim.kind == "handout"]
    f.expect(oid, "dispatched", "town1v1")


def test_pass_down_refusals(f: Loop) -> None:
    oid, top = f.town_in_progress()
    for target in ("town1v1g1", "town2v1", "police", "town1"):
        f.refuse(
            ValidationError,
            "h_town1",
            "pass_down",
            oid,
            top,
            f.u[target],
            field="to_unit_id",
            code="not_a_child_unit",
        )
    f.refuse(PermissionDenied, "dispatcher", "pass_down", oid, top, f.u["town1v1"])
    f.do("h_town1", "pass_down", oid, top, f.u["town1v1"])
    f.refuse(IllegalTransition, "h_town1", "pass_down", oid, top, f.u["town1v2"])
    f.refuse(PermissionDenied, "h_town1v1", "pass_down", oid, top, f.u["town1v2"])


def test_pass_down_refused_for_an_assist_hop(f: Loop) -> None:
    oid, _top = f.town_in_progress(("town2",))
    assist = f.hop(oid, "town2", "assist").id
    f.do("h_town2", "accept", oid, assist)
    f.refuse(IllegalTransition, "h_town2", "pass_down", oid, assist, f.u["town2v1"])


# --- reassign 改派 --------------------------------------------------------------------------


def test_reassign_the_top_hop(f: Loop) -> None:
    oid, top = f.town_in_progress()
    new = f.do("dispatcher", "reassign", oid, top, f.u["town2"], "属第二镇").value
    assert f.hops(oid) == [("town1", "lead", "withdrawn"), ("town2", "lead", "awaiting")]
    h = f.hop(oid, "town2")
    assert (h.id, h.parent_id, h.sender_unit_id, h.note) == (new, None, f.u["county"], "属第二镇")
    f.expect(oid, "dispatched", "town2")
    assert not f.load(oid).open_limits(hop=f.load(oid).hop(top))


def test_reassign_a_child_hop(f: Loop) -> None:
    oid, top, child = f.village_in_progress()
    new = f.do("h_town1", "reassign", oid, child, f.u["town1v2"], "属二村").value
    assert f.hops(oid) == [
        ("town1", "lead", "delegated"),
        ("town1v1", "lead", "withdrawn"),
        ("town1v2", "lead", "awaiting"),
    ]
    assert f.load(oid).hop(new).parent_id == top
    f.expect(oid, "dispatched", "town1v2")


def test_reassign_a_returned_top_hop(f: Loop) -> None:
    oid, top = f.town_in_progress()
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.do("dispatcher", "reassign", oid, top, f.u["town2"], "改派第二镇")
    assert f.hops(oid) == [("town1", "lead", "withdrawn"), ("town2", "lead", "awaiting")]
    f.expect(oid, "dispatched", "town2", return_count=1)


def test_reassign_a_returned_child_hop(f: Loop) -> None:
    oid, _top, child = f.village_in_progress()
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    f.do("h_town1", "reassign", oid, child, f.u["town1v2"], "改派二村")
    assert f.hops(oid) == [
        ("town1", "lead", "delegated"),
        ("town1v1", "lead", "withdrawn"),
        ("town1v2", "lead", "awaiting"),
    ]
    f.expect(oid, "dispatched", "town1v2", return_count=1)


def test_reassign_an_assist_hop(f: Loop) -> None:
    oid, _top = f.town_in_progress(("police",))
    f.do(
        "dispatcher",
        "reassign",
        oid,
        f.hop(oid, "police", "assist").id,
        f.u["civil"],
        "改由民政协办",
    )
    assert f.hops(oid) == [
        ("town1", "lead", "in_progress"),
        ("police", "assist", "withdrawn"),
        ("civil", "assist", "awaiting"),
    ]
    f.expect(oid, "in_progress", "town1")


def test_reassign_refusals(f: Loop) -> None:
    oid, top, child = f.village_in_progress()
    f.refuse(
        ValidationError,
        "h_town1",
        "reassign",
        oid,
        child,
        f.u["town1v2"],
        "",
        field="reason",
        code="required",
    )
    f.refuse(
        ValidationError,
        "h_town1",
        "reassign",
        oid,
        child,
        f.u["town1v1"],
        "同一单位",
        field="to_unit_id",
        code="same_unit",
    )
    f.refuse(
        ValidationError,
        "h_town1",
        "reassign",
        oid,
        child,
        f.u["town2v1"],
        "外镇",
        field="to_unit_id",
        code="not_a_child_unit",
    )
    f.refuse(PermissionDenied, "h_town1v1", "reassign", oid, child, f.u["town1v2"], "自己改派")
    f.refuse(PermissionDenied, "leader", "reassign", oid, child, f.u["town1v2"], "改派")
    # the top hop is delegated: it cannot be reassigned while a village holds the order
    f.refuse(IllegalTransition, "dispatcher", "reassign", oid, top, f.u["town2"], "改派")


def test_reassign_refused_after_the_result_was_submitted(f: Loop) -> None:
    oid = f.pending_review()
    top = f.hop(oid, "town1").id
    f.refuse(IllegalTransition, "dispatcher", "reassign", oid, top, f.u["town2"], "改派")


# --- escalate 上报 --------------------------------------------------------------------------


def test_escalate_a_child_hop_to_its_parent(f: Loop) -> None:
    oid, _top, child = f.village_in_progress()
    f.do("h_town1v1", "escalate", oid, child, "村里解决不了")
    assert f.hops(oid) == [("town1", "lead", "in_progress"), ("town1v1", "lead", "escalated")]
    f.expect(oid, "in_progress", "town1", escalation_count=1)
    assert f.load(oid).order.escalated_from_level is None


def test_escalate_the_top_hop_back_to_the_centre(f: Loop) -> None:
    oid, top = f.town_in_progress()
    f.do("h_town1", "escalate", oid, top, "需县级协调")
    assert f.hops(oid) == [("town1", "lead", "escalated")]
    f.expect(oid, "registered", None, escalation_count=1)
    assert f.load(oid).order.escalated_from_level == 2


def test_after_escalation_the_next_dispatch_must_go_a_tier_up(f: Loop) -> None:
    oid, top = f.town_in_progress()
    f.do("h_town1", "escalate", oid, top, "需县级协调")
    for unit in ("town2", "town1", "town1v1"):
        f.refuse(
            ValidationError,
            "dispatcher",
            "dispatch",
            oid,
            f.u[unit],
            field="lead_unit_id",
            code="escalation_needs_higher_tier",
        )
    top = f.do("dispatcher", "dispatch", oid, f.u["police"], [f.u["town1"]]).value[0]
    # The floor stays for the rest of this round: a reassignment cannot undo it.
    assert f.load(oid).order.escalated_from_level == 2
    f.refuse(
        ValidationError,
        "dispatcher",
        "reassign",
        oid,
        top,
        f.u["town2"],
        "改派",
        field="to_unit_id",
        code="escalation_needs_higher_tier",
    )
    f.expect(oid, "dispatched", "police", escalation_count=1)


def test_after_escalation_from_a_village_a_town_is_high_enough(f: Loop) -> None:
    oid, top = f.dispatched("town1v1")
    f.do("h_town1v1", "escalate", oid, top, "需镇里协调")
    assert f.load(oid).order.escalated_from_level == 3
    f.refuse(ValidationError, "dispatcher", "dispatch", oid, f.u["town1v2"], field="lead_unit_id")
    f.do("dispatcher", "dispatch", oid, f.u["town1"])
    f.expect(oid, "dispatched", "town1", escalation_count=1)


def test_after_escalation_from_the_top_tier_any_dispatch_is_allowed(f: Loop) -> None:
    oid, top = f.dispatched("police")
    f.do("h_police", "accept", oid, top)
    f.do("h_police", "escalate", oid, top, "需县中心协调")
    assert f.load(oid).order.escalated_from_level == 1
    f.do("dispatcher", "dispatch", oid, f.u["town2"])
    f.expect(oid, "dispatched", "town2", escalation_count=1)


def test_town_centre_can_dispatch_again_after_its_village_escalates(f: Loop) -> None:
    """For a town centre the villages are the top tier it dispatches to: an escalation
    from there comes back to the centre itself, which then coordinates ("except from the
    top tier"). Otherwise no unit under the town is high enough and the order is stuck."""
    oid = f.register("town1_duty")
    top = f.do("town1_duty", "dispatch", oid, f.u["town1v1"]).value[0]
    f.do("h_town1v1", "accept", oid, top)
    f.do("h_town1v1", "escalate", oid, top, "村里解决不了")
    f.expect(oid, "registered", None, escalation_count=1)
    f.do("town1_duty", "dispatch", oid, f.u["town1v2"])
    f.expect(oid, "dispatched", "town1v2", escalation_count=1)


def test_escalate_refusals(f: Loop) -> None:
    oid, top, child = f.village_in_progress()
    f.refuse(
        ValidationError, "h_town1v1", "escalate", oid, child, " ", field="reason", code="required"
    )
    f.refuse(PermissionDenied, "h_town1", "escalate", oid, child, "上报")
    f.refuse(
        IllegalTransition, "h_town1", "escalate", oid, top, "上报"
    )  # delegated: the village holds it


def test_escalate_refused_for_an_assist_hop(f: Loop) -> None:
    oid, _top = f.town_in_progress(("police",))
    assist = f.hop(oid, "police", "assist").id
    f.refuse(IllegalTransition, "h_police", "escalate", oid, assist, "上报")


# --- add assist 中心吹哨、部门报到 -------------------------------------------------------------


def test_add_assist_by_the_centre(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    new = f.do("dispatcher", "add_assist", oid, f.u["civil"], note="请民政协助").value
    h = f.load(oid).hop(new)
    assert (h.role, h.state, h.parent_id, h.sender_unit_id) == (
        "assist",
        "awaiting",
        None,
        f.u["county"],
    )
    f.expect(oid, "in_progress", "town1")
    assert f.event_kinds(oid)[-1] == "assist_added"


def test_add_assist_by_a_town_at_its_own_hop(f: Loop) -> None:
    oid, top = f.town_in_progress()
    new = f.do("h_town1", "add_assist", oid, f.u["town1v2"], top).value
    h = f.load(oid).hop(new)
    assert (h.role, h.parent_id, h.sender_unit_id) == ("assist", top, f.u["town1"])
    f.expect(oid, "in_progress", "town1")


def test_add_assist_refusals(f: Loop) -> None:
    oid = f.register()
    f.refuse(IllegalTransition, "dispatcher", "add_assist", oid, f.u["civil"])
    f.do("dispatcher", "dispatch", oid, f.u["town1"], [f.u["police"]])
    f.refuse(
        ValidationError,
        "dispatcher",
        "add_assist",
        oid,
        f.u["police"],
        field="unit_id",
        code="duplicate_unit",
    )
    f.refuse(
        ValidationError,
        "dispatcher",
        "add_assist",
        oid,
        f.u["town1"],
        field="unit_id",
        code="duplicate_unit",
    )
    f.refuse(PermissionDenied, "h_town1", "add_assist", oid, f.u["civil"])
    f.refuse(PermissionDenied, "supervisor", "add_assist", oid, f.u["civil"])
    top = f.hop(oid, "town1").id
    # the town's hop awaits acceptance: it cannot call units onto it yet
    f.refuse(IllegalTransition, "h_town1", "add_assist", oid, f.u["town1v2"], top)
    f.do("h_town1", "accept", oid, top)
    f.refuse(
        ValidationError,
        "h_town1",
        "add_assist",
        oid,
        f.u["civil"],
        top,
        field="unit_id",
        code="outside_dispatch_scope",
    )


# --- answer assist 协办答复 ------------------------------------------------------------------


def test_answer_assist(f: Loop) -> None:
    oid, _top = f.town_in_progress(("police",))
    assist = f.hop(oid, "police", "assist").id
    f.do("h_police", "answer_assist", oid, assist, "已派民警到场")
    h = f.load(oid).hop(assist)
    assert (h.state, h.answer_text) == ("answered", "已派民警到场")
    assert h.accepted_at is not None and h.answered_at is not None
    assert not f.load(oid).open_limits(hop=h)
    f.expect(oid, "in_progress", "town1")


def test_answer_assist_refusals(f: Loop) -> None:
    oid, top = f.town_in_progress(("police",))
    assist = f.hop(oid, "police", "assist").id
    f.refuse(
        ValidationError,
        "h_police",
        "answer_assist",
        oid,
        assist,
        "  ",
        field="text",
        code="required",
    )
    f.refuse(PermissionDenied, "h_town1", "answer_assist", oid, assist, "代答")
    f.refuse(IllegalTransition, "h_town1", "answer_assist", oid, top, "主办不是协办")
    f.do("h_police", "answer_assist", oid, assist, "已派民警到场")
    f.refuse(IllegalTransition, "h_police", "answer_assist", oid, assist, "再答一次")


# --- submit result 办结 ----------------------------------------------------------------------


def test_submit_refused_while_an_assisting_answer_is_missing(f: Loop) -> None:
    oid, top = f.town_in_progress(("police", "civil"))
    f.do("h_police", "answer_assist", oid, f.hop(oid, "police", "assist").id, "已处置")
    err = f.refuse(
        IllegalTransition,
        "h_town1",
        "submit_result",
        oid,
        top,
        "已修复",
        code="assist_answers_missing",
    )
    assert err.params["waiting"] == [f.u["civil"]]
    f.do("h_civil", "answer_assist", oid, f.hop(oid, "civil", "assist").id, "已救助")
    f.do("h_town1", "submit_result", oid, top, "已修复")
    f.expect(oid, "pending_review", "town1")


def test_submit_waits_for_an_assist_called_by_the_town(f: Loop) -> None:
    oid, top = f.town_in_progress()
    assist = f.do("h_town1", "add_assist", oid, f.u["town1v2"], top).value
    f.refuse(
        IllegalTransition,
        "h_town1",
        "submit_result",
        oid,
        top,
        "已修复",
        code="assist_answers_missing",
    )
    f.do("h_town1v2", "answer_assist", oid, assist, "已配合")
    f.do("h_town1", "submit_result", oid, top, "已修复")
    f.expect(oid, "pending_review", "town1")


def test_a_returned_assist_blocks_the_result_until_the_return_is_accepted(f: Loop) -> None:
    oid, top = f.town_in_progress(("police",))
    assist = f.hop(oid, "police", "assist").id
    f.do("h_police", "return_hop", oid, assist, "非公安职责")
    f.refuse(IllegalTransition, "h_town1", "submit_result", oid, top, "已修复")
    f.do("dispatcher", "accept_return", oid, assist)
    f.do("h_town1", "submit_result", oid, top, "已修复")
    f.expect(oid, "pending_review", "town1")


def test_the_result_climbs_one_hop_at_a_time(f: Loop) -> None:
    oid, top, village = f.village_in_progress()
    grid = f.do("h_town1v1", "pass_down", oid, village, f.u["town1v1g1"]).value
    f.do("h_town1v1g1", "accept", oid, grid)

    f.do("h_town1v1g1", "submit_result", oid, grid, "网格员已处理")
    assert f.hops(oid) == [
        ("town1", "lead", "delegated"),
        ("town1v1", "lead", "in_progress"),
        ("town1v1g1", "lead", "answered"),
    ]
    assert f.load(oid).hop(grid).answer_text == "网格员已处理"
    f.expect(oid, "in_progress", "town1v1", worked_at="town1v1g1")

    f.do("h_town1v1", "submit_result", oid, village, "村里已处理")
    assert f.hops(oid) == [
        ("town1", "lead", "in_progress"),
        ("town1v1", "lead", "answered"),
        ("town1v1g1", "lead", "answered"),
    ]
    f.expect(oid, "in_progress", "town1", worked_at="town1v1g1")
    assert f.load(oid).order.result_text is None

    f.do("h_town1", "submit_result", oid, top, "镇里已核实办结")
    assert f.hops(oid) == [
        ("town1", "lead", "answered"),
        ("town1v1", "lead", "answered"),
        ("town1v1g1", "lead", "answered"),
    ]
    o = f.load(oid).order
    assert (o.state, o.result_text) == ("pending_review", "镇里已核实办结")
    assert not f.load(oid).open_limits("resolve")  # type: ignore[arg-type]


def test_submit_refusals(f: Loop) -> None:
    oid, top = f.dispatched()
    f.refuse(IllegalTransition, "h_town1", "submit_result", oid, top, "已修复")  # not accepted yet
    f.do("h_town1", "accept", oid, top)
    f.refuse(
        ValidationError, "h_town1", "submit_result", oid, top, "", field="text", code="required"
    )
    f.refuse(PermissionDenied, "dispatcher", "submit_result", oid, top, "已修复")
    child = f.do("h_town1", "pass_down", oid, top, f.u["town1v1"]).value
    f.do("h_town1v1", "accept", oid, child)
    f.refuse(
        IllegalTransition, "h_town1", "submit_result", oid, top, "已修复"
    )  # the village holds it
    f.do("h_town1v1", "return_hop", oid, child, "不在本村")
    # the village's return must be decided first
    f.refuse(
        IllegalTransition, "h_town1", "submit_result", oid, top, "已修复", code="return_pending"
    )


# --- progress notes 进展 --------------------------------------------------------------------


def test_note_progress_is_an_event_not_a_state_change(f: Loop) -> None:
    oid, top = f.town_in_progress()
    before = f.load(oid).order.version
    f.do("h_town1", "note_progress", oid, "已到现场", top)
    f.do("dispatcher", "note_progress", oid, "已电话催办")
    assert f.load(oid).order.version == before + 2
    assert f.event_kinds(oid)[-2:] == ["progress_noted", "progress_noted"]
    f.expect(oid, "in_progress", "town1")


def test_note_progress_refusals(f: Loop) -> None:
    oid, top = f.town_in_progress(("police",))
    f.refuse(
        ValidationError, "h_town1", "note_progress", oid, " ", top, field="text", code="required"
    )
    f.refuse(PermissionDenied, "h_police", "note_progress", oid, "代记", top)
    f.refuse(PermissionDenied, "wall", "note_progress", oid, "大屏")
    f.refuse(PermissionDenied, "leader", "note_progress", oid, "指挥长")


def test_note_progress_refused_on_a_voided_order(f: Loop) -> None:
    oid = f.register()
    f.do("dispatcher", "void", oid, "测试单")
    f.refuse(IllegalTransition, "dispatcher", "note_progress", oid, "作废后记进展")


# --- pause 挂账 -------------------------------------------------------------------------------


def test_pause_request_approve_and_resume(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    f.do("h_town1", "request_pause", oid, "等待法院判决")
    o = f.load(oid).order
    assert o.pending_request is not None and o.pending_request["type"] == "pause"
    f.expect(oid, "in_progress", "town1")

    f.do("supervisor", "decide_pause", oid, True, "同意")
    agg = f.load(oid)
    assert agg.order.pending_request is None
    assert agg.order.paused_at is not None
    assert agg.open_limits() and all(lim.paused_at is not None for lim in agg.open_limits())
    f.expect(oid, "paused", "town1")

    f.do("h_town1", "resume", oid, "判决已出")
    agg = f.load(oid)
    assert agg.order.paused_at is None
    assert all(lim.paused_at is None for lim in agg.open_limits())
    f.expect(oid, "in_progress", "town1")
    assert f.event_kinds(oid)[-3:] == ["pause_requested", "pause_approved", "resumed"]


def test_a_supervisor_may_resume(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    f.do("h_town1", "request_pause", oid, "等待法院判决")
    f.do("supervisor", "decide_pause", oid, True)
    f.do("supervisor", "resume", oid)
    f.expect(oid, "in_progress", "town1")


def test_pause_denied(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    f.do("h_town1", "request_pause", oid, "等待法院判决")
    f.do("supervisor", "decide_pause", oid, False, "不同意")
    o = f.load(oid).order
    assert (o.pending_request, o.paused_at) == (None, None)
    f.expect(oid, "in_progress", "town1")
    assert f.event_kinds(oid)[-1] == "pause_denied"


def test_pause_refusals(f: Loop) -> None:
    oid, top = f.dispatched("town1", ("police",))
    f.refuse(IllegalTransition, "h_town1", "request_pause", oid, "等待")  # not accepted yet
    f.do("h_town1", "accept", oid, top)
    f.refuse(ValidationError, "h_town1", "request_pause", oid, "", field="reason", code="required")
    f.refuse(PermissionDenied, "h_police", "request_pause", oid, "等待")
    f.refuse(IllegalTransition, "supervisor", "decide_pause", oid, True)  # nothing requested
    f.refuse(IllegalTransition, "h_town1", "resume", oid)  # not paused
    f.do("h_town1", "request_pause", oid, "等待法院判决")
    f.refuse(IllegalTransition, "h_town1", "request_pause", oid, "再申请")
    f.refuse(PermissionDenied, "dispatcher", "decide_pause", oid, True)
    f.refuse(PermissionDenied, "h_town1", "decide_pause", oid, True)


def test_a_paused_order_refuses_handling_until_resumed(f: Loop) -> None:
    oid, top = f.town_in_progress(("police",))
    f.do("h_town1", "request_pause", oid, "等待法院判决")
    f.do("supervisor", "decide_pause", oid, True)
    f.refuse(IllegalTransition, "h_town1", "submit_result", oid, top, "已办结")
    f.refuse(IllegalTransition, "h_town1", "return_hop", oid, top, "退回")
    f.refuse(IllegalTransition, "h_town1", "escalate", oid, top, "上报")
    f.refuse(IllegalTransition, "h_town1", "pass_down", oid, top, f.u["town1v1"])
    f.refuse(IllegalTransition, "dispatcher", "reassign", oid, top, f.u["town2"], "改派")
    f.refuse(IllegalTransition, "h_police", "accept", oid, f.hop(oid, "police", "assist").id)
    f.refuse(IllegalTransition, "h_town1", "request_pause", oid, "再挂账")
    f.refuse(PermissionDenied, "h_police", "resume", oid)
    f.refuse(PermissionDenied, "dispatcher", "resume", oid)


def test_a_pending_request_lapses_with_the_hop_that_made_it(f: Loop) -> None:
    """town1 asks for a pause, then returns the order. town2 now holds it and must be
    able to ask for its own pause; town1's old request must not be decidable any more."""
    oid, top = f.town_in_progress()
    f.do("h_town1", "request_pause", oid, "等待法院判决")
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.do("dispatcher", "dispatch", oid, f.u["town2"])
    f.do("h_town2", "accept", oid, f.hop(oid, "town2").id)
    assert f.load(oid).order.pending_request is None
    f.do("h_town2", "request_pause", oid, "等待鉴定")


def test_a_pending_request_lapses_when_a_child_hop_returns(f: Loop) -> None:
    oid, _top, village = f.village_in_progress()
    f.do("h_town1v1", "request_extension", oid, 5, "需要时间")
    f.do("h_town1v1", "return_hop", oid, village, "不在本村")
    f.do("h_town1", "accept_return", oid, village)
    assert f.load(oid).order.pending_request is None  # the village no longer holds the order
    f.do("h_town1", "request_pause", oid, "等待鉴定")


def test_a_pending_request_lapses_when_a_child_hop_escalates(f: Loop) -> None:
    oid, _top, village = f.village_in_progress()
    f.do("h_town1v1", "request_pause", oid, "等待法院判决")
    f.do("h_town1v1", "escalate", oid, village, "村里解决不了")
    assert f.load(oid).order.pending_request is None
    f.do("h_town1", "request_pause", oid, "等待鉴定")


def test_a_pending_request_lapses_when_the_hop_is_reassigned(f: Loop) -> None:
    oid, _top, village = f.village_in_progress()
    f.do("h_town1v1", "request_extension", oid, 5, "需要时间")
    new = f.do("h_town1", "reassign", oid, village, f.u["town1v2"], "改派二村").value
    f.do("h_town1v2", "accept", oid, new)
    assert f.load(oid).order.pending_request is None
    f.do("h_town1v2", "request_extension", oid, 3, "二村需要时间")


# --- extension 延期 ---------------------------------------------------------------------------


def _resolve(f: Loop, oid: int) -> Any:
    return f.load(oid).open_limits("resolve")[-1]  # type: ignore[arg-type]


def test_extension_approved_moves_the_resolve_limit(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    due = _resolve(f, oid).due_at
    f.do("h_town1", "request_extension", oid, 5, "需要协调多部门")
    o = f.load(oid).order
    assert o.pending_request is not None and o.pending_request["type"] == "extension"
    assert o.pending_request["days"] == 5
    f.do("supervisor", "decide_extension", oid, True, "同意")
    lim = _resolve(f, oid)
    assert lim.due_at == due + timedelta(days=5)
    assert (lim.extensions, lim.extended_days) == (1, 5)
    assert f.load(oid).order.pending_request is None
    f.expect(oid, "in_progress", "town1", extension_count=1)


def test_extension_denied_changes_no_limit(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    due = _resolve(f, oid).due_at
    f.do("h_town1", "request_extension", oid, 5, "需要协调多部门")
    f.do("supervisor", "decide_extension", oid, False, "不同意")
    assert _resolve(f, oid).due_at == due
    assert f.load(oid).order.pending_request is None
    f.expect(oid, "in_progress", "town1")
    assert f.event_kinds(oid)[-1] == "extension_denied"


def test_extension_while_paused(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    f.do("h_town1", "request_pause", oid, "等待法院判决")
    f.do("supervisor", "decide_pause", oid, True)
    f.do("h_town1", "request_extension", oid, 3, "判决延后")
    f.do("supervisor", "decide_extension", oid, True)
    f.expect(oid, "paused", "town1", extension_count=1)


def test_extension_cap_on_the_count(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    for _ in range(2):
        f.do("h_town1", "request_extension", oid, 2, "再延期")
        f.do("supervisor", "decide_extension", oid, True)
    f.expect(oid, "in_progress", "town1", extension_count=2)
    f.refuse(
        CoreError, "h_town1", "request_extension", oid, 2, "第三次", code="extension_cap_reached"
    )


def test_extension_cap_on_the_days(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    f.refuse(
        CoreError, "h_town1", "request_extension", oid, 31, "太久", code="extension_cap_reached"
    )
    f.do("h_town1", "request_extension", oid, 20, "延期")
    f.do("supervisor", "decide_extension", oid, True)
    f.refuse(
        CoreError, "h_town1", "request_extension", oid, 11, "再延", code="extension_cap_reached"
    )
    f.do("h_town1", "request_extension", oid, 10, "再延")
    f.do("supervisor", "decide_extension", oid, True)
    assert _resolve(f, oid).extended_days == 30


def test_extension_refusals(f: Loop) -> None:
    oid, top = f.dispatched("town1", ("police",))
    f.refuse(IllegalTransition, "h_town1", "request_extension", oid, 3, "延期")  # not in progress
    f.do("h_town1", "accept", oid, top)
    f.refuse(
        ValidationError,
        "h_town1",
        "request_extension",
        oid,
        0,
        "延期",
        field="days",
        code="not_positive_int",
    )
    f.refuse(
        ValidationError,
        "h_town1",
        "request_extension",
        oid,
        3,
        " ",
        field="reason",
        code="required",
    )
    f.refuse(PermissionDenied, "h_police", "request_extension", oid, 3, "延期")
    f.refuse(IllegalTransition, "supervisor", "decide_extension", oid, True)  # nothing requested
    f.do("h_town1", "request_extension", oid, 3, "延期")
    f.refuse(IllegalTransition, "h_town1", "request_extension", oid, 3, "再申请")
    f.refuse(
        IllegalTransition, "h_town1", "request_pause", oid, "挂账"
    )  # another request is pending
    f.refuse(
        IllegalTransition, "supervisor", "decide_pause", oid, True
    )  # the pending one is an extension
    f.refuse(PermissionDenied, "dispatcher", "decide_extension", oid, True)
    f.refuse(PermissionDenied, "h_town1", "decide_extension", oid, True)


# --- review 核查 ------------------------------------------------------------------------------


def test_review_pass(f: Loop) -> None:
    oid = f.pending_review()
    f.do("supervisor", "review", oid, True)
    f.expect(oid, "pending_visit", "town1")


def test_review_fail_sends_the_deepest_hop_back_to_work(f: Loop) -> None:
    oid, top, village = f.village_in_progress()
    f.do("h_town1v1", "submit_result", oid, village, "村里已处理")
    f.do("h_town1", "submit_result", oid, top, "已办结")
    resolve_before = [lim.id for lim in f.load(oid).limits if lim.kind == "resolve"]
    f.do("supervisor", "review", oid, False, "现场未整改")
    assert f.hops(oid) == [("town1", "lead", "delegated"), ("town1v1", "lead", "in_progress")]
    f.expect(oid, "in_progress", "town1v1", rework_count=1)
    agg = f.load(oid)
    assert agg.order.result_text is None
    new = [lim for lim in agg.limits if lim.kind == "resolve" and lim.id not in resolve_before]
    assert len(new) == 1 and new[0].open
    # the rework climbs up again
    f.do("h_town1v1", "submit_result", oid, village, "已整改")
    f.do("h_town1", "submit_result", oid, top, "已整改办结")
    o = f.load(oid).order
    assert (o.state, o.rework_count, o.result_text) == ("pending_review", 1, "已整改办结")


def test_review_fail_at_the_top_hop(f: Loop) -> None:
    oid = f.pending_review()
    f.do("supervisor", "review", oid, False, "材料不全")
    assert f.hops(oid) == [("town1", "lead", "in_progress")]
    f.expect(oid, "in_progress", "town1", rework_count=1)


def test_review_refusals(f: Loop) -> None:
    oid, top = f.town_in_progress()
    f.refuse(IllegalTransition, "supervisor", "review", oid, True)
    f.do("h_town1", "submit_result", oid, top, "已修复")
    f.refuse(
        ValidationError, "supervisor", "review", oid, False, " ", field="reason", code="required"
    )
    f.refuse(PermissionDenied, "dispatcher", "review", oid, True)
    f.refuse(PermissionDenied, "h_town1", "review", oid, True)


# --- visit 回访 -------------------------------------------------------------------------------


@pytest.mark.parametrize("result", ["satisfied", "basically_satisfied"])
def test_a_satisfied_visit_closes(f: Loop, result: str) -> None:
    oid = f.pending_visit()
    f.do("supervisor", "visit", oid, result)
    o = f.load(oid).order
    assert (o.visit_result, o.closed_at is not None) == (result, True)
    f.expect(oid, "closed", "town1", visit_attempts=1)


def test_an_unsatisfied_visit_reopens(f: Loop) -> None:
    oid = f.pending_visit()
    res = f.do("supervisor", "visit", oid, "unsatisfied", "路灯仍不亮")
    assert [k.value for k in res.kinds] == ["visit_recorded", "reopened"]
    o = f.load(oid).order
    assert (o.closed_at, o.visit_result, o.result_text) == (None, None, None)
    f.expect(oid, "registered", None, reopen_count=1)
    assert sorted(lim.kind for lim in f.load(oid).open_limits()) == ["handout", "resolve"]
    f.do("dispatcher", "dispatch", oid, f.u["town1"])
    f.expect(oid, "dispatched", "town1", reopen_count=1)


def test_an_unreachable_caller_closes_after_three_attempts(f: Loop) -> None:
    oid = f.pending_visit()
    f.do("supervisor", "visit", oid, "unreachable")
    f.expect(oid, "pending_visit", "town1", visit_attempts=1)
    f.do("supervisor", "visit", oid, "unreachable")
    f.expect(oid, "pending_visit", "town1", visit_attempts=2)
    f.do("supervisor", "visit", oid, "unreachable")
    f.expect(oid, "closed", "town1", visit_attempts=3)
    assert f.load(oid).order.visit_result == "unreachable"


def test_visit_refusals(f: Loop) -> None:
    oid = f.pending_review()
    f.refuse(IllegalTransition, "supervisor", "visit", oid, "satisfied")
    f.do("supervisor", "review", oid, True)
    f.refuse(
        ValidationError, "supervisor", "visit", oid, "happy", field="result", code="unknown_value"
    )
    f.refuse(PermissionDenied, "duty", "visit", oid, "satisfied")
    f.refuse(PermissionDenied, "h_town1", "visit", oid, "satisfied")


# --- reopen 重办 ------------------------------------------------------------------------------


def test_reopen_a_closed_order(f: Loop) -> None:
    oid = f.closed()
    f.do("supervisor", "reopen", oid, "群众再次投诉")
    o = f.load(oid).order
    assert o.closed_at is None
    f.expect(oid, "registered", None, reopen_count=1)
    f.do("dispatcher", "dispatch", oid, f.u["town1"])
    f.expect(oid, "dispatched", "town1", reopen_count=1)


def test_reopen_an_order_answered_on_the_spot(f: Loop) -> None:
    oid = f.svc.register(f.a["duty"], draft(answer_on_spot="已答复")).order_id
    f.do("dispatcher", "reopen", oid, "答复有误")
    f.expect(oid, "registered", None, reopen_count=1)


def test_reopen_refusals(f: Loop) -> None:
    oid = f.pending_visit()
    f.refuse(IllegalTransition, "supervisor", "reopen", oid, "再投诉")
    f.do("supervisor", "visit", oid, "satisfied")
    f.refuse(ValidationError, "supervisor", "reopen", oid, "", field="reason", code="required")
    f.refuse(PermissionDenied, "duty", "reopen", oid, "再投诉")
    f.refuse(PermissionDenied, "h_town1", "reopen", oid, "再投诉")


# --- merge 归并 -------------------------------------------------------------------------------


def test_merge_moves_callers_and_writes_events_on_both(f: Loop) -> None:
    target, _ = f.dispatched()
    source = f.register(
        caller_name="张三", phone="13912345678", extra_callers=[("李四", "13612345678")]
    )
    tv, sv = f.load(target).order.version, f.load(source).order.version
    res = f.svc.merge(f.a["dispatcher"], source, target, "同一路灯")
    assert res.versions == {source: sv + 1, target: tv + 1}

    s = f.load(source)
    assert s.order.state == "merged"
    assert s.order.merged_into_id == target
    assert s.order.lead_unit_id is None
    assert not s.open_limits()
    t = f.load(target)
    assert t.order.state == "dispatched"
    moved = [(c.name, c.phone_digits, c.source, c.from_order_id) for c in t.callers]
    assert ("张三", "13912345678", "merged", source) in moved
    assert ("李四", "13612345678", "merged", source) in moved
    assert len(moved) == 2

    assert f.event_kinds(source)[-1] == "merged"
    assert f.event_kinds(target)[-1] == "merge_received"
    assert f.event_versions(source) == list(range(1, sv + 2))
    assert f.event_versions(target) == list(range(1, tv + 2))


def _refuse_merge(
    f: Loop, exc: type[CoreError], user: str, source: int, target: int, **kw: Any
) -> CoreError:
    before = (f.snapshot(source), f.snapshot(target))
    with pytest.raises(exc) as info:
        f.svc.merge(f.a[user], source, target, "重复", **kw)
    assert (f.snapshot(source), f.snapshot(target)) == before
    return info.value


def test_merge_refusals(f: Loop) -> None:
    target = f.register()
    source, _ = f.dispatched()
    _refuse_merge(f, IllegalTransition, "dispatcher", source, target)  # source already dispatched
    source = f.register()
    err = _refuse_merge(f, ValidationError, "dispatcher", source, source)
    assert "target" in err.fields()  # type: ignore[attr-defined]
    _refuse_merge(f, PermissionDenied, "h_town1", source, target)
    _refuse_merge(f, PermissionDenied, "supervisor", source, target)
    _refuse_merge(f, StaleVersion, "dispatcher", source, target, expected_versions=(1, 0))
    closed = f.svc.register(f.a["duty"], draft(answer_on_spot="已答复")).order_id
    err = _refuse_merge(f, ValidationError, "dispatcher", source, closed)
    assert err.codes_for("target") == ["target_not_open"]  # type: ignore[attr-defined]
    f.svc.merge(f.a["dispatcher"], source, target, expected_versions=(1, 1))
    assert f.load(source).order.state == "merged"


# --- transfer 转外地, void 作废 ----------------------------------------------------------------


def test_transfer(f: Loop) -> None:
    oid = f.register()
    f.do("dispatcher", "transfer", oid, "邻县综治中心", "不属本县")
    o = f.load(oid).order
    assert o.transfer_destination == "邻县综治中心"
    assert not f.load(oid).open_limits()
    f.expect(oid, "transferred", None)


def test_transfer_refusals(f: Loop) -> None:
    oid = f.register()
    f.refuse(
        ValidationError,
        "dispatcher",
        "transfer",
        oid,
        " ",
        "不属本县",
        field="destination",
        code="required",
    )
    f.refuse(
        ValidationError, "dispatcher", "transfer", oid, "邻县", "", field="reason", code="required"
    )
    f.refuse(PermissionDenied, "h_town1", "transfer", oid, "邻县", "不属本县")
    f.do("dispatcher", "dispatch", oid, f.u["town1"])
    f.refuse(IllegalTransition, "dispatcher", "transfer", oid, "邻县", "不属本县")


def test_void(f: Loop) -> None:
    oid = f.register()
    f.do("supervisor", "void", oid, "骚扰电话")
    o = f.load(oid).order
    assert o.void_reason == "骚扰电话"
    assert not f.load(oid).open_limits()
    f.expect(oid, "voided", None)
    f.refuse(IllegalTransition, "dispatcher", "dispatch", oid, f.u["town1"])
    f.refuse(IllegalTransition, "supervisor", "reopen", oid, "误作废")


def test_void_withdraws_a_returned_hop(f: Loop) -> None:
    oid, top = f.dispatched("town1", ("police",))
    f.do("h_town1", "return_hop", oid, top, "不属本镇职责")
    f.do("dispatcher", "void", oid, "重复来电")
    assert f.hops(oid) == [("town1", "lead", "withdrawn"), ("police", "assist", "withdrawn")]
    f.expect(oid, "voided", None, return_count=1)


def test_void_refusals(f: Loop) -> None:
    oid = f.register()
    f.refuse(ValidationError, "dispatcher", "void", oid, "  ", field="reason", code="required")
    f.refuse(PermissionDenied, "duty", "void", oid, "骚扰电话")
    f.refuse(PermissionDenied, "h_town1", "void", oid, "骚扰电话")
    f.do("dispatcher", "dispatch", oid, f.u["town1"])
    f.refuse(IllegalTransition, "dispatcher", "void", oid, "骚扰电话")


# --- supervise 督办 ---------------------------------------------------------------------------


def test_supervise_yellow_then_red_counts_without_changing_state(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    f.do("supervisor", "supervise", oid, "yellow", "请加快办理")
    f.do("leader", "supervise", oid, "red", "限期办结")
    f.expect(oid, "in_progress", "town1", supervision_count=2)
    with f.svc.store.engine.connect() as conn:
        rows = conn.execute(
            select(events.c.kind, events.c.from_state, events.c.to_state, events.c.payload)
            .where(events.c.order_id == oid)
            .order_by(events.c.id)
        ).all()[-2:]
    assert [
        (r.kind, r.from_state, r.to_state, r.payload["level"], r.payload["unit_id"]) for r in rows
    ] == [
        ("supervised", "in_progress", "in_progress", "yellow", f.u["town1"]),
        ("supervised", "in_progress", "in_progress", "red", f.u["town1"]),
    ]


def test_supervise_refusals(f: Loop) -> None:
    oid, _top = f.town_in_progress()
    f.refuse(
        ValidationError,
        "supervisor",
        "supervise",
        oid,
        "orange",
        "请加快",
        field="level",
        code="unknown_value",
    )
    f.refuse(
        ValidationError,
        "supervisor",
        "supervise",
        oid,
        "yellow",
        " ",
        field="text",
        code="required",
    )
    f.refuse(PermissionDenied, "duty", "supervise", oid, "yellow", "请加快")
    f.refuse(PermissionDenied, "h_town1", "supervise", oid, "yellow", "请加快")
    closed = f.closed()
    f.refuse(IllegalTransition, "supervisor", "supervise", closed, "yellow", "请加快")


# --- versions ----------------------------------------------------------------------------


def test_a_stale_expected_version_writes_nothing(f: Loop) -> None:
    oid, top = f.dispatched()
    v = f.load(oid).order.version
    f.refuse(StaleVersion, "h_town1", "accept", oid, top, expected_version=v - 1)
    f.refuse(
        StaleVersion, "supervisor", "supervise", oid, "yellow", "请加快", expected_version=v + 1
    )
    f.refuse(StaleVersion, "h_town1", "return_hop", oid, top, "退回", expected_version=v - 1)
    f.do("h_town1", "accept", oid, top, expected_version=v)
    assert f.load(oid).order.version == v + 1


def _supervise_on(conn: Any, f: Loop, clock: ManualClock, agg: Aggregate, text: str) -> None:
    ctx = Ctx(clock.now(), f.a["supervisor"], f.svc.store.reference(), DbIds(conn))
    closing.supervise(ctx, agg, "yellow", text)
    flush(conn, [agg])


def test_an_aggregate_loaded_before_another_write_is_stale(f: Loop, clock: ManualClock) -> None:
    oid, _ = f.town_in_progress()
    with read_tx(f.svc.store.engine) as conn:
        old = load_aggregate(conn, oid)
    f.do("supervisor", "supervise", oid, "yellow", "第一次")
    before = f.snapshot(oid)
    with pytest.raises(StaleVersion), write_tx(f.svc.store.engine) as conn:
        _supervise_on(conn, f, clock, old, "基于旧版本")
    assert f.snapshot(oid) == before
    assert f.load(oid).order.supervision_count == 1


def test_two_transactions_race_and_one_is_stale(f: Loop, clock: ManualClock, backend: str) -> None:
    """Both load the same version inside open write transactions; the second to write
    blocks on the first's row lock and then finds the version moved on."""
    if backend != "postgres":
        pytest.skip(
            "SQLite serialises writers at BEGIN IMMEDIATE: two write transactions cannot overlap"
        )
    oid, _ = f.town_in_progress()
    before = f.load(oid).order.version
    engine = f.svc.store.engine
    errors: list[BaseException] = []
    with engine.connect() as c1, engine.connect() as c2:
        t1, t2 = c1.begin(), c2.begin()
        a1, a2 = load_aggregate(c1, oid), load_aggregate(c2, oid)
        _supervise_on(c1, f, clock, a1, "一号")

        def second() -> None:
            try:
                _supervise_on(c2, f, clock, a2, "二号")
            except BaseException as exc:
                errors.append(exc)

        worker = threading.Thread(target=second)
        worker.start()
        worker.join(0.5)
        assert worker.is_alive()  # waiting on the row lock held by the first writer
        t1.commit()
        worker.join(10)
        assert not worker.is_alive()
        t2.rollback()
    assert len(errors) == 1 and isinstance(errors[0], StaleVersion)
    o = f.load(oid).order
    assert (o.version, o.supervision_count) == (before + 1, 1)
    assert f.event_versions(oid) == list(range(1, before + 2))


def test_concurrent_calls_with_the_same_expected_version_let_one_through(f: Loop) -> None:
    oid, _ = f.town_in_progress()
    v = f.load(oid).order.version
    n = 4
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        barrier.wait()
        try:
            f.svc.supervise(f.a["supervisor"], oid, "yellow", f"督办{i}", expected_version=v)
            result = "ok"
        except StaleVersion:
            result = "stale"
        except BaseException as exc:
            result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok"] + ["stale"] * (n - 1)
    o = f.load(oid).order
    assert (o.version, o.supervision_count) == (v + 1, 1)
    assert f.event_versions(oid) == list(range(1, v + 2))


def test_every_event_raises_the_version_by_one(f: Loop) -> None:
    """A long, winding history: events per order are numbered 1..version with no gap."""
    oid, top, village = f.village_in_progress()
    f.do("h_town1v1", "return_hop", oid, village, "不在本村")
    f.do("h_town1", "reject_return", oid, village, "属本村")
    f.do("h_town1v1", "accept", oid, village)
    f.do("h_town1v1", "note_progress", oid, "已到现场", village)
    f.do("h_town1v1", "request_extension", oid, 3, "需要时间")
    f.do("supervisor", "decide_extension", oid, True)
    f.do("supervisor", "supervise", oid, "yellow", "请加快")
    f.do("h_town1v1", "submit_result", oid, village, "已处理")
    f.do("h_town1", "submit_result", oid, top, "已办结")
    f.do("supervisor", "review", oid, False, "未整改")
    f.do("h_town1v1", "submit_result", oid, village, "已整改")
    f.do("h_town1", "submit_result", oid, top, "已办结")
    f.do("supervisor", "review", oid, True)
    f.do("supervisor", "visit", oid, "unsatisfied", "仍不满意")
    f.do("dispatcher", "dispatch", oid, f.u["town2"])
    dup = f.register()
    f.svc.merge(f.a["dispatcher"], dup, oid)
    o = f.load(oid).order
    assert f.event_versions(oid) == list(range(1, o.version + 1))
    assert f.event_versions(dup) == list(range(1, f.load(dup).order.version + 1))
    assert o.version == 22
    f.expect(
        oid,
        "dispatched",
        "town2",
        return_count=1,
        rework_count=1,
        reopen_count=1,
        supervision_count=1,
        extension_count=1,
    )
    with f.svc.store.engine.connect() as conn:
        ids = list(conn.execute(select(events.c.id).order_by(events.c.id)).scalars())
    assert ids == list(range(1, len(ids) + 1))
