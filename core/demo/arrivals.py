"""Arrivals of demo orders: when they come, from whom, where, and about what.

The shares come from resources/demo/config.toml; ``Story`` (story.py) carries each order
on from its first move.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.demo.county import Address, DemoOrg
from core.demo.texts import describe
from core.geo import wgs84_to_gcj02
from core.taxonomy import Category
from core.workflow import intake
from core.workflow.intake import OrderDraft
from core.workflow.model import Aggregate

if TYPE_CHECKING:
    from core.demo.simulate import Simulator


# Channels a person staffs: grid workers patrol, and walk-ins, letters and department
# transfers arrive in office hours.
OFFICE_CHANNELS = frozenset({"grid_patrol", "walk_in", "letter_visit", "department"})


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


class Arrivals:
    """Draws each new order: channel, caller, place, category; then its first move."""

    def __init__(
        self,
        cfg: dict[str, Any],
        org: DemoOrg,
        cats: list[Category],
        rng: random.Random,
        orders: int,
    ):
        self.cfg, self.org, self.rng, self.total = cfg, org, rng, orders
        self.out = cfg["outcomes"]
        self.registered = 0
        leaves = [c for c in cats if c.selectable]
        self.disputes = [c for c in leaves if c.is_dispute]
        self.by_l1: dict[str, list[Category]] = defaultdict(list)
        for c in leaves:
            if not c.is_dispute and not c.code.startswith(
                ("9907", "9908")
            ):  # invalid/hotline-admin
                self.by_l1[c.code[:2]].append(c)
        grids = sorted(org.weight_of_grid)
        self.grids = grids
        self.grid_cum = list(itertools.accumulate(org.weight_of_grid[g] for g in grids))
        self.addresses: dict[int, list[Address]] = defaultdict(list)
        for a in org.addresses:
            self.addresses[a.grid].append(a)
        self.callers: list[tuple[datetime, str, str]] = []  # (when, name, phone) of recent callers
        self.recent: dict[tuple[int, str], list[int]] = defaultdict(
            list
        )  # (grid, category l2) → orders
        self.meta: dict[int, dict[str, Any]] = {}

    # --- arrivals ------------------------------------------------------------------------

    def plan_arrivals(self, sim: Simulator, start: datetime, end: datetime) -> None:
        """How many orders arrive each day; each day's arrivals are drawn when it begins."""
        a = self.cfg["arrivals"]
        tz, cal = sim.ref.tz, sim.ref.calendar
        days = []
        d = start.astimezone(tz).date()
        while d <= end.astimezone(tz).date():
            w = a["weekday"][d.weekday()]
            if not cal.is_working_day(d) and d.weekday() < 5:
                w *= a["holiday"]
            if d.month in (6, 7, 8):
                w *= a["summer"]
            days.append((d, w))
            d += timedelta(days=1)
        per_day = Counter(
            self.rng.choices([x for x, _ in days], weights=[w for _, w in days], k=self.total)
        )
        for day, count in sorted(per_day.items()):
            midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
            sim.at(max(midnight, start), Arrivals.day_begins, None, (midnight, count, start))

    @staticmethod
    def day_begins(
        sim: Simulator, _agg: Aggregate | None, data: tuple[datetime, int, datetime]
    ) -> None:
        """Schedule one day's arrivals: staffed channels come in office hours only."""
        self, rng = sim.story, sim.story.rng
        midnight, count, start = data
        hours = self.cfg["arrivals"]["hour"]
        office = [w if 8 <= h < 18 else 0.0 for h, w in enumerate(hours)]
        for _ in range(count):
            channel = pick(rng, self.cfg["mix"]["channel"])
            profile = office if channel in OFFICE_CHANNELS else hours
            hour = rng.choices(range(24), weights=profile)[0]
            when = midnight + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            if when >= start:
                sim.at(when, Arrivals.arrive, None, channel)

    @staticmethod
    def arrive(sim: Simulator, _agg: Aggregate | None, channel: str) -> None:
        sim.story.register_one(sim, channel)

    def register_one(self, sim: Simulator, channel: str) -> None:
        rng, org, mix = self.rng, self.org, self.cfg["mix"]
        rtype = pick(rng, mix["request_type"])
        dispute = rng.random() < self.out["dispute_share"] and rtype in (
            "help",
            "complaint",
            "report",
        )
        if dispute:
            cat = rng.choice(self.disputes)
        else:
            cat = rng.choice(self.by_l1[pick(rng, mix["category_l1"])])
        grid = self.grids[bisect.bisect(self.grid_cum, rng.uniform(0, self.grid_cum[-1]))]
        addr = rng.choice(self.addresses[grid])
        draft = OrderDraft(
            channel=channel,
            request_type=rtype,
            category_node_id=cat.node_id,
            description=describe(rng, cat, addr.text, rtype),
            urgency=pick(rng, mix["urgency"]),
            address=addr.text,
            location_unit_id=grid,
        )
        self._caller(sim, draft, channel)
        self._place(draft, addr, channel)
        if dispute:
            self._dispute(draft, cat)
        on_spot = rng.random() < self.out["on_spot"][rtype] and channel not in (
            "grid_patrol",
            "video_iot",
        )
        if on_spot:
            draft.answer_on_spot = "已当场答复来电人：" + cat.name + "相关政策及办理渠道。"
        town = org.town_of_village[org.village_of_grid[grid]]
        at_town = (
            channel == "grid_patrol" and rng.random() < self.cfg["orders"]["town_centre_share"]
        )
        actor = org.town_centre[town] if at_town else rng.choice(org.centre["duty"])
        agg = intake.register(sim.ctx(actor), draft)
        self.registered += 1
        sim.adopt(agg)
        self.meta[agg.id] = {"grid": grid, "town": town, "cat": cat, "reopened": 0}
        if not on_spot:
            self.first_move(sim, agg, (grid, cat.code[:4]))

    def first_move(self, sim: Simulator, agg: Aggregate, key: tuple[int, str]) -> None:
        """What happens to a registered order next; ``Story`` decides."""
        raise NotImplementedError

    def _caller(self, sim: Simulator, d: OrderDraft, channel: str) -> None:
        rng = self.rng
        if channel in ("video_iot",):
            d.anonymous = True
            return
        if channel in ("letter_visit", "public_opinion") and rng.random() < 0.6:
            d.caller_name = None if channel == "public_opinion" else self.org_name()
            return
        horizon = sim.now - timedelta(days=30)
        first = bisect.bisect_left(self.callers, (horizon, "", ""))  # callers arrive in time order
        if first > 2000:
            del self.callers[:first]
            first = 0
        if len(self.callers) > first and rng.random() < self.out["repeat_caller"]:
            _, d.caller_name, d.phone = self.callers[rng.randrange(first, len(self.callers))]
            return
        d.caller_name = self.org_name()
        if rng.random() < 0.06:
            d.phone = f"0517-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}"
        else:
            d.phone = f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}"
        self.callers.append((sim.now, d.caller_name, d.phone))

    def org_name(self) -> str:
        from core.demo.names import SURNAMES

        return self.rng.choice(SURNAMES) + self.rng.choice(("先生", "女士", "师傅", "大爷", "阿姨"))

    def _place(self, d: OrderDraft, addr: Address, channel: str) -> None:
        rng = self.rng
        if channel == "letter_visit":
            return  # a letter gives an address, no coordinates
        lon = addr.lon + rng.uniform(-0.0003, 0.0003)
        lat = addr.lat + rng.uniform(-0.0003, 0.0003)
        if channel == "online" and rng.random() < self.out["gcj02_input"]:
            lon, lat = wgs84_to_gcj02(lon, lat)
            d.coord_system = "gcj02"
        d.lon, d.lat = lon, lat
        d.location_unit_id = None  # the grid comes from the point, as at a real map pick

    def _dispute(self, d: OrderDraft, cat: Category) -> None:
        rng = self.rng
        d.risk_grade = pick(rng, self.cfg["mix"]["risk_grade"])
        d.dispute_type = cat.name
        d.parties = [
            {"name": self.org_name().rstrip("先生女士师傅大爷阿姨") + "某", "role": "申请人"},
            {"name": self.org_name().rstrip("先生女士师傅大爷阿姨") + "某", "role": "被申请人"},
        ]
        if d.risk_grade in ("red", "orange"):
            d.leader_responsible = "县领导" + self.org_name()[:1] + "某"
        if rng.random() < self.out["hard_dispute_share"]:
            d.limit_class = "hard_dispute"

    def forget(self, agg: Aggregate) -> None:
        self.meta.pop(agg.id, None)
