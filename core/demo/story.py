"""What happens to each demo order after it arrives: routing, handling, review, visit.

Every move goes through the real workflow functions, by the user whose job it is, at a
plausible moment; the shares come from resources/demo/config.toml.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.demo.arrivals import Arrivals
from core.domain.enums import HopRole, HopState, LimitKind, OrderState, VisitResult
from core.errors import CoreError
from core.workflow import closing, dispatch, handling
from core.workflow.model import Aggregate, HopRec

if TYPE_CHECKING:
    from core.demo.simulate import Simulator


class Story(Arrivals):
    def first_move(self, sim: Simulator, agg: Aggregate, key: tuple[int, str]) -> None:
        """Void, transfer, merge into a recent duplicate, or dispatch."""
        rng, out = self.rng, self.out
        roll = rng.random()
        if roll < out["void"]:
            sim.later(agg, rng.uniform(0.05, 1), Story.void)
        elif roll < out["void"] + out["transfer"]:
            sim.later(agg, rng.uniform(0.1, 2), Story.transfer)
        elif roll < out["void"] + out["transfer"] + out["merge"] and self.recent.get(key):
            target = self.recent[key][-1]
            sim.later(agg, rng.uniform(0.05, 0.5), Story.merge, target, anytime=True)
        else:
            self.recent[key] = (self.recent[key] + [agg.id])[-5:]
            sim.later(agg, rng.uniform(0.1, 2.5), Story.dispatch)

    # --- the centre ------------------------------------------------------------------------

    def centre_staff(self, agg: Aggregate, role: str) -> Any:
        org = self.org
        if agg.order.centre_unit_id != org.county:
            town = agg.order.centre_unit_id
            return org.town_supervisor[town] if role == "supervisor" else org.town_centre[town]
        return self.rng.choice(org.centre[role])

    def route(self, agg: Aggregate) -> int:
        """Where the order should go: the category's tier and owner, the location's units."""
        org, meta = self.org, self.meta[agg.id]
        village = org.village_of_grid.get(meta["grid"])
        if agg.order.centre_unit_id != org.county:
            return village or org.villages_of[agg.order.centre_unit_id][0]
        tier = meta["cat"].default_tier or 1
        floor = agg.order.escalated_from_level
        if floor is not None and floor > 1:
            tier = min(tier, floor - 1)
        if tier >= 3 and village:
            return village
        if tier == 2:
            return int(meta["town"])
        return org.departments.get(
            meta["cat"].owner_unit_code or "", org.departments["dept:gov_office"]
        )

    def elsewhere(self, agg: Aggregate, not_unit: int) -> int:
        """Where a returned order goes instead: another village of a town centre, the
        location's town for a department, else the category's owning department."""
        org, meta = self.org, self.meta[agg.id]
        centre = agg.order.centre_unit_id
        if centre != org.county:
            others = [v for v in org.villages_of[centre] if v != not_unit]
            return self.rng.choice(others) if others else not_unit
        if not_unit in org.departments.values():
            return int(meta["town"])
        return org.departments.get(
            meta["cat"].owner_unit_code or "", org.departments["dept:gov_office"]
        )

    @staticmethod
    def dispatch(sim: Simulator, agg: Aggregate | None, _: Any) -> None:
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        if agg.state != OrderState.REGISTERED:
            return
        lead = self.route(agg)
        assists = []
        if agg.order.centre_unit_id == self.org.county and rng.random() < self.out["assist"]:
            pool = [
                u for c, u in self.org.departments.items() if u != lead and c != "dept:gov_office"
            ]
            assists = [rng.choice(pool)]
        hops = sim.act(agg, self.centre_staff(agg, "dispatcher"), dispatch.dispatch, lead, assists)
        for hop in hops or []:
            self.hop_arrives(sim, agg, hop)

    @staticmethod
    def void(sim: Simulator, agg: Aggregate | None, _: Any) -> None:
        assert agg is not None
        sim.act(agg, sim.story.centre_staff(agg, "dispatcher"), closing.void, "无效来电：骚扰/测试")

    @staticmethod
    def transfer(sim: Simulator, agg: Aggregate | None, _: Any) -> None:
        assert agg is not None
        sim.act(
            agg,
            sim.story.centre_staff(agg, "dispatcher"),
            closing.transfer,
            "邻县 泗水县社会治理中心",
            "事发地不在本县辖区",
        )

    @staticmethod
    def merge(sim: Simulator, agg: Aggregate | None, target_id: int) -> None:
        assert agg is not None
        target = sim.aggs.get(target_id)
        if target is None or target.state not in (
            OrderState.REGISTERED,
            OrderState.DISPATCHED,
            OrderState.IN_PROGRESS,
        ):
            Story.dispatch(sim, agg, None)
            return
        actor = sim.story.centre_staff(agg, "dispatcher")
        try:
            closing.merge(sim.ctx(actor), agg, target, "同一事项重复来电")
        except CoreError:  # the target moved on meanwhile: handle this one on its own
            Story.dispatch(sim, agg, None)
            return
        sim.touched.update({agg.id, target.id})

    # --- hops ------------------------------------------------------------------------------

    def hop_arrives(self, sim: Simulator, agg: Aggregate, hop: HopRec) -> None:
        """A hop lands at a unit: it is returned, or signed for, in or out of time."""
        rng = self.rng
        if hop.role == HopRole.ASSIST:
            sim.later(agg, rng.uniform(4, 60), Story.assist_answer, hop.id)
            return
        if rng.random() < self.out["return"] and hop.parent_id is None:
            sim.later(agg, rng.uniform(0.3, 5), Story.return_hop, hop.id)
            return
        accept_limit = next(
            (x for x in agg.open_limits(LimitKind.ACCEPT) if x.hop_id == hop.id), None
        )
        if accept_limit is not None and rng.random() < self.out["accept_late"]:
            sim.at(
                accept_limit.due_at + timedelta(hours=rng.uniform(0.5, 20)),
                Story.accept,
                agg,
                hop.id,
            )
        else:
            sim.later(agg, rng.uniform(0.1, 5), Story.accept, hop.id)

    @staticmethod
    def accept(sim: Simulator, agg: Aggregate | None, hop_id: int) -> None:
        self, rng, org = sim.story, sim.story.rng, sim.story.org
        assert agg is not None
        hop = agg.hop(hop_id)
        if hop.state != HopState.AWAITING:
            return
        receiver = hop.receiver_unit_id
        kids = org.villages_of.get(receiver) or org.grids_of.get(receiver) or []
        share = (
            self.out["pass_down_town"]
            if receiver in org.villages_of
            else self.out["pass_down_village"]
        )
        if kids and rng.random() < share and agg.state != OrderState.PAUSED:
            target = self._child_towards(agg, receiver, kids)
            child = sim.act(
                agg, org.handler[receiver], dispatch.pass_down, hop.id, target, "请属地核实处置"
            )
            if child is not None:
                self.hop_arrives(sim, agg, child)
                return
        if sim.act(agg, org.handler[receiver], dispatch.accept, hop.id) is None:
            return
        if hop.parent_id is not None and rng.random() < self.out["escalate"]:
            sim.later(agg, rng.uniform(2, 30), Story.escalate, hop.id)
        else:
            self.plan_work(sim, agg, hop)

    def _child_towards(self, agg: Aggregate, unit: int, kids: list[int]) -> int:
        grid = self.meta[agg.id]["grid"]
        village = self.org.village_of_grid.get(grid)
        for candidate in (grid, village):
            if candidate in kids:
                return candidate
        return self.rng.choice(kids)

    @staticmethod
    def return_hop(sim: Simulator, agg: Aggregate | None, hop_id: int) -> None:
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        hop = agg.hop(hop_id)
        if (
            sim.act(
                agg,
                self.org.handler[hop.receiver_unit_id],
                dispatch.return_hop,
                hop_id,
                "经核实不属于本单位职责范围",
            )
            is None
        ):
            return
        sim.later(agg, rng.uniform(0.2, 4), Story.decide_return, hop_id)

    @staticmethod
    def decide_return(sim: Simulator, agg: Aggregate | None, hop_id: int) -> None:
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        hop = agg.hop(hop_id)
        if hop.state != HopState.RETURNED:
            return
        staff = self.centre_staff(agg, "dispatcher")
        if rng.random() < self.out["reject_return"]:
            if (
                sim.act(agg, staff, dispatch.reject_return, hop_id, "属于你单位职责，请签收办理")
                is not None
            ):
                sim.later(agg, rng.uniform(0.2, 4), Story.accept, hop_id)
            return
        if sim.act(agg, staff, dispatch.accept_return, hop_id) is None:
            return
        lead = self.route(agg)
        if lead == hop.receiver_unit_id:
            lead = self.elsewhere(agg, lead)
        hops = sim.act(agg, staff, dispatch.dispatch, lead, [])
        for new in hops or []:
            self.hop_arrives(sim, agg, new)

    @staticmethod
    def escalate(sim: Simulator, agg: Aggregate | None, hop_id: int) -> None:
        self = sim.story
        assert agg is not None
        hop = agg.hop(hop_id)
        if hop.state != HopState.IN_PROGRESS or agg.holder() is not hop:
            return
        if (
            sim.act(
                agg,
                self.org.handler[hop.receiver_unit_id],
                dispatch.escalate,
                hop_id,
                "涉及多方权属，本级无法协调",
            )
            is None
        ):
            return
        holder = agg.holder()
        if holder is not None:
            self.plan_work(sim, agg, holder)
        else:
            sim.later(agg, self.rng.uniform(0.5, 4), Story.dispatch)

    # --- working it ------------------------------------------------------------------------

    def plan_work(self, sim: Simulator, agg: Aggregate, hop: HopRec) -> None:
        """When the handler will finish, early or late against the resolve limit."""
        rng = self.rng
        resolve = agg.open_limits(LimitKind.RESOLVE)
        due = resolve[-1].due_at if resolve else sim.now + timedelta(days=5)
        span = max((due - sim.now).total_seconds() / 3600, 2.0)
        late = rng.random() < self.out["resolve_late"]
        fraction = rng.uniform(1.03, 1.8) if late else rng.betavariate(2.2, 2.6) * 0.92 + 0.03
        finish = sim.now + timedelta(hours=span * fraction)
        if rng.random() < self.out["pause"]:
            sim.later(agg, rng.uniform(4, 48), Story.pause, (hop.id, finish))
            return
        if late and rng.random() < self.out["extension"] / self.out["resolve_late"]:
            sim.at(
                max(sim.now, due - timedelta(hours=rng.uniform(6, 30))),
                Story.extend,
                agg,
                (hop.id, finish),
            )
        if late and rng.random() < self.out["supervise_overdue"]:
            sim.at(due + timedelta(hours=rng.uniform(4, 40)), Story.supervise, agg, "yellow")
        sim.at(finish, Story.finish, agg, hop.id)

    @staticmethod
    def pause(sim: Simulator, agg: Aggregate | None, data: tuple[int, datetime]) -> None:
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        hop_id, finish = data
        hop = agg.hop(hop_id)
        if (
            sim.act(
                agg,
                self.org.handler[hop.receiver_unit_id],
                handling.request_pause,
                "当事人诉讼中，待法院判决",
            )
            is None
        ):
            sim.at(finish, Story.finish, agg, hop_id)
            return
        days = rng.uniform(5, 25)
        sim.later(
            agg,
            rng.uniform(2, 20),
            Story.decide_pause,
            (hop_id, finish + timedelta(days=days), days),
        )

    @staticmethod
    def decide_pause(
        sim: Simulator, agg: Aggregate | None, data: tuple[int, datetime, float]
    ) -> None:
        self = sim.story
        assert agg is not None
        hop_id, finish, days = data
        if (
            sim.act(
                agg, self.centre_staff(agg, "supervisor"), handling.decide_pause, True, "同意挂账"
            )
            is None
        ):
            sim.at(finish, Story.finish, agg, hop_id)
            return
        sim.at(sim.now + timedelta(days=days), Story.resume, agg, (hop_id, finish))

    @staticmethod
    def resume(sim: Simulator, agg: Aggregate | None, data: tuple[int, datetime]) -> None:
        assert agg is not None
        hop_id, finish = data
        sim.act(
            agg, sim.story.centre_staff(agg, "supervisor"), handling.resume, "判决已下达，恢复办理"
        )
        sim.at(max(finish, sim.now + timedelta(hours=4)), Story.finish, agg, hop_id)

    @staticmethod
    def extend(sim: Simulator, agg: Aggregate | None, _data: Any) -> None:
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        holder = agg.holder()
        if holder is None or agg.state != OrderState.IN_PROGRESS or agg.order.pending_request:
            return
        days = rng.randint(3, 10)
        if (
            sim.act(
                agg,
                self.org.handler[holder.receiver_unit_id],
                handling.request_extension,
                days,
                "需协调多部门，申请延期",
            )
            is None
        ):
            return
        approve = rng.random() < self.out["extension_approved"]
        sim.later(agg, rng.uniform(1, 12), Story.decide_extension, approve)

    @staticmethod
    def decide_extension(sim: Simulator, agg: Aggregate | None, approve: bool) -> None:
        assert agg is not None
        if (agg.order.pending_request or {}).get("type") != "extension":
            return
        sim.act(
            agg,
            sim.story.centre_staff(agg, "supervisor"),
            handling.decide_extension,
            approve,
            "同意延期" if approve else "理由不充分",
        )

    @staticmethod
    def supervise(sim: Simulator, agg: Aggregate | None, level: str) -> None:
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        if agg.state not in (OrderState.DISPATCHED, OrderState.IN_PROGRESS, OrderState.PAUSED):
            return
        sim.act(
            agg,
            self.centre_staff(agg, "supervisor"),
            closing.supervise,
            level,
            "已超期，请加快办理并反馈",
        )
        if level == "yellow" and rng.random() < self.out["supervise_red"]:
            sim.later(agg, rng.uniform(24, 96), Story.supervise, "red")

    @staticmethod
    def assist_answer(sim: Simulator, agg: Aggregate | None, hop_id: int) -> None:
        assert agg is not None
        hop = agg.hop(hop_id)
        if agg.state == OrderState.PAUSED:  # nothing moves while the order is paused
            sim.later(agg, sim.story.rng.uniform(24, 72), Story.assist_answer, hop_id)
            return
        if hop.state in (HopState.AWAITING, HopState.IN_PROGRESS):
            sim.act(
                agg,
                sim.story.org.handler[hop.receiver_unit_id],
                handling.answer_assist,
                hop_id,
                "已按职责配合处置，意见如下：情况属实，已督促整改。",
            )

    @staticmethod
    def finish(sim: Simulator, agg: Aggregate | None, hop_id: int) -> None:
        """The handler submits; the result then climbs the chain one hop at a time."""
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        hop = agg.hop(hop_id)
        if (
            agg.state == OrderState.PAUSED
            or hop.state != HopState.IN_PROGRESS
            or agg.holder() is not hop
        ):
            return
        waiting = [
            h
            for h in agg.hops
            if h.role == HopRole.ASSIST and h.state in (HopState.AWAITING, HopState.IN_PROGRESS)
        ]
        if waiting:
            sim.later(agg, rng.uniform(4, 24), Story.finish, hop_id)
            return
        text = self.result_text(agg)
        if (
            sim.act(
                agg, self.org.handler[hop.receiver_unit_id], handling.submit_result, hop_id, text
            )
            is None
        ):
            return
        if hop.parent_id is not None:
            sim.later(agg, rng.uniform(0.5, 6), Story.finish, hop.parent_id)
        else:
            sim.later(agg, rng.uniform(1, 20), Story.review)

    def result_text(self, agg: Aggregate) -> str:
        return f"经现场核查，{self.meta[agg.id]['cat'].name}问题已处理完毕，已向诉求人反馈。"

    # --- review and visit ------------------------------------------------------------------

    @staticmethod
    def review(sim: Simulator, agg: Aggregate | None, _: Any) -> None:
        self, rng = sim.story, sim.story.rng
        assert agg is not None
        staff = self.centre_staff(agg, "supervisor")
        if rng.random() < self.out["rework"]:
            if (
                sim.act(
                    agg, staff, closing.review, False, "处置结果不完整，请补充现场照片后重新办理"
                )
                is not None
            ):
                holder = agg.holder()
                if holder is not None:
                    sim.later(agg, rng.uniform(8, 60), Story.finish, holder.id)
            return
        if sim.act(agg, staff, closing.review, True, None) is not None:
            sim.later(agg, rng.uniform(2, 40), Story.visit)

    @staticmethod
    def visit(sim: Simulator, agg: Aggregate | None, _: Any) -> None:
        self, rng, out = sim.story, sim.story.rng, sim.story.out
        assert agg is not None
        if agg.state != OrderState.PENDING_VISIT:
            return
        if agg.order.phone is None or rng.random() < out["unreachable"]:
            result = VisitResult.UNREACHABLE
        else:
            roll = rng.random()
            unsatisfied = out["unsatisfied"] / (
                1 + self.meta.get(agg.id, {}).get("reopened", 0) * 3
            )
            if roll < unsatisfied:
                result = VisitResult.UNSATISFIED
            elif roll < unsatisfied + out["basically_satisfied"]:
                result = VisitResult.BASICALLY_SATISFIED
            else:
                result = VisitResult.SATISFIED
        if (
            sim.act(
                agg, self.centre_staff(agg, "supervisor"), closing.visit, result.value, "回访记录"
            )
            is None
        ):
            return
        if agg.state == OrderState.PENDING_VISIT:
            sim.later(agg, rng.uniform(20, 30), Story.visit)
        elif agg.state == OrderState.REGISTERED:  # reopened (重办) after an unsatisfied visit
            self.meta.setdefault(agg.id, {})["reopened"] = (
                self.meta.get(agg.id, {}).get("reopened", 0) + 1
            )
            sim.later(agg, rng.uniform(0.5, 6), Story.dispatch)
