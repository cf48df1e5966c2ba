"""Running the rules: once (``check``), or as the service process's job (``run_once``,
``early_warning_job``) which remembers in ``settings`` how far it has looked.

A run reads in one snapshot: the orders registered or edited since the last run (minus
an overlap, at most ``catch_up_hours`` back) for sensitive words and repeat callers, and
the rules' own windows for clusters, surges and near breaches. Sensitive words then raise
their orders' urgency through ``OrderService.raise_urgency`` (one transaction per order,
an ordinary edit), and every finding not raised before becomes an alert with its event,
in one transaction. Running again over the same orders raises nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from core.errors import IllegalTransition, StaleVersion
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import alerts, settings
from core.warning.alerts import existing_keys, raise_alerts
from core.warning.breach import find_near_breaches
from core.warning.clusters import find_clusters
from core.warning.config import RulesFile, WarningRules
from core.warning.model import Candidate
from core.warning.recent import new_orders
from core.warning.repeat import find_repeat_callers
from core.warning.surge import find_surges
from core.warning.words import WordMatch, find_sensitive

log = logging.getLogger(__name__)

CURSOR_KEY = "early_warning"
SENSITIVE_REASON = "敏感词"
RETRIES = 3


@dataclass
class CheckReport:
    now: datetime
    since: datetime  # new orders were looked for in (since, now]
    found: list[Candidate] = field(default_factory=list)  # every finding of this run
    fresh: list[Candidate] = field(default_factory=list)  # of those, not raised before
    raised: list[int] = field(default_factory=list)  # ids of the alerts raised now
    urgency_raised: list[int] = field(default_factory=list)  # orders whose urgency went up
    new_orders: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per step


def check(
    svc: OrderService,
    rules: WarningRules,
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    apply: bool = True,
) -> CheckReport:
    """Run every rule once at ``now`` (the store's clock by default). ``since``: where new
    orders begin (default ``catch_up_hours`` back). ``apply`` False: find and report only,
    change nothing (``main.py alerts check --dry-run``)."""
    at = now or svc.store.clock.now()
    report = CheckReport(at, since or at - timedelta(hours=rules.service.catch_up_hours))
    ref = svc.store.reference()
    timer = _Timer(report.seconds)
    with read_tx(svc.store.engine) as conn:
        with timer("new_orders"):
            new = new_orders(conn, report.since, at)
        report.new_orders = len(new)
        with timer("cluster"):
            report.found += find_clusters(conn, rules.cluster, ref, at)
        with timer("repeat_caller"):
            report.found += find_repeat_callers(conn, rules.repeat_caller, new, at)
        with timer("sensitive_words"):
            matches = find_sensitive(rules.sensitive_words, new, ref.categories)
        with timer("surge"):
            report.found += find_surges(conn, rules.surge, ref, at)
        with timer("near_breach"):
            report.found += find_near_breaches(conn, rules.near_breach, ref, at)
    with timer("urgency"):
        for m in matches:
            before = _raise_urgency(svc, m) if apply and m.raises else None
            if before is not None:
                report.urgency_raised.append(m.order.id)
            report.found.append(m.candidate(before))
    with timer("raise"):
        if apply:
            with write_tx(svc.store.engine) as conn:
                report.raised = raise_alerts(conn, report.found, at)
            report.fresh = _fresh_of(svc, report)
        else:
            with read_tx(svc.store.engine) as conn:
                known = existing_keys(conn, report.found)
            report.fresh = [c for c in report.found if (c.rule.value, c.key[:200]) not in known]
    return report


def _fresh_of(svc: OrderService, report: CheckReport) -> list[Candidate]:
    """The findings that became the alerts raised now, in the order they were raised."""
    if not report.raised:
        return []
    with read_tx(svc.store.engine) as conn:
        keys = {
            (r.rule, r.key)
            for r in conn.execute(
                select(alerts.c.rule, alerts.c.key).where(alerts.c.id.in_(report.raised))
            )
        }
    seen: set[tuple[str, str]] = set()
    out = []
    for c in report.found:
        k = (c.rule.value, c.key[:200])
        if k in keys and k not in seen:
            seen.add(k)
            out.append(c)
    return out


def _raise_urgency(svc: OrderService, m: WordMatch) -> str | None:
    """Raise the order's urgency as the service; the urgency before, or None when it did
    not go up (a user raised it meanwhile, or the order closed)."""
    reason = f"{SENSITIVE_REASON}：{'、'.join(m.words)}"
    for attempt in range(RETRIES):
        try:
            before = svc.raise_urgency(None, m.order.id, m.urgency.value, reason).value
            return str(before) if before is not None else None
        except StaleVersion:
            if attempt == RETRIES - 1:
                raise
        except IllegalTransition:
            return None
    return None


class _Timer:
    def __init__(self, into: dict[str, float]) -> None:
        self.into = into
        self.name = ""
        self.began = 0.0

    def __call__(self, name: str) -> _Timer:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.began = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.into[self.name] = self.into.get(self.name, 0.0) + time.perf_counter() - self.began


# --- the service's job --------------------------------------------------------------------


def read_cursor(svc: OrderService) -> datetime | None:
    """When the job last ran (the store's clock), or None."""
    with read_tx(svc.store.engine) as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.key == CURSOR_KEY)).scalar()
    if isinstance(value, dict) and isinstance(value.get("checked_at"), str):
        try:
            return datetime.fromisoformat(value["checked_at"])
        except ValueError:
            return None
    return None


def write_cursor(svc: OrderService, at: datetime) -> None:
    value = {"checked_at": at.isoformat()}
    with write_tx(svc.store.engine) as conn:
        done = conn.execute(
            update(settings).where(settings.c.key == CURSOR_KEY).values(value=value)
        ).rowcount
        if not done:
            conn.execute(insert(settings).values(key=CURSOR_KEY, value=value))


def run_once(
    svc: OrderService,
    rules: WarningRules,
    now: datetime | None = None,
    apply: bool = True,
    remember: bool = True,
) -> CheckReport:
    """One run of the job: new orders since the last run (less the overlap, at most
    ``catch_up_hours`` back), then the cursor moves to ``now`` (unless ``apply`` or
    ``remember`` is False: a dry run, or a trial of another rules file)."""
    at = now or svc.store.clock.now()
    s = rules.service
    floor = at - timedelta(hours=s.catch_up_hours)
    last = read_cursor(svc)
    since = (
        floor if last is None else max(floor, min(last, at) - timedelta(minutes=s.overlap_minutes))
    )
    report = check(svc, rules, now=at, since=since, apply=apply)
    if apply and remember:
        write_cursor(svc, at)
    return report


def early_warning_job(svc: OrderService, rules: RulesFile) -> Callable[[], int]:
    """The job's body: the rules as the file says now; returns how many alerts it raised."""

    def run() -> int:
        report = run_once(svc, rules.current())
        if report.raised:
            log.info(
                "early warning: %d alert(s) raised, urgency raised on %d order(s)",
                len(report.raised),
                len(report.urgency_raised),
            )
        return len(report.raised)

    return run
