"""Scoring trainees after a drill (演练评分): one ``TraineeScore`` per trainee and a team
summary of every scripted inject beside what happened to it. Plain values, no sentences:
``core.drill.score_export`` and the PDF renderer add the words.

Everything is read **as of** ``at`` (default: when the drill was stopped, else the store
clock's now): events, dispatches,
decisions and limit endings after ``at`` have not happened yet. Durations are seconds.

**Trainees** are the users who acted in the drill by ``at``: the actor of any order event
(dispatched, accepted, submitted …), of a feed decision (``feed_decided``) or of an
early-warning alert step (``alert_acknowledged``, ``alert_closed``). Not acting: the
service process (no actor), the inject runner's notices (``drill_inject``,
``drill_situation``), and ``registered`` on an order that came from outside
(``external_source`` set: an inject, a replayed or imported row): the script registered
it, not a trainee. A trainee taking a call of their own at intake (no external source)
does act.

**Time to dispatch.** For each order dispatched by ``at``, its first ``dispatched`` event
and that event's actor: the seconds from the order's origin to it. The origin is the
inject's fired time (the ``drill_fired`` ledger) for an order keyed ``("drill", inject
id)``, else the order's ``registered_at``. Per trainee: the count, median and max over
the orders they dispatched first (None when none).

**Time limits met.** A trainee's limits are the hop limits (accept, assist) of every hop
received by the trainee's unit or dispatched by the trainee, and the order limits
(handout, resolve) of every order with such a hop. Of these, a limit ended by ``at``
counts as met unless ``ended_overdue``; a limit still open at ``at`` counts as missed
when it is already past due (a paused limit only when it was past due when paused, as
``core.workflow.model.lim_overdue`` says) and is left out otherwise. The share is met /
counted (None when nothing counted).

**Alerts.** Early-warning alerts acknowledged by the trainee (``alerts.acknowledged_by``)
by ``at``, with the seconds from raised to acknowledged; and the feed items (the drill's
IoT and video injects, or any machine feed) the trainee decided by ``at``: confirmed or
dismissed, the seconds from arrival (the fired time for an inject, else received_at) to
the decision, and, for a scripted item, whether the decision matched ``expect.dismiss``.

**Missed items** belong to the team. A scripted inject is missed at ``at`` when:
an order inject was never dispatched by ``at`` and its ``expect.within`` (if any) has
run out (``not_dispatched``), or its first dispatch came after ``within`` (``late``);
an alert inject was never decided by ``at`` (``not_decided``). An inject whose within
has not run out yet is ``pending``; one refused by intake or never fired is not missed
(``refused``, ``not_fired``). The database keeps no duty roster, so a miss is
attributed to the trainees **on duty for its channel** as the drill shows them: for an
order, those who dispatched any order of the same centre unit (the same dispatch queue);
for an alert, those who decided any feed item. When nobody did, to nobody.

**Routing accuracy.** For each scripted inject with an expected level (an order inject,
or an alert confirmed into an order) that the trainee dispatched first: correct when the
first dispatch's lead unit is at ``expect.level`` and, when ``expect.unit`` is given, is
that unit. correct / total, with each miss listed. With no scenario (a replay), or when
the trainee dispatched no scripted order, routing is not scored: ``None``.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from core.domain.events import EventKind
from core.drill.database import require_drill
from core.drill.inject import DRILL_SOURCE, FIRED_KEY, stopped_at
from core.drill.scenario import Inject, Scenario
from core.errors import CoreError
from core.org import OrgDirectory
from core.storage.db import read_tx
from core.storage.schema import alerts, events, feed_items, hops, orders, settings, time_limits
from core.storage.schema import users as users_table
from core.store import Store

NOT_ACTING = frozenset(
    {
        EventKind.DRILL_INJECT.value,
        EventKind.DRILL_SITUATION.value,
        EventKind.FEED_RECEIVED.value,
        EventKind.ALERT_RAISED.value,
        EventKind.LIMIT_WARNED.value,
        EventKind.LIMIT_OVERDUE.value,
    }
)
HOP_LIMITS = ("accept", "assist")


@dataclass(frozen=True)
class Dispatch:
    """An order a trainee dispatched first: ``inject`` its inject id (None unscripted)."""

    order_number: str
    inject: str | None
    seconds: float


@dataclass(frozen=True)
class AlertAck:
    alert_id: int
    title: str
    seconds: float


@dataclass(frozen=True)
class FeedDecision:
    """``expected_dismiss`` None: not scripted, so ``correct`` is None too."""

    item_id: int
    inject: str | None
    title: str
    status: str  # confirmed | dismissed
    seconds: float
    expected_dismiss: bool | None
    correct: bool | None


@dataclass(frozen=True)
class RoutingMiss:
    inject: str
    expected_level: int | None
    expected_unit: str | None
    got_level: int
    got_unit: str


@dataclass(frozen=True)
class Routing:
    correct: int
    total: int
    misses: tuple[RoutingMiss, ...]

    @property
    def share(self) -> float:
        return self.correct / self.total


@dataclass(frozen=True)
class TraineeScore:
    user_id: int
    username: str
    display_name: str
    unit_code: str
    unit_name: str
    actions: tuple[tuple[str, int], ...]  # (event kind, count), by kind
    dispatches: tuple[Dispatch, ...]
    dispatch_median: float | None
    dispatch_max: float | None
    limits_counted: int
    limits_met: int
    alerts_acknowledged: tuple[AlertAck, ...]
    feed_decisions: tuple[FeedDecision, ...]
    routing: Routing | None  # None: not scored (no expected handling)
    missed: tuple[str, ...]  # inject ids attributed to this trainee

    @property
    def limits_share(self) -> float | None:
        return self.limits_met / self.limits_counted if self.limits_counted else None

    @property
    def feed_correct(self) -> int:
        return sum(1 for d in self.feed_decisions if d.correct)

    @property
    def feed_scored(self) -> int:
        return sum(1 for d in self.feed_decisions if d.correct is not None)


@dataclass(frozen=True)
class InjectOutcome:
    """One scripted inject: what was expected beside what happened (status: see the
    module docstring; ``dispatched``/``decided`` when handled in time)."""

    inject: str
    kind: str
    offset: float  # seconds after the drill's start
    fired_at: datetime | None
    expected_level: int | None
    expected_unit: str | None
    expected_within: float | None
    expected_dismiss: bool
    status: str
    order_number: str | None = None
    dispatched_at: datetime | None = None
    seconds_to_dispatch: float | None = None
    dispatched_by: str | None = None  # display name
    got_level: int | None = None
    got_unit: str | None = None
    routing_ok: bool | None = None
    feed_status: str | None = None  # pending confirmed dismissed registered
    decided_by: str | None = None
    attributed: tuple[str, ...] = ()  # usernames a miss is attributed to


MISSED = ("not_dispatched", "late", "not_decided")


@dataclass(frozen=True)
class DrillScore:
    scenario_id: str | None
    scenario_title: str | None
    start: datetime | None  # from the drill_fired ledger (None: no scenario ran)
    at: datetime
    tz: str  # the county's zone, for reports
    scored: bool  # routing scored (a scenario with expectations was given)
    trainees: tuple[TraineeScore, ...]  # by display name
    injects: tuple[InjectOutcome, ...]  # in firing order
    unit_names: Mapping[str, str] = field(default_factory=dict)  # unit code -> name

    def unit_name(self, code: str | None) -> str:
        """A unit's name for reports (its code when unknown; "" for none)."""
        return self.unit_names.get(code, code) if code else ""

    @property
    def missed(self) -> tuple[InjectOutcome, ...]:
        return tuple(i for i in self.injects if i.status in MISSED)


# --- reading -------------------------------------------------------------------------------


def _rows(conn: Connection, q: Any) -> list[Any]:
    return list(conn.execute(q))


def _ledger(conn: Connection) -> dict[str, Any]:
    value = conn.execute(select(settings.c.value).where(settings.c.key == FIRED_KEY)).scalar()
    return value if isinstance(value, dict) else {"scenario": None, "start": None, "fired": {}}


def _overdue_open(lim: Any, at: datetime) -> bool:
    if lim.paused_at is not None:
        return bool(lim.due_at < lim.paused_at)
    return bool(lim.due_at < at)


def score_drill(
    store: Store, scenario: Scenario | None = None, *, at: datetime | None = None
) -> DrillScore:
    """Score every trainee of the drill in ``store`` (a drill database only) as of ``at``
    against ``scenario``'s expected handling (None: a replay, routing not scored)."""
    require_drill(store)
    at = at or stopped_at(store) or store.clock.now()
    ref = store.reference()
    org = ref.org
    with read_tx(store.engine) as conn:
        ledger = _ledger(conn)
        people = {r.id: r for r in _rows(conn, select(users_table))}
        order_rows = _rows(conn, select(orders).where(orders.c.registered_at <= at))
        event_rows = _rows(
            conn,
            select(events.c.id, events.c.order_id, events.c.hop_id, events.c.kind)
            .add_columns(events.c.actor_user_id, events.c.at)
            .where(events.c.at <= at, events.c.actor_user_id.is_not(None))
            .order_by(events.c.at, events.c.id),
        )
        hop_rows = _rows(conn, select(hops).where(hops.c.dispatched_at <= at))
        limit_rows = _rows(conn, select(time_limits).where(time_limits.c.start_at <= at))
        items = _rows(conn, select(feed_items).where(feed_items.c.received_at <= at))
        alert_rows = _rows(conn, select(alerts).where(alerts.c.raised_at <= at))
    if scenario is not None and ledger.get("scenario") not in (None, scenario.id):
        raise CoreError(
            "drill_scenario_mismatch", stored=ledger.get("scenario"), scenario=scenario.id
        )
    fired = {k: datetime.fromisoformat(v) for k, v in (ledger.get("fired") or {}).items()}
    fired = {k: v for k, v in fired.items() if v <= at}
    by_id = {o.id: o for o in order_rows}
    hop_by_id = {h.id: h for h in hop_rows}

    def scripted(o: Any) -> str | None:
        return str(o.external_ref) if o.external_source == DRILL_SOURCE else None

    # who acted, and how often
    acts: dict[int, Counter[str]] = defaultdict(Counter)
    first_dispatch: dict[int, Any] = {}
    for e in event_rows:
        if e.kind in NOT_ACTING:
            continue
        o = by_id.get(e.order_id) if e.order_id is not None else None
        if e.kind == EventKind.REGISTERED.value and o is not None and o.external_source:
            continue
        acts[e.actor_user_id][e.kind] += 1
        if e.kind == EventKind.DISPATCHED.value and o is not None:
            first_dispatch.setdefault(o.id, e)
    for it in items:
        if it.decided_by is not None and it.decided_at is not None and it.decided_at <= at:
            acts.setdefault(it.decided_by, Counter())  # acted, even without its notice
    for a in alert_rows:
        if a.acknowledged_by is not None and a.acknowledged_at <= at:
            acts.setdefault(a.acknowledged_by, Counter())

    def origin(o: Any) -> datetime:
        ref_id = scripted(o)
        when: datetime = o.registered_at
        return fired.get(ref_id, when) if ref_id else when

    injects = {j.id: j for j in scenario.injects} if scenario is not None else {}

    # first dispatches: time, target, routing
    dispatched: dict[int, list[Dispatch]] = defaultdict(list)
    routing: dict[int, list[tuple[bool, RoutingMiss | None]]] = defaultdict(list)
    for order_id, e in first_dispatch.items():
        o = by_id[order_id]
        ref_id = scripted(o)
        seconds = (e.at - origin(o)).total_seconds()
        dispatched[e.actor_user_id].append(Dispatch(o.number, ref_id, seconds))
        j = injects.get(ref_id) if ref_id else None
        if j is not None and j.expect.level is not None and e.hop_id in hop_by_id:
            unit = org.get(hop_by_id[e.hop_id].receiver_unit_id)
            ok = _routed(j, unit.level, unit.code)
            miss = RoutingMiss(j.id, j.expect.level, j.expect.unit, unit.level, unit.code)
            routing[e.actor_user_id].append((ok, None if ok else miss))

    limits = _limits_by_user(acts, people, hop_rows, limit_rows, at)
    decisions = _decisions(items, injects, fired, at)
    acks: dict[int, list[AlertAck]] = defaultdict(list)
    for a in alert_rows:
        if a.acknowledged_by is not None and a.acknowledged_at <= at:
            secs = (a.acknowledged_at - a.raised_at).total_seconds()
            acks[a.acknowledged_by].append(AlertAck(a.id, a.title, secs))

    outcomes = (
        _outcomes(scenario, fired, at, order_rows, first_dispatch, hop_by_id, items, people, org)
        if scenario is not None
        else []
    )
    outcomes = _attribute(outcomes, order_rows, first_dispatch, decisions, people)
    trainees = []
    for uid in acts:
        person = people[uid]
        unit = org.get(person.unit_id)
        times = [d.seconds for d in dispatched[uid]]
        marks = routing.get(uid, [])
        met, counted = limits.get(uid, (0, 0))
        trainees.append(
            TraineeScore(
                user_id=uid,
                username=person.username,
                display_name=person.display_name,
                unit_code=unit.code,
                unit_name=unit.name,
                actions=tuple(sorted(acts[uid].items())),
                dispatches=tuple(dispatched[uid]),
                dispatch_median=float(statistics.median(times)) if times else None,
                dispatch_max=max(times) if times else None,
                limits_counted=counted,
                limits_met=met,
                alerts_acknowledged=tuple(acks[uid]),
                feed_decisions=tuple(decisions[uid]),
                routing=(
                    Routing(
                        sum(ok for ok, _ in marks),
                        len(marks),
                        tuple(m for _, m in marks if m is not None),
                    )
                    if marks
                    else None
                ),
                missed=tuple(
                    i.inject
                    for i in outcomes
                    if i.status in MISSED and person.username in i.attributed
                ),
            )
        )
    trainees.sort(key=lambda t: (t.display_name, t.user_id))
    start = ledger.get("start")
    return DrillScore(
        scenario_id=scenario.id if scenario is not None else ledger.get("scenario"),
        scenario_title=scenario.title if scenario is not None else None,
        start=datetime.fromisoformat(start) if start else None,
        at=at,
        tz=ref.tz.key,
        scored=scenario is not None,
        trainees=tuple(trainees),
        injects=tuple(outcomes),
        unit_names={u.code: u.name for u in org.all()},
    )


def _routed(j: Inject, level: int, code: str) -> bool:
    return level == j.expect.level and (j.expect.unit is None or code == j.expect.unit)


def _limits_by_user(
    acts: Mapping[int, Any],
    people: Mapping[int, Any],
    hop_rows: list[Any],
    limit_rows: list[Any],
    at: datetime,
) -> dict[int, tuple[int, int]]:
    """(met, counted) per trainee, as the module docstring defines them."""
    out: dict[int, tuple[int, int]] = {}
    for uid in acts:
        unit_id = people[uid].unit_id
        mine = {h.id for h in hop_rows if h.receiver_unit_id == unit_id or h.dispatched_by == uid}
        mine_orders = {h.order_id for h in hop_rows if h.id in mine}
        met = counted = 0
        for lim in limit_rows:
            if lim.hop_id is not None:
                if lim.kind not in HOP_LIMITS or lim.hop_id not in mine:
                    continue
            elif lim.order_id not in mine_orders:
                continue
            if lim.ended_at is not None and lim.ended_at <= at:
                counted += 1
                met += not lim.ended_overdue
            elif _overdue_open(lim, at):
                counted += 1
        out[uid] = (met, counted)
    return out


def _decisions(
    items: list[Any], injects: Mapping[str, Inject], fired: Mapping[str, datetime], at: datetime
) -> dict[int, list[FeedDecision]]:
    out: dict[int, list[FeedDecision]] = defaultdict(list)
    for it in items:
        if it.decided_by is None or it.decided_at is None or it.decided_at > at:
            continue
        inject = str(it.source_id) if it.source == DRILL_SOURCE else None
        arrived = fired.get(inject, it.received_at) if inject else it.received_at
        j = injects.get(inject) if inject else None
        expected = j.expect.dismiss if j is not None else None
        dismissed = it.status == "dismissed"
        out[it.decided_by].append(
            FeedDecision(
                it.id,
                inject,
                it.title,
                it.status,
                (it.decided_at - arrived).total_seconds(),
                expected,
                None if expected is None else expected == dismissed,
            )
        )
    return out


def _outcomes(
    scenario: Scenario,
    fired: Mapping[str, datetime],
    at: datetime,
    order_rows: list[Any],
    first_dispatch: Mapping[int, Any],
    hop_by_id: Mapping[int, Any],
    items: list[Any],
    people: Mapping[int, Any],
    org: OrgDirectory,
) -> list[InjectOutcome]:
    by_ref = {str(o.external_ref): o for o in order_rows if o.external_source == DRILL_SOURCE}
    item_by_ref = {str(i.source_id): i for i in items if i.source == DRILL_SOURCE}
    out: list[InjectOutcome] = []
    for j in (e for e in scenario.entries() if isinstance(e, Inject)):
        x = j.expect
        within = x.within.total_seconds() if x.within is not None else None
        base: dict[str, Any] = {
            "inject": j.id,
            "kind": j.kind,
            "offset": j.at.total_seconds(),
            "fired_at": fired.get(j.id),
            "expected_level": x.level,
            "expected_unit": x.unit,
            "expected_within": within,
            "expected_dismiss": x.dismiss,
        }
        when = fired.get(j.id)
        if when is None:
            out.append(InjectOutcome(**base, status="not_fired"))
            continue
        o, item = by_ref.get(j.id), item_by_ref.get(j.id)
        if item is not None:
            decided = item.decided_at is not None and item.decided_at <= at
            base["feed_status"] = item.status if decided else "pending"
            base["decided_by"] = people[item.decided_by].display_name if decided else None
        e = first_dispatch.get(o.id) if o is not None else None
        if o is not None:
            base["order_number"] = o.number
        if e is not None:
            unit = org.get(hop_by_id[e.hop_id].receiver_unit_id) if e.hop_id in hop_by_id else None
            secs = (e.at - when).total_seconds()
            base |= {
                "dispatched_at": e.at,
                "seconds_to_dispatch": secs,
                "dispatched_by": people[e.actor_user_id].display_name,
                "got_level": unit.level if unit else None,
                "got_unit": unit.code if unit else None,
                "routing_ok": _routed(j, unit.level, unit.code)
                if unit is not None and x.level is not None
                else None,
            }
        if j.is_alert:
            if item is None:
                status = "refused"
            elif base["feed_status"] == "pending":
                status = "not_decided"
            else:
                status = "decided"
        elif o is None:
            status = "refused"
        elif e is not None:
            status = "late" if within is not None and secs > within else "dispatched"
        elif within is not None and at - when <= timedelta(seconds=within):
            status = "pending"
        else:
            status = "not_dispatched"
        out.append(InjectOutcome(**base, status=status))
    return out


def _attribute(
    outcomes: list[InjectOutcome],
    order_rows: list[Any],
    first_dispatch: Mapping[int, Any],
    decisions: Mapping[int, list[FeedDecision]],
    people: Mapping[int, Any],
) -> list[InjectOutcome]:
    """Each miss with the usernames on duty for its channel (see the module docstring)."""
    from dataclasses import replace

    centre_of = {
        str(o.external_ref): o.centre_unit_id
        for o in order_rows
        if o.external_source == DRILL_SOURCE
    }
    centre_by_order = {o.id: o.centre_unit_id for o in order_rows}
    on_queue: dict[int, set[str]] = defaultdict(set)
    for order_id, e in first_dispatch.items():
        on_queue[centre_by_order[order_id]].add(people[e.actor_user_id].username)
    deciders = {people[uid].username for uid, d in decisions.items() if d}
    out = []
    for i in outcomes:
        if i.status in MISSED:
            if i.kind in ("iot_alert", "video_alert"):
                who = deciders
            else:
                who = on_queue.get(centre_of.get(i.inject, -1), set())
            i = replace(i, attributed=tuple(sorted(who)))
        out.append(i)
    return out
