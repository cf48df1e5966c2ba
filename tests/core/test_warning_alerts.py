"""An alert's life: raised once per (rule, key), acknowledged by someone, closed with a
note; every step an order-less event; wrong steps refused with nothing changed; screens
read them most urgent first, within the user's territory. And ``main.py alerts``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import main
from core.clock import ManualClock
from core.domain.actor import Actor
from core.domain.events import EventKind
from core.errors import (
    IllegalTransition,
    NotFound,
    OutOfJurisdiction,
    PermissionDenied,
    ValidationError,
)
from core.storage import dbroles
from core.storage.db import read_tx, write_tx
from core.storage.schema import alerts, events
from core.store import Store, open_store
from core.warning import alerts as lifecycle
from core.warning.model import AlertStatus, Candidate, Rule, Severity
from tests.core.county import County


def candidate(key: str, severity: str = "orange", unit_id: int | None = None) -> Candidate:
    return Candidate(
        Rule.CLUSTER, key, Severity(severity), f"标题 {key}", {"orders": [1, 2]}, unit_id
    )


def raise_(store: Store, *cands: Candidate) -> list[int]:
    with write_tx(store.engine) as conn:
        return lifecycle.raise_alerts(conn, cands, store.clock.now())


def alert_events(store: Store) -> list[tuple[str, dict[str, object], int | None, str | None]]:
    with read_tx(store.engine) as conn:
        rows = conn.execute(
            select(events.c.kind, events.c.payload, events.c.actor_user_id, events.c.reason)
            .where(events.c.order_id.is_(None))
            .order_by(events.c.id)
        ).all()
    return [(r.kind, r.payload, r.actor_user_id, r.reason) for r in rows]


def test_raised_once_per_rule_and_key_with_an_event_each(store: Store, county: County) -> None:
    town = county.units["town1v1g1"]
    first = raise_(store, candidate("a", unit_id=town), candidate("b", "red"))
    assert len(first) == 2
    assert raise_(store, candidate("a"), candidate("b")) == []  # nothing twice
    other_rule = Candidate(Rule.SURGE, "a", Severity.YELLOW, "激增", {}, None)
    assert len(raise_(store, other_rule)) == 1  # keys are per rule
    got = alert_events(store)
    assert [k for k, *_ in got] == [EventKind.ALERT_RAISED.value] * 3
    assert got[0][1] == {
        "alert": first[0],
        "rule": "cluster",
        "severity": "orange",
        "title": "标题 a",
    }
    assert got[0][2] is None  # raised by the service, no user
    row = lifecycle.get_alert(store, first[0])
    assert row.status == "raised" and row.unit_name == "1-1-1网格"
    assert row.raised_at == store.clock.now() and row.detail == {"orders": [1, 2]}


def test_acknowledge_then_close_and_every_wrong_step_is_refused(
    store: Store, actors: dict[str, Actor], clock: ManualClock
) -> None:
    [aid] = raise_(store, candidate("a"))
    clock.advance(minutes=3)
    change = lifecycle.acknowledge(store, actors["duty"], aid)
    assert change.status is AlertStatus.ACKNOWLEDGED
    row = lifecycle.get_alert(store, aid)
    assert row.acknowledged_by == "duty" and row.acknowledged_at == clock.now()
    with pytest.raises(IllegalTransition) as err:
        lifecycle.acknowledge(store, actors["dispatcher"], aid)
    assert err.value.code == "alert_already_acknowledged"
    with pytest.raises(ValidationError) as bad:
        lifecycle.close(store, actors["supervisor"], aid, "  ")
    assert bad.value.fields() == {"note"}
    clock.advance(minutes=5)
    closed = lifecycle.close(store, actors["supervisor"], aid, "已处置，误报")
    row = lifecycle.get_alert(store, aid)
    assert row.status == "closed" and row.closed_by == "supervisor"
    assert row.close_note == "已处置，误报" and row.acknowledged_by == "duty"  # kept
    for step in (
        lambda: lifecycle.close(store, actors["duty"], aid, "再次关闭"),
        lambda: lifecycle.acknowledge(store, actors["duty"], aid),
    ):
        with pytest.raises(IllegalTransition) as err:
            step()
        assert err.value.code == "alert_already_closed"
    got = alert_events(store)
    assert [k for k, *_ in got] == ["alert_raised", "alert_acknowledged", "alert_closed"]
    assert got[1][2] == actors["duty"].user_id and got[2][2] == actors["supervisor"].user_id
    assert got[2][3] == "已处置，误报" and closed.event_id > change.event_id
    assert {p["alert"] for _, p, *_ in got} == {aid}


def test_closing_a_raised_alert_records_who_saw_it(store: Store, actors: dict[str, Actor]) -> None:
    [aid] = raise_(store, candidate("a"))
    lifecycle.close(store, actors["leader"], aid, "已知悉")
    row = lifecycle.get_alert(store, aid)
    assert row.status == "closed" and row.acknowledged_by == "leader" == row.closed_by


def test_who_may_act_on_which_alert(store: Store, actors: dict[str, Actor], county: County) -> None:
    mine, theirs, county_wide = raise_(
        store,
        candidate("t1", unit_id=county.units["town1v1g1"]),
        candidate("t2", unit_id=county.units["town2v1g1"]),
        candidate("all"),
    )
    town1 = actors["town1_duty"]
    assert lifecycle.acknowledge(store, town1, mine).status is AlertStatus.ACKNOWLEDGED
    for aid in (theirs, county_wide):
        with pytest.raises(OutOfJurisdiction):
            lifecycle.acknowledge(store, town1, aid)
    for name in ("h_town1", "wall", "admin"):
        with pytest.raises(PermissionDenied):
            lifecycle.acknowledge(store, actors[name], theirs)
    with pytest.raises(NotFound):
        lifecycle.acknowledge(store, actors["duty"], 99999)
    assert lifecycle.get_alert(store, theirs).status == "raised"  # nothing changed


def test_screens_read_the_waiting_first_most_severe_first_within_their_territory(
    store: Store, actors: dict[str, Actor], county: County, clock: ManualClock
) -> None:
    g = county.units["town1v1g1"]
    yellow = raise_(store, candidate("y", "yellow", g))[0]
    clock.advance(minutes=1)
    red = raise_(store, candidate("r", "red", county.units["town2v1g1"]))[0]
    clock.advance(minutes=1)
    orange, orange_new = raise_(store, candidate("o", "orange", g), candidate("o2", "orange"))
    lifecycle.acknowledge(store, actors["duty"], red)
    closed = raise_(store, candidate("c", "red", g))[0]
    lifecycle.close(store, actors["duty"], closed, "处置完毕")
    rows = lifecycle.open_alerts(store)
    assert [r.id for r in rows] == [orange_new, orange, yellow, red]
    assert rows[-1].acknowledged_by == "duty" and rows[-1].status == "acknowledged"
    town1 = [r.id for r in lifecycle.open_alerts(store, actor=actors["town1_duty"])]
    assert town1 == [orange, yellow]  # neither town 2's nor the county-wide one
    everything = lifecycle.open_alerts(store, include_closed=True)
    assert everything[-1].id == closed and everything[-1].close_note == "处置完毕"
    assert len(lifecycle.open_alerts(store, limit=2)) == 2
    n = lifecycle.counts(store)
    assert (n.raised, n.acknowledged, n.open) == (3, 1, 4)
    assert n.by_severity == {"red": 1, "orange": 2, "yellow": 1}
    assert lifecycle.counts(store, actors["town1_duty"]).open == 2
    with read_tx(store.engine) as conn:  # a connection works as well as a store
        assert [r.id for r in lifecycle.open_alerts(conn)] == [orange_new, orange, yellow, red]
        assert lifecycle.counts(conn).open == 4


def test_two_people_acknowledging_at_once_one_wins(store: Store, actors: dict[str, Actor]) -> None:
    [aid] = raise_(store, candidate("a"))
    with write_tx(store.engine) as conn:  # another workstation got there first
        conn.execute(alerts.update().where(alerts.c.id == aid).values(status="acknowledged"))
    with pytest.raises(IllegalTransition):
        lifecycle.acknowledge(store, actors["duty"], aid)
    with read_tx(store.engine) as conn:
        assert (
            conn.execute(
                select(func.count())
                .select_from(events)
                .where(events.c.kind == "alert_acknowledged")
            ).scalar_one()
            == 0
        )


def test_a_users_own_database_role_reads_and_acknowledges(
    backend: str, db_url: str, store: Store, actors: dict[str, Actor], county: County
) -> None:
    if backend != "postgres":
        pytest.skip("users' own database roles are PostgreSQL's")
    mine, _theirs = raise_(
        store,
        candidate("t1", unit_id=county.units["town1v1g1"]),
        candidate("t2", unit_id=county.units["town2v1g1"]),
    )
    with write_tx(store.engine) as conn:
        role, password = dbroles.create_role(conn, "town1_duty", "pw-town1-duty-1")
    url = make_url(db_url).set(username=role, password=password)
    town = open_store(url.render_as_string(hide_password=False), clock=store.clock)
    try:
        user = actors["town1_duty"]
        assert [r.id for r in lifecycle.open_alerts(town, actor=user)] == [mine]
        assert lifecycle.acknowledge(town, user, mine).status is AlertStatus.ACKNOWLEDGED
        assert lifecycle.close(town, user, mine, "已处置").status is AlertStatus.CLOSED
        assert lifecycle.get_alert(town, mine).closed_by == "town1_duty"
    finally:
        town.engine.dispose()
        with write_tx(store.engine) as conn:
            dbroles.drop_all(conn)
    assert [k for k, *_ in alert_events(store)][-2:] == ["alert_acknowledged", "alert_closed"]


# --- main.py alerts -------------------------------------------------------------------------


def test_the_command_lists_acknowledges_closes_and_checks(
    db_url: str,
    store: Store,
    county: County,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    aid = raise_(store, candidate("cli", "red", county.units["town1v1g1"]))[0]
    assert main.main(["--db", db_url, "alerts", "list"]) == 0
    out = capsys.readouterr().out
    assert f"#{aid}\t红\t待认领" in out and "标题 cli" in out and "1 waiting" in out
    assert main.main(["--db", db_url, "alerts", "ack", str(aid), "--as", "dispatcher"]) == 0
    assert f"alert #{aid}: acknowledged by dispatcher" in capsys.readouterr().out
    assert main.main(["--db", db_url, "alerts", "close", str(aid), "--note", "已处置"]) == 0
    assert "closed by duty" in capsys.readouterr().out  # the default: the first duty officer
    assert main.main(["--db", db_url, "alerts", "close", str(aid), "--note", "again"]) == 1
    assert "alert_already_closed" in capsys.readouterr().err
    assert main.main(["--db", db_url, "alerts", "list", "--all", "--as", "town1_duty"]) == 0
    out = capsys.readouterr().out
    assert "已关闭" in out and "认领 dispatcher" in out and "关闭 duty: 已处置" in out
    assert main.main(["--db", db_url, "alerts", "ack", "1", "--as", "nobody"]) == 2
    assert main.main(["--db", db_url, "alerts", "check", "--dry-run", "--hours", "2"]) == 0
    out = capsys.readouterr().out
    assert "would raise 0 alerts" in out and "time: new_orders" in out
    bad = tmp_path / "rules.toml"
    bad.write_text("[cluster]\n\nmin_count = 1\n", encoding="utf-8")
    assert main.main(["--db", db_url, "alerts", "check", "--rules", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "cluster.min_count: out_of_range" in err and "line=3" in err
    assert main.main(["--db", db_url, "alerts", "check"]) == 0
    assert "raised 0 alerts" in capsys.readouterr().out
    with read_tx(store.engine) as conn:
        assert conn.execute(select(func.count()).select_from(alerts)).scalar_one() == 1
