"""The units an operation may send an order to: the centre's dispatch (after an
escalation only a higher tier), a pass-down to the hop's own children, a reassignment
among the sender's units, an assisting unit not already on the order. These restate
``core.workflow.dispatch``'s target checks as lists a screen can offer.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.domain.enums import HopState, UnitKind
from core.org import OrgDirectory, Unit, is_within
from core.workflow.model import Aggregate, HopRec


def _path_key(unit: Unit) -> tuple[int, ...]:
    return tuple(int(p) for p in unit.path.strip("/").split("/") if p)


def _sorted(units: Iterable[Unit]) -> list[Unit]:
    return sorted(units, key=_path_key)


def _below(org: OrgDirectory, scope: Unit) -> list[Unit]:
    """What ``dispatch._target`` accepts: active units under ``scope``, not itself."""
    return [u for u in org.all() if u.active and u.id != scope.id and is_within(u.path, scope.path)]


def _floor(org: OrgDirectory, agg: Aggregate, centre: Unit) -> int | None:
    floor = agg.order.escalated_from_level
    if floor is None or floor <= org.top_level_below(centre.id):
        return None
    return floor


def dispatch_targets(org: OrgDirectory, agg: Aggregate, lead: bool) -> list[Unit]:
    centre = org.get(agg.order.centre_unit_id)
    units = _below(org, centre)
    floor = _floor(org, agg, centre) if lead else None
    if floor is not None:
        units = [u for u in units if u.level < floor]
    return _sorted(units)


def pass_down_targets(org: OrgDirectory, hop: HopRec) -> list[Unit]:
    return _sorted(
        u for u in org.children(hop.receiver_unit_id) if u.active and u.kind != UnitKind.DEPARTMENT
    )


def _live_receivers(agg: Aggregate) -> set[int]:
    working = (HopState.AWAITING, HopState.IN_PROGRESS, HopState.DELEGATED)
    return {h.receiver_unit_id for h in agg.hops if h.state in working}


def parent_hop(agg: Aggregate, hop: HopRec) -> HopRec | None:
    return agg.hop(hop.parent_id) if hop.parent_id is not None else None


def reassign_targets(org: OrgDirectory, agg: Aggregate, hop: HopRec) -> list[Unit]:
    parent = parent_hop(agg, hop)
    if parent is None or not hop.is_lead:
        scope = org.get(parent.receiver_unit_id if parent else agg.order.centre_unit_id)
        units = _below(org, scope)
    else:
        units = [u for u in org.children(parent.receiver_unit_id) if u.active]
    units = [u for u in units if u.id != hop.receiver_unit_id]
    if not hop.is_lead:
        live = _live_receivers(agg)
        units = [u for u in units if u.id not in live]
    if hop.is_lead and parent is None:
        floor = _floor(org, agg, org.get(agg.order.centre_unit_id))
        if floor is not None:
            units = [u for u in units if u.level < floor]
    return _sorted(units)


def assist_targets(org: OrgDirectory, agg: Aggregate, hop: HopRec | None) -> list[Unit]:
    scope = org.get(hop.receiver_unit_id if hop else agg.order.centre_unit_id)
    live = _live_receivers(agg)
    return _sorted(u for u in _below(org, scope) if u.id not in live)


def on_the_way(org: OrgDirectory, agg: Aggregate, units: Iterable[Unit]) -> Unit | None:
    """Of ``units``, the one on the way to the order's location (its town or village):
    the choice a unit picker starts at."""
    path = {u.id for u in org.ancestors(agg.order.location_unit_id)}
    return next((u for u in units if u.id in path), None)
