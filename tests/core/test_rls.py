"""PostgreSQL enforces jurisdiction and phone privacy itself: each user connects as their
own role (``python main.py roles create``), and plain SQL from that role sees only what
``can_see`` allows, never a full number unless ``cc_reveal_phone`` checked and logged it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from core.auth import login
from core.clock import ManualClock
from core.domain.actor import Actor
from core.errors import AuthError
from core.queries import list_orders
from core.replay import differences
from core.service import OrderService
from core.storage import dbroles
from core.storage.db import create_db_engine, write_tx
from core.storage.repo import load_aggregate
from core.storage.schema import orders, phone_reads
from core.store import open_store
from core.workflow.intake import AttachmentData, OrderDraft
from tests.core.county import PASSWORD, POINTS, County

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
CATEGORY = "db44t2479-2024:0303:030301"
PHONE = "13812345678"
ROLE_USERS = ("duty", "supervisor", "wall", "town1_duty", "h_town1", "h_town1v1", "h_town2")


@pytest.fixture
def backend() -> str:
    return "postgres"  # PostgreSQL only: skipped with pg_server's reason otherwise


def draft(at: str, **kw: object) -> OrderDraft:
    lon, lat = POINTS[at]
    base: dict[str, object] = dict(
        channel="hotline",
        request_type="complaint",
        category_node_id=CATEGORY,
        description="路灯不亮",
        phone=PHONE,
        caller_name="王先生",
        lon=lon,
        lat=lat,
    )
    base.update(kw)
    return OrderDraft(**base)  # type: ignore[arg-type]


@dataclass
class Rls:
    url: str
    owner: Engine
    svc: OrderService
    clock: ManualClock
    actors: dict[str, Actor]
    county: County
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # user -> (role, pw)
    engines: list[Engine] = field(default_factory=list)
    o: dict[str, int] = field(default_factory=dict)

    def url_as(self, user: str) -> str:
        role, password = self.roles[user]
        return (
            make_url(self.url)
            .set(username=role, password=password)
            .render_as_string(hide_password=False)
        )

    def engine_as(self, user: str) -> Engine:
        engine = create_db_engine(self.url_as(user))
        self.engines.append(engine)
        return engine

    def ids(self, user: str, sql: str) -> set[int]:
        with self.engine_as(user).connect() as conn:
            return {int(v) for v in conn.execute(text(sql)).scalars() if v is not None}

    def reads(self) -> int:
        with self.owner.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(phone_reads)).scalar_one())


PNG_A = b"\x89PNG\r\n\x1a\n" + b"town1" * 10
PNG_B = b"\x89PNG\r\n\x1a\n" + b"town2" * 10


@pytest.fixture
def rls(
    db_url: str,
    svc: OrderService,
    clock: ManualClock,
    actors: dict[str, Actor],
    county: County,
) -> Iterator[Rls]:
    owner = svc.store.engine
    f = Rls(db_url, owner, svc, clock, actors, county)
    a, u = actors, county.units
    # Orders registered by the county centre, as the owner (RLS does not apply to it).
    f.o["town1"] = svc.register(a["duty"], draft("town1v1g1")).order_id
    f.o["town2"] = svc.register(a["duty"], draft("town2v1g1", phone="13900001111")).order_id
    f.o["secret"] = svc.register(
        a["duty"],
        draft("town1v1g2", confidential=True, request_type="report", caller_name="举报人"),
    ).order_id
    f.o["held"] = svc.register(a["duty"], draft("town2v1g1", phone="13700002222")).order_id
    svc.dispatch(a["dispatcher"], f.o["town1"], u["town1"])
    svc.dispatch(a["dispatcher"], f.o["town2"], u["town2"])
    svc.dispatch(a["dispatcher"], f.o["held"], u["town1"])  # town2's, handed to town1
    svc.add_attachment(
        a["duty"], f.o["town1"], AttachmentData("document", "a.png", "image/png", PNG_A)
    )
    svc.add_attachment(
        a["duty"], f.o["town2"], AttachmentData("document", "b.png", "image/png", PNG_B)
    )
    with write_tx(owner) as conn:
        for user in ROLE_USERS:
            f.roles[user] = dbroles.create_role(conn, user, f"pw-{user}-1")
    yield f
    for engine in f.engines:
        engine.dispose()
    with write_tx(owner) as conn:
        dropped = dbroles.drop_all(conn)
    assert len(dropped) == len(ROLE_USERS) + 1
    with owner.connect() as conn:
        prefix = str(dropped[-1])
        left = conn.execute(
            text("SELECT count(*) FROM pg_roles WHERE rolname LIKE :p"), {"p": prefix + "%"}
        ).scalar_one()
    assert left == 0


# --- jurisdiction in plain SQL -----------------------------------------------------------


def test_a_town_role_sees_its_orders_and_not_the_other_towns(rls: Rls) -> None:
    o = rls.o
    mine = {o["town1"], o["secret"], o["held"]}
    assert rls.ids("town1_duty", "select id from orders") == mine
    assert rls.ids("h_town2", "select id from orders") == {o["town2"], o["held"]}
    for table in ("hops", "events", "time_limits", "state_intervals", "attachments"):
        seen = rls.ids("town1_duty", f"select order_id from {table}")
        assert o["town2"] not in seen, table
        assert seen <= mine, table
    assert {o["town1"], o["held"]} <= rls.ids("town1_duty", "select order_id from hops")
    assert rls.ids("town1_duty", "select order_id from attachments") == {o["town1"]}
    with rls.engine_as("town1_duty").connect() as conn:
        blobs = conn.execute(text("select data from attachment_blobs")).scalars().all()
        # counts see the same rows as lists: another town's orders simply do not exist
        hidden = conn.execute(
            text("select count(*) from orders where id = :i"), {"i": o["town2"]}
        ).scalar_one()
    assert [bytes(b) for b in blobs] == [PNG_A] and hidden == 0


def test_the_county_sees_everything(rls: Rls) -> None:
    assert rls.ids("wall", "select id from orders") == set(rls.o.values())


def test_a_role_cannot_change_another_towns_order(rls: Rls) -> None:
    with rls.engine_as("town1_duty").begin() as conn:
        changed = conn.execute(
            text("update orders set title = 'x' where id = :i"), {"i": rls.o["town2"]}
        ).rowcount
    assert changed == 0


# --- phone numbers and informants ------------------------------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "select phone from orders",
        "select phone_digits from orders",
        "select caller_name from orders",
        "select * from orders",
        "select phone from order_callers",
        "select private_payload from events",
        "select password_hash from users",
        "select * from phone_reads",
    ],
)
def test_full_numbers_cannot_be_selected(rls: Rls, sql: str) -> None:
    with rls.engine_as("town1_duty").connect() as conn, pytest.raises(ProgrammingError) as err:
        conn.execute(text(sql)).all()
    assert "permission denied" in str(err.value)


def test_lists_read_masked_numbers_and_events_carry_none(rls: Rls) -> None:
    with rls.engine_as("town1_duty").connect() as conn:
        shown = {
            r.id: (r.phone_masked, r.caller_shown)
            for r in conn.execute(text("select id, phone_masked, caller_shown from orders"))
        }
        payloads = list(
            conn.execute(
                text("select payload from events where order_id = :i"), {"i": rls.o["town1"]}
            ).scalars()
        )
    assert shown[rls.o["town1"]] == ("138****5678", "王先生")
    assert shown[rls.o["secret"]] == (None, None)
    assert PHONE not in " ".join(str(p) for p in payloads)
    registered = payloads[0]["order"]
    assert {"phone", "phone_digits", "caller_name"}.isdisjoint(registered)
    assert registered["phone_masked"] == "138****5678"
    # the owner still replays every order exactly: private_payload is merged back
    with rls.owner.connect() as conn:
        assert all(differences(conn, oid) == [] for oid in rls.o.values())


def reveal(rls: Rls, user: str, order: str, fn: str = "cc_reveal_phone") -> str:
    with rls.engine_as(user).begin() as conn:
        return str(
            conn.execute(
                text(f"select {fn}(:o, :r)"), {"o": rls.o[order], "r": "回访核实"}
            ).scalar_one()
        )


def test_reveal_phone_checks_the_rule_and_logs_every_read(rls: Rls) -> None:
    assert rls.reads() == 0
    assert reveal(rls, "town1_duty", "town1") == PHONE  # its unit holds the assignment
    assert reveal(rls, "h_town1", "held") == "13700002222"  # handed to town1
    assert reveal(rls, "duty", "town2") == "13900001111"  # the registering centre
    assert rls.reads() == 3
    for user, order in (("wall", "town1"), ("h_town1v1", "town1"), ("town1_duty", "town2")):
        with pytest.raises(DBAPIError) as err:
            reveal(rls, user, order)
        assert "may not read" in str(err.value), (user, order)
    assert rls.reads() == 3  # refusals return nothing, so there is nothing to log
    with rls.owner.connect() as conn:
        log = conn.execute(select(phone_reads).order_by(phone_reads.c.id)).all()
    assert (log[0].order_id, log[0].field, log[0].reason) == (
        rls.o["town1"],
        "orders.phone",
        "回访核实",
    )
    assert log[0].db_role == rls.roles["town1_duty"][0]
    assert log[0].user_id == rls.county.users["town1_duty"]


def test_a_confidential_informant_is_for_named_roles_only(rls: Rls) -> None:
    for user in ("town1_duty", "duty", "wall"):
        for fn in ("cc_reveal_phone", "cc_reveal_caller_name"):
            with pytest.raises(DBAPIError):
                reveal(rls, user, "secret", fn)
    assert reveal(rls, "supervisor", "secret", "cc_reveal_caller_name") == "举报人"
    assert reveal(rls, "supervisor", "secret") == PHONE
    assert rls.reads() == 2


# --- the application on a user role ----------------------------------------------------------


def test_login_refuses_a_username_that_is_not_the_connected_role(rls: Rls) -> None:
    with rls.engine_as("town1_duty").connect() as conn:
        assert login(conn, "town1_duty", PASSWORD).username == "town1_duty"
        for username in ("duty", "h_town1", "nobody"):
            with pytest.raises(AuthError):
                login(conn, username, PASSWORD)
        with pytest.raises(AuthError):
            login(conn, "town1_duty", "wrong-password")


def test_the_service_works_end_to_end_as_user_roles(rls: Rls) -> None:
    u = rls.county.units
    town = open_store(rls.url_as("town1_duty"), clock=rls.clock)
    village = open_store(rls.url_as("h_town1v1"), clock=rls.clock)
    rls.engines += [town.engine, village.engine]
    with town.engine.connect() as conn:
        me = login(conn, "town1_duty", PASSWORD)
    with village.engine.connect() as conn:
        handler = login(conn, "h_town1v1", PASSWORD)
    svc, vsvc = OrderService(town), OrderService(village)
    oid = svc.register(me, draft("town1v1g1", phone="13655556666", caller_name="李女士")).order_id
    svc.edit(me, oid, {"title": "路灯又坏了"})  # the role cannot read the phone it keeps
    hop = svc.dispatch(me, oid, u["town1v1"]).value[0]
    vsvc.accept(handler, oid, hop)
    with town.engine.connect() as conn:
        row = next(r for r in list_orders(conn, me, limit=50) if r.id == oid)
        agg = load_aggregate(conn, oid)
    assert (row.state, row.caller_phone, row.caller_name) == (
        "in_progress",
        "136****6666",
        "李女士",
    )
    assert agg.order.phone is None and "phone" in agg.withheld
    with rls.owner.connect() as conn:
        stored = conn.execute(
            select(orders.c.phone, orders.c.caller_name, orders.c.title).where(orders.c.id == oid)
        ).one()
        assert tuple(stored) == ("13655556666", "李女士", "路灯又坏了")
        assert differences(conn, oid) == []
    # out of its territory the database refuses what the client might try
    with pytest.raises(Exception):  # noqa: B017 (NotFound: the row is invisible)
        svc.dispatch(me, rls.o["town2"], u["town1"])


def test_an_import_as_a_user_role_inserts_under_row_security(rls: Rls) -> None:
    """COPY is refused where row-level security applies: the bulk registration of an
    import then inserts row by row, and writes what the batch path writes."""
    town = open_store(rls.url_as("town1_duty"), clock=rls.clock)
    rls.engines.append(town.engine)
    with town.engine.connect() as conn:
        me = login(conn, "town1_duty", PASSWORD)
        assert conn.exec_driver_sql("SELECT row_security_active('orders')").scalar() is True
    svc = OrderService(town)
    drafts = [
        draft("town1v1g1", external_source="x", external_ref="1"),
        draft("town1v1g2", answer_on_spot="已答复", external_source="x", external_ref="2"),
        draft("town2v1g1", external_source="x", external_ref="3"),  # outside town 1: refused
    ]
    got = svc.register_bulk(me, drafts)
    assert [i for i, _ in got.rejected] == [2] and got.event_count == 3
    with rls.owner.connect() as conn:
        for oid in got.registered:
            assert differences(conn, oid) == []
        stored = conn.execute(
            select(orders.c.phone, orders.c.caller_name).where(orders.c.id.in_(got.registered))
        ).all()
    assert [tuple(r) for r in stored] == [(PHONE, "王先生")] * 2
    assert set(got.registered) <= rls.ids("town1_duty", "select id from orders")


def test_intake_lookups_and_queues_work_as_user_roles(rls: Rls) -> None:
    """The caller history reads numbers the role may not select (through
    cc_orders_of_phone); duplicates and the work queues run under row-level security."""
    from core import callers, duplicates
    from core.queues import Queue, QueueQuery, counts, page, scope_of

    town = open_store(rls.url_as("h_town1"), clock=rls.clock)
    rls.engines.append(town.engine)
    with town.engine.connect() as conn:
        me = login(conn, "h_town1", PASSWORD)
        now = rls.clock.now()
        seen = callers.history(conn, me, "138 1234 5678", now)
        assert seen is not None
        # PHONE called about town1's order and the confidential one (town1's too).
        assert {r.id for r in seen.earlier} == {rls.o["town1"], rls.o["secret"]}
        assert seen.total == 2 and seen.repeat
        other = callers.history(conn, me, "13900001111", now)
        assert other is not None and other.total == 1 and other.earlier == []  # town2's
        found = duplicates.candidates(
            conn,
            me,
            now=now,
            location_unit_id=rls.county.units["town1v1g1"],
            category_node_id=CATEGORY,
            text="路灯不亮",
        )
        assert {d.order_id for d in found} <= {rls.o["town1"], rls.o["held"], rls.o["secret"]}
        assert rls.o["town1"] in {d.order_id for d in found}
        org = town.reference().org
        scope = scope_of(me, org)
        accept = QueueQuery(scope.panels[0], Queue.ACCEPT)
        ids = {r.id for r in page(conn, me, org, accept, now, scope=scope)}
        assert ids == {rls.o["town1"], rls.o["held"]}
        got = counts(conn, me, org, now, scope=scope)
        assert sum(c.total for c in got.values()) == 2


# --- the admin command ----------------------------------------------------------------------


def run_main(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        input=stdin,
        timeout=120,
    )


def test_roles_command(rls: Rls, tmp_path: Path) -> None:
    listed = run_main("--db", rls.url, "roles", "list")
    assert listed.returncode == 0, listed.stderr
    assert rls.roles["h_town2"][0] in listed.stdout
    made = run_main(
        "--db", rls.url, "roles", "create", "h_civil", "--password-stdin", stdin="s3cret-pw\n"
    )
    assert made.returncode == 0, made.stderr
    role = made.stdout.split()[1]
    with rls.owner.connect() as conn:
        assert conn.execute(text("select 1 from pg_roles where rolname = :r"), {"r": role}).first()
    assert run_main("--db", rls.url, "roles", "drop", "h_civil").returncode == 0
    assert run_main("--db", rls.url, "roles", "grant").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("roles", "create", "no_such_user"), "no user named"),
        (("roles", "drop", "no_such_user"), "no user named"),
    ],
)
def test_roles_command_refuses_bad_input(rls: Rls, args: tuple[str, ...], message: str) -> None:
    done = run_main("--db", rls.url, *args)
    assert done.returncode == 2 and message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_roles_command_needs_createrole(rls: Rls) -> None:
    done = run_main("--db", rls.url_as("town1_duty"), "roles", "create", "h_civil")
    assert done.returncode == 2 and "may not create roles" in done.stderr


def test_roles_command_needs_postgresql(tmp_path: Path) -> None:
    db = str(tmp_path / "roles.sqlite3")
    assert run_main("--db", db, "db", "upgrade").returncode == 0
    done = run_main("--db", db, "roles", "list")
    assert done.returncode == 2 and "need PostgreSQL" in done.stderr


# --- the event stream as a town role ------------------------------------------------------


def test_a_town_roles_stream_steps_over_hidden_events_without_a_gap(rls: Rls) -> None:
    import time

    from core.stream import Subscription

    got: list[int] = []
    sub = Subscription(rls.url_as("town1_duty"), 0, lambda b: got.extend(e.order_id for e in b))
    thread = sub.start_thread()
    a = rls.actors
    later_town2 = rls.svc.register(a["duty"], draft("town2v1g1")).order_id
    later_town1 = rls.svc.register(a["duty"], draft("town1v1g1")).order_id
    with rls.owner.connect() as conn:
        newest = int(conn.execute(text("select max(id) from events")).scalar_one())
    deadline = time.monotonic() + 10
    while sub.delivered < newest and time.monotonic() < deadline:
        time.sleep(0.02)
    sub.stop()
    thread.join(10)
    assert sub.delivered == newest and sub.gaps.lost == []
    assert set(got) == {rls.o["town1"], rls.o["secret"], rls.o["held"], later_town1}
    assert rls.o["town2"] not in got and later_town2 not in got


def test_reach_follows_a_moved_order_and_new_hops(rls: Rls) -> None:
    a, u = rls.actors, rls.county.units
    moving = rls.svc.register(a["duty"], draft("town2v1g1")).order_id
    assert moving not in rls.ids("town1_duty", "select id from orders")
    assert moving in rls.ids("h_town2", "select id from orders")
    lon, lat = POINTS["town1v1g1"]
    rls.svc.edit(a["duty"], moving, {"location": {"lon": lon, "lat": lat}})
    assert moving in rls.ids("town1_duty", "select id from orders")
    assert moving not in rls.ids("h_town2", "select id from orders")  # moved away
    rls.svc.dispatch(a["dispatcher"], moving, u["town2"])  # handed back to town 2
    assert moving in rls.ids("h_town2", "select id from orders")
    assert moving in rls.ids("h_town2", "select order_id from events")
    with rls.engine_as("h_town2").connect() as conn:
        reach = conn.execute(text("select unit_id from order_reach")).scalars().all()
    town2 = u["town2"]
    town2_units = rls.ids(
        "h_town2",
        f"select id from units where path like (select path from units where id = {town2}) || '%'",
    )
    assert set(reach) <= town2_units  # a role sees only its own units' reach rows
    with pytest.raises(ProgrammingError), rls.engine_as("h_town2").begin() as conn:
        conn.execute(
            text("insert into order_reach values (:o, :u)"),
            {"o": rls.o["town1"], "u": u["town2"]},
        )


def test_feed_items_and_alerts_keep_to_the_roles_territory(rls: Rls) -> None:
    """A town's role reads and decides its own territory's items and alerts in plain SQL,
    never another town's nor the county-wide ones; the county's roles see them all."""
    from core.storage.schema import alerts, feed_items

    u, now = rls.county.units, rls.clock.now()
    with write_tx(rls.owner) as conn:
        ids = {}
        for name, unit in (("t1", u["town1v1g1"]), ("t2", u["town2v1g1"]), ("all", None)):
            ids[f"alert_{name}"] = conn.execute(
                alerts.insert()
                .values(
                    rule="cluster",
                    key=name,
                    severity="red",
                    title=name,
                    detail={},
                    unit_id=unit,
                    raised_at=now,
                    status="raised",
                )
                .returning(alerts.c.id)
            ).scalar_one()
            ids[f"item_{name}"] = conn.execute(
                feed_items.insert()
                .values(
                    source="cam",
                    source_id=name,
                    kind="video",
                    received_at=now,
                    occurred_at=now,
                    title=name,
                    unit_id=unit,
                    payload={},
                    status="pending",
                )
                .returning(feed_items.c.id)
            ).scalar_one()
    for table in ("alerts", "feed_items"):
        kind = "alert" if table == "alerts" else "item"
        assert rls.ids("town1_duty", f"select id from {table}") == {ids[f"{kind}_t1"]}
        assert rls.ids("wall", f"select id from {table}") == {
            ids[f"{kind}_{n}"] for n in ("t1", "t2", "all")
        }
        with rls.engine_as("town1_duty").begin() as conn:
            changed = conn.execute(
                text(f"update {table} set status = 'closed' where id <> :mine"),
                {"mine": ids[f"{kind}_t1"]},
            ).rowcount
        assert changed == 0  # the other town's and the county's rows are not there to change
