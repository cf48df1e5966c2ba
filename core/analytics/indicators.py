"""The indicators, vectorised over the cohort frames (see frames.py).

Each function below returns one row per member of its cohort (an order, a hop, an event
or a call), keyed by order id (hops: by group), with ``num`` = 1 when the member counts in
the numerator and ``den`` = 1 (rates; counts have no ``den``). Rows are summed per group.
The definitions are the ones in resources/analytics/indicators.toml; keep the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from core.analytics.rules import COUNTS, Rules
from core.domain.enums import OrderState, SupervisionLevel, VisitResult
from core.domain.events import EventKind

if TYPE_CHECKING:
    import pandas as pd

NOT_INTAKE = (OrderState.VOIDED.value, OrderState.MERGED.value)
NOT_CLOSABLE = (OrderState.VOIDED.value, OrderState.MERGED.value, OrderState.TRANSFERRED.value)


@dataclass(frozen=True)
class Measure:
    """One indicator for one group. ``denominator`` is None for counts."""

    numerator: int
    denominator: int | None

    @property
    def value(self) -> float | None:
        if self.denominator is None:
            return float(self.numerator)
        return self.numerator / self.denominator if self.denominator else None


def empty_measure(name: str) -> Measure:
    return Measure(0, None if name in COUNTS else 0)


def naive(instant: datetime) -> pd.Timestamp:
    import pandas as pd

    return pd.Timestamp(instant.astimezone(UTC).replace(tzinfo=None))


def times(col: pd.Series) -> pd.Series:
    """Raw driver times (SQLite text or naive datetimes) as naive UTC datetime64."""
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(col):
        return col
    return pd.to_datetime(col, format="ISO8601") if len(col) else col.astype("datetime64[us]")


def _bool(col: pd.Series) -> pd.Series:
    return col.fillna(0).astype(int).astype(bool)


def _rate(key: pd.Series, num: pd.Series) -> pd.DataFrame:
    """One row per cohort member: ``num`` 1 when it counts in the numerator."""
    import pandas as pd

    return pd.DataFrame({"key": key.to_numpy(), "num": num.astype(int).to_numpy(), "den": 1})


def _count(key: pd.Series) -> pd.DataFrame:
    """One row per counted item (no denominator)."""
    import pandas as pd

    return pd.DataFrame({"key": key.to_numpy(), "num": 1})


def _open_overdue(due: pd.Series, paused: pd.Series, as_of: pd.Timestamp) -> pd.Series:
    """An open limit is overdue once its due passes; a paused one stopped its clock, so it
    is overdue only when it was already past due when the pause began."""
    return (paused.isna() & (due < as_of)) | (paused.notna() & (due < paused))


# --- orders registered in the period -------------------------------------------------------


def intake(reg: pd.DataFrame, callers: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """受理量. orders: the cohort without voided and merged orders. calls: merged duplicates
    count too (each was a call), and so does each further caller added in the period."""
    import pandas as pd

    if rules.intake_counts == "orders":
        return _count(reg.order_id[~reg.state.isin(NOT_INTAKE)])
    calls = reg.order_id[reg.state != OrderState.VOIDED.value]
    return _count(pd.concat([calls, callers.order_id], ignore_index=True))


def on_spot(reg: pd.DataFrame) -> pd.DataFrame:
    """直接答复率: answered on the spot (before the period end) / intake (orders)."""
    cohort = reg[~reg.state.isin(NOT_INTAKE)]
    return _rate(cohort.order_id, _bool(cohort.on_spot))


def timely_dispatch(reg: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """及时派遣率: first dispatch at or before the first handout limit's due. Orders still
    waiting for a first dispatch past that due count as late."""
    base = reg[~reg.state.isin(NOT_INTAKE)]
    first, due = times(base.first_dispatch), times(base.handout_due)
    dispatched = first.notna()
    waiting_late = (
        ~dispatched & (base.state == OrderState.REGISTERED.value) & due.notna() & (due < as_of)
    )
    cohort = dispatched | waiting_late
    on_time = dispatched & due.notna() & (first <= due)
    return _rate(base.order_id[cohort], on_time[cohort])


def accurate_dispatch(reg: pd.DataFrame, returns: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """准确派遣率: dispatched orders none of whose top-level lead hops had a return that
    stood (a return not answered by a rejection, 驳回; or any return, by the rule)."""
    base = reg[~reg.state.isin(NOT_INTAKE) & times(reg.first_dispatch).notna()]
    per_hop = (
        returns.assign(
            ret=(returns.kind == EventKind.RETURNED.value).astype(int),
            rej=(returns.kind == EventKind.RETURN_REJECTED.value).astype(int),
        )
        .groupby(["order_id", "hop_id"])[["ret", "rej"]]
        .sum()
    )
    stood = per_hop.ret > 0 if rules.count_rejected_returns else per_hop.ret > per_hop.rej
    bad = set(per_hop[stood].index.get_level_values("order_id"))
    return _rate(base.order_id, ~base.order_id.isin(bad))


def closure_rate(reg: pd.DataFrame) -> pd.DataFrame:
    """办结率: closed (state closed, closed before the period end) / registered, voided,
    merged and transferred orders left out."""
    cohort = reg[~reg.state.isin(NOT_CLOSABLE)]
    return _rate(cohort.order_id, _bool(cohort.closed))


# --- limits, hops and events ----------------------------------------------------------------


def on_time_closure(
    due: pd.DataFrame, as_of: pd.Timestamp, upheld: frozenset[int] = frozenset()
) -> pd.DataFrame:
    """按期办结率 over orders whose first resolve limit falls due in the period: on time =
    that limit ended and was not overdue then, or its late mark was upheld on appeal
    (``upheld``: limit ids); open ones past due are late unless upheld; open ones not yet
    due are left out."""
    base = due[~due.state.isin(NOT_CLOSABLE)]
    ended = _bool(base.ended)
    late_open = ~ended & _open_overdue(times(base.due_at), times(base.paused_at), as_of)
    cohort = ended | late_open
    lifted = base.limit_id.astype("int64").isin(upheld)
    on_time = (ended & ~_bool(base.ended_overdue)) | lifted
    return _rate(base.order_id[cohort], on_time[cohort])


def timely_acceptance(
    sent: pd.DataFrame, rules: Rules, as_of: pd.Timestamp, upheld: frozenset[int] = frozenset()
) -> pd.DataFrame:
    """及时签收率 over hops sent in the period, judged on each hop's first acceptance
    limit: ended by acceptance (or by a return/escalation, when that counts as a response)
    and not overdue then, or its late mark upheld on appeal (``upheld``: limit ids). Still
    awaiting past due: late, unless upheld. Withdrawn before any acceptance, or still
    awaiting and not yet due: left out. Rows are keyed by the hop's group."""
    has = _bool(sent.has_limit)
    ended, declined = has & _bool(sent.ended), has & _bool(sent.declined)
    accepted = ended & ~declined & _bool(sent.accepted)
    responded = (accepted | declined) if rules.returns_as_response else accepted
    late_open = has & ~ended & _open_overdue(times(sent.due_at), times(sent.paused_at), as_of)
    cohort = (ended & responded) | late_open
    lifted = has & sent.limit_id.fillna(-1).astype("int64").isin(upheld)
    on_time = (ended & responded & ~_bool(sent.ended_overdue)) | (cohort & lifted)
    return _rate(sent.group[cohort], on_time[cohort])


def rework_rate(evs: pd.DataFrame) -> pd.DataFrame:
    """返工率: review_failed / (review_passed + review_failed) events in the period."""
    reviews = evs[evs.kind.isin([EventKind.REVIEW_PASSED.value, EventKind.REVIEW_FAILED.value])]
    return _rate(reviews.order_id, reviews.kind == EventKind.REVIEW_FAILED.value)


def satisfaction(
    evs: pd.DataFrame, rules: Rules, set_aside: frozenset[int] = frozenset()
) -> pd.DataFrame:
    """满意率 over the visit attempts recorded in the period, less the visits set aside
    (``set_aside``: event ids screened unreasonable or upheld on appeal)."""
    visits = evs[evs.kind == EventKind.VISIT_RECORDED.value]
    visits = visits[~visits.event_id.astype("int64").isin(set_aside)]
    good = [VisitResult.SATISFIED.value]
    if rules.basic_counts_satisfied:
        good.append(VisitResult.BASICALLY_SATISFIED.value)
    if rules.exclude_unreachable:
        visits = visits[visits.detail != VisitResult.UNREACHABLE.value]
    return _rate(visits.order_id, visits.detail.isin(good))


def supervisions(evs: pd.DataFrame, level: str | None = None) -> pd.DataFrame:
    """督办数: supervised events in the period (of one level, or all)."""
    sup = evs[evs.kind == EventKind.SUPERVISED.value]
    if level is not None:
        sup = sup[sup.detail == level]
    return _count(sup.order_id)


def supervisions_pending(pending: pd.DataFrame) -> pd.DataFrame:
    """督办未处理: orders supervised in the period and not submitted by its end."""
    return _count(pending.order_id)


def repeat_calls(ph: pd.DataFrame, start: datetime, window_days: int) -> pd.DataFrame:
    """重复来电率: orders of the period with a number that had another order in the
    ``window_days`` before (ties in time broken by order id) / orders with a number."""
    frame = ph.assign(ts=times(ph.registered_at)).sort_values(["phone_digits", "ts", "order_id"])
    prev = frame.groupby("phone_digits", sort=False)["ts"].shift()
    repeat = prev.notna() & (frame["ts"] - prev <= timedelta(days=window_days))
    inside = frame["ts"] >= naive(start)
    return _rate(frame.order_id[inside], repeat[inside])


SUPERVISION_LEVELS = {
    "supervisions_yellow": SupervisionLevel.YELLOW.value,
    "supervisions_red": SupervisionLevel.RED.value,
}
