"""The rules stay quiet over a normal week of the demo county.

The demo county (core.demo) at a real county's rate (about 165 orders a day), built over
five weeks so the surge rule has its four weeks of usual volume; then the service's job
is run every 20 minutes through the last week (23–30 June 2026, no holiday), on the
store's clock, with the shipped rules.

What the demo genuinely contains, and so what must fire: the demo draws late
acceptances and late results on purpose (``accept_late``, ``resolve_late`` in
resources/demo/config.toml), so some urgent orders do run into their limits. The
near-breach rule fires for exactly those: the urgent and critical orders' limits that the
demo left open past their deadline, each once, at the run before it ran out. Nothing
else fires, although the week holds what a careless rule would trip on: category names
with 火灾, 群体 and 自杀 in the orders' texts, numbers that called before, merged
duplicates in one grid, and the usual daily peaks.

The replay reads today's state for the near-breach rule (which limits are open): limits
the demo ended later are not seen as open at an earlier moment. So the expectation is
stated the same way, from the final state, by its own query.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, or_, select

from core.clock import ManualClock
from core.demo import build_demo, load_config
from core.service import OrderService
from core.storage.db import read_tx
from core.storage.schema import orders, time_limits
from core.store import open_store
from core.warning.config import load_rules
from core.warning.model import Rule
from core.warning.run import run_once
from tests.core.conftest import PgServer

END = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)  # a Tuesday, 20:00 in the county
DAYS = 35
ORDERS = 5800  # 165 a day
STEP = timedelta(minutes=20)

pytestmark = pytest.mark.slow


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def demo_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    server: PgServer | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('warning') / 'demo.sqlite3'}"
    else:
        server = request.getfixturevalue("pg_server")
        name = f"{server.prefix}_warning_demo"
        url = server.create(name)
    cfg = load_config()
    cfg["orders"]["days"] = DAYS
    summary = build_demo(url, orders=ORDERS, seed=2026, end=END, config=cfg)
    assert summary.refused == {}
    yield url
    if server is not None:
        server.drop(name)


def test_a_normal_week_raises_only_what_the_demo_holds(demo_url: str) -> None:
    rules = load_rules()
    clock = ManualClock(END - timedelta(days=7))
    store = open_store(demo_url, clock=clock)
    try:
        svc = OrderService(store)
        week = clock.now()
        with read_tx(store.engine) as conn:
            in_week = orders.c.registered_at > week
            count = select(func.count()).select_from(orders)
            words = [w for g in rules.sensitive_words.groups for w in g.words]
            texty = or_(*(orders.c.description.contains(w) for w in words))
            # What a careless rule would trip on is there.
            assert conn.execute(count.where(in_week)).scalar_one() > 1000
            assert conn.execute(count.where(in_week, texty)).scalar_one() > 0
            assert conn.execute(count.where(in_week, orders.c.state == "merged")).scalar_one() > 0
            # The urgent limits the demo left to run out (see the module docstring).
            expected = set(
                conn.execute(
                    select(time_limits.c.id)
                    .join(orders, orders.c.id == time_limits.c.order_id)
                    .where(
                        time_limits.c.ended_at.is_(None),
                        time_limits.c.paused_at.is_(None),
                        time_limits.c.due_at > week,
                        time_limits.c.due_at
                        <= END + timedelta(minutes=rules.near_breach.within_minutes),
                        time_limits.c.kind.in_(rules.near_breach.limits),
                        orders.c.urgency.in_(rules.near_breach.urgency),
                    )
                ).scalars()
            )
        fired = []
        runs = 0
        while clock.now() <= END:
            fired += run_once(svc, rules).fresh
            runs += 1
            clock.advance(STEP)
        assert runs == 7 * 72 + 1
        assert [c for c in fired if c.rule is not Rule.NEAR_BREACH] == []
        assert [c.detail["kind"] for c in fired] == ["limit"] * len(fired)  # no 批量临期
        limits = [c.detail["limit"] for c in fired]
        assert sorted(limits) == sorted(expected) and len(set(limits)) == len(limits)
        assert expected, "the demo's late urgent orders: the rule has something to find"
    finally:
        store.engine.dispose()
