"""Dispatch-panel queues: one order followed through its life, as the centre and as each
handling unit sees it; warning and overdue filters; search; sort; counts."""

from __future__ import annotations

from datetime import timedelta

from core.clock import ManualClock
from core.domain.actor import Actor
from core.queues import Panel, PanelKind, Queue, QueueQuery, Sla, Sort, counts, page, scope_of
from core.service import OrderService
from core.storage.db import read_tx
from tests.core.county import County
from tests.core.test_queries import draft


def where(svc: OrderService, actor: Actor, order_id: int) -> set[tuple[str, str]]:
    """Every (panel, queue) of the actor's scope that lists the order."""
    org = svc.store.reference().org
    scope = scope_of(actor, org)
    found = set()
    with read_tx(svc.store.engine) as conn:
        now = svc.store.clock.now()
        for panel in scope.panels:
            for queue in Queue:
                rows = page(conn, actor, org, QueueQuery(panel, queue), now, scope=scope)
                if any(r.id == order_id for r in rows):
                    found.add((panel.kind.value, queue.value))
    return found


def test_panels_follow_roles(svc: OrderService, actors: dict[str, Actor]) -> None:
    org = svc.store.reference().org

    def kinds(name: str) -> list[str]:
        return [p.kind.value for p in scope_of(actors[name], org).panels]

    assert kinds("duty") == ["county", "town", "village"]
    assert kinds("town1_duty") == ["town", "village"]  # a town's centre and handler
    assert kinds("h_town1") == ["town", "village"]
    assert kinds("h_town1v1") == ["village"]
    assert kinds("h_police") == ["county"]
    assert kinds("wall") == []


def test_one_life_through_the_queues(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    a, u = actors, county.units
    oid = svc.register(a["duty"], draft("town1v1g1")).order_id
    assert where(svc, a["duty"], oid) == {("town", "dispatch")}  # planned tier 2
    assert where(svc, a["h_town1"], oid) == set()

    top = svc.dispatch(a["dispatcher"], oid, u["town1"]).value[0]
    assert where(svc, a["duty"], oid) == {("town", "accept")}
    assert where(svc, a["h_town1"], oid) == {("town", "accept")}

    svc.return_hop(a["h_town1"], oid, top, "不属于本镇")
    assert where(svc, a["duty"], oid) == {("town", "dispatch")}  # back with the centre
    assert where(svc, a["h_town1"], oid) == set()
    svc.reject_return(a["dispatcher"], oid, top, "属于本镇辖区")
    assert where(svc, a["h_town1"], oid) == {("town", "accept")}

    child = svc.pass_down(a["h_town1"], oid, top, u["town1v1"]).value
    assert where(svc, a["h_town1"], oid) == {("village", "accept")}
    assert where(svc, a["h_town1v1"], oid) == {("village", "accept")}
    svc.return_hop(a["h_town1v1"], oid, child, "非本村")
    assert where(svc, a["h_town1"], oid) == {("town", "dispatch")}  # the town decides
    svc.reject_return(a["h_town1"], oid, child, "就在本村")
    svc.accept(a["h_town1v1"], oid, child)
    assert where(svc, a["h_town1v1"], oid) == {("village", "progress")}
    assert where(svc, a["duty"], oid) == {("village", "progress")}

    svc.submit_result(a["h_town1v1"], oid, child, "已修复")
    assert where(svc, a["h_town1"], oid) == {("town", "review")}  # the village's answer
    assert where(svc, a["h_town1v1"], oid) == set()
    svc.submit_result(a["h_town1"], oid, top, "已修复，经核实")
    assert where(svc, a["duty"], oid) == {("town", "review")}
    assert where(svc, a["h_town1"], oid) == set()
    svc.review(a["supervisor"], oid, True)
    assert where(svc, a["supervisor"], oid) == {("town", "visit")}
    svc.visit(a["supervisor"], oid, "satisfied")
    assert where(svc, a["duty"], oid) == set()


def test_an_assisting_unit_sees_its_own_part(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    a, u = actors, county.units
    oid = svc.register(a["duty"], draft("town1v1g1")).order_id
    svc.dispatch(a["dispatcher"], oid, u["town1"], [u["police"]])
    assert where(svc, a["h_police"], oid) == {("county", "accept")}
    assist = next(h for h in svc.load(a["duty"], oid).hops if not h.is_lead)
    svc.accept(a["h_police"], oid, assist.id)
    assert where(svc, a["h_police"], oid) == {("county", "progress")}
    svc.answer_assist(a["h_police"], oid, assist.id, "已配合")
    assert where(svc, a["h_police"], oid) == set()


def test_sla_filters_search_sort_and_counts(
    svc: OrderService, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    a, u = actors, county.units
    late = svc.register(a["duty"], draft("town1v1g1", description="井盖缺失")).order_id
    clock.advance(days=1)
    fresh = svc.register(a["duty"], draft("town1v1g2", description="噪音扰民")).order_id
    for oid in (late, fresh):
        svc.dispatch(a["dispatcher"], oid, u["town1"])
    org = svc.store.reference().org
    town = Panel(PanelKind.TOWN, 2)
    duty = a["duty"]

    def ids(q: QueueQuery, at: timedelta = timedelta()) -> list[int]:
        with read_tx(svc.store.engine) as conn:
            now = svc.store.clock.now() + at
            return [r.id for r in page(conn, duty, org, q, now)]

    accept = QueueQuery(town, Queue.ACCEPT)
    with read_tx(svc.store.engine) as conn:
        rows = page(conn, duty, org, accept, svc.store.clock.now())
    assert rows[0].due_at is not None and rows[1].due_at is not None
    assert rows[0].due_at < rows[1].due_at
    assert [r.id for r in rows] == [late, fresh]  # the earlier deadline first
    assert ids(QueueQuery(town, Queue.ACCEPT, descending=True)) == [fresh, late]
    assert ids(QueueQuery(town, Queue.ACCEPT, sort=Sort.REGISTERED, descending=True)) == [
        fresh,
        late,
    ]
    assert ids(QueueQuery(town, Queue.ACCEPT, text="井盖")) == [late]
    number = svc.load(duty, fresh).order.number
    assert ids(QueueQuery(town, Queue.ACCEPT, text=number)) == [fresh]
    assert ids(QueueQuery(town, Queue.ACCEPT, sla=Sla.OVERDUE)) == []

    due_late = rows[0].due_at
    # Between the two deadlines: the first is overdue, the second may be warned.
    between = due_late - svc.store.clock.now() + timedelta(minutes=1)
    assert ids(QueueQuery(town, Queue.ACCEPT, sla=Sla.OVERDUE), between) == [late]
    with read_tx(svc.store.engine) as conn:
        now = svc.store.clock.now() + between
        got = counts(conn, duty, org, now)
        row = page(conn, duty, org, accept, now)[0]
    assert row.overdue and not row.warning
    assert got[(PanelKind.TOWN, Queue.ACCEPT)].total == 2
    assert got[(PanelKind.TOWN, Queue.ACCEPT)].overdue == 1
    assert (PanelKind.COUNTY, Queue.ACCEPT) not in got


def test_a_town_user_sees_nothing_of_another_town(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    a, u = actors, county.units
    oid = svc.register(a["duty"], draft("town2v1g1")).order_id
    svc.dispatch(a["dispatcher"], oid, u["town2"])
    assert where(svc, a["h_town1"], oid) == set()
    assert where(svc, a["h_town2"], oid) == {("town", "accept")}
    org = svc.store.reference().org
    with read_tx(svc.store.engine) as conn:
        got = counts(conn, a["h_town1"], org, svc.store.clock.now())
    assert got == {}
