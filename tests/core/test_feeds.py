"""The machine feeds' inbox and decisions, on SQLite and PostgreSQL: alerts wait as 待确认
(one notice per batch), a repeat is a duplicate, an officer confirms (one order) or
dismisses (a reason, never an order), a decided alert is never decided again, an
auto-registering source registers at once and once, and text that looks like SQL is
stored as text. The CLI lists, confirms and dismisses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import main
from core.addresses import normalize
from core.domain.actor import Actor
from core.domain.events import EventKind
from core.errors import OutOfJurisdiction, PermissionDenied, ValidationError
from core.feeds.config import FeedConfigError
from core.feeds.decide import AlreadyDecided, confirm, dismiss
from core.feeds.host import registrars
from core.feeds.items import count_pending, get_item, list_items, pending
from core.feeds.message import FeedMessage, Refusal
from core.feeds.screen import Screen
from core.service import OrderService
from core.storage.db import read_tx, write_tx
from core.storage.schema import feed_items, orders, std_addresses
from core.store import Store
from tests.core.county import POINTS, County
from tests.core.feeds_support import (
    CONFIG_TEXT,
    Door,
    alert,
    config,
    count,
    notices,
    orders_count,
)

ADDRESS = "幸福路12号"


def add_address(store: Store, county: County, address: str = ADDRESS) -> int:
    unit = county.units["town1v2g1"]
    lon, lat = POINTS["town1v1g1"]
    with write_tx(store.engine) as conn:
        conn.execute(
            std_addresses.insert().values(
                id=9001,
                address=address,
                normalized=normalize(address),
                unit_id=unit,
                lon=lon,
                lat=lat,
            )
        )
    return unit


def item(store: Store, item_id: int | None) -> Any:
    assert item_id is not None
    with read_tx(store.engine) as conn:
        return get_item(conn, item_id)


def test_alerts_wait_as_pending_located_with_one_notice_per_batch(
    store: Store, county: County
) -> None:
    unit = add_address(store, county)
    door = Door(store)
    got = door.send(
        alert(id="A1", device="SD-1182", level=2),
        alert(id="A2", point="school"),
        alert(id="A3", lon=None, lat=None, address=" 幸福路１２号 "),  # full-width digits
        alert(id="A4", lon=None, lat=None, address="不在标准地址里"),
    )
    assert [(r.duplicate, r.status, r.error) for r in got] == [(False, "pending", None)] * 4
    a1, a2, a3, a4 = (item(store, r.item_id) for r in got)
    assert a1.unit_id == county.units["town1v1g1"]
    assert a2.unit_id == county.units["school"]  # the special grid wins inside it
    assert (a3.unit_id, a3.lon, a3.address) == (unit, None, "幸福路１２号")
    assert a4.unit_id is None
    assert (a1.source, a1.source_id, a1.kind, a1.title, a1.category_code) == (
        "smoke",
        "A1",
        "iot",
        "烟感报警",
        "070403",
    )
    assert a1.description == "3号楼2单元烟感报警"
    assert a1.payload["extra"] == {"device": "SD-1182", "level": 2}
    assert a1.payload["order"] == {
        "category_node_id": "db44t2479-2024:0704:070403",
        "request_type": "help",
        "urgency": "urgent",
    }
    assert a1.received_at == store.clock.now() and a1.occurred_at.hour == 0  # 08:30 +08
    (notice,) = notices(store, EventKind.FEED_RECEIVED.value)
    assert notice.order_id is None
    assert notice.payload["count"] == 4 and notice.payload["feed_items"] == [r.item_id for r in got]
    assert notice.payload["feed_item"] == got[0].item_id and notice.payload["source"] == "smoke"
    assert orders_count(store) == 0  # nothing is intake until confirmed
    assert count_pending(store) == 4


def test_a_repeat_is_a_duplicate_in_the_batch_and_later(store: Store) -> None:
    door = Door(store)
    first = door.send(alert(id="A1"), alert(id="A1", title="又一次"), alert(id="A2"))
    assert [(r.item_id, r.duplicate) for r in first] == [
        (first[0].item_id, False),
        (first[0].item_id, True),
        (first[2].item_id, False),
    ]
    again = door.send(alert(id="A2"), alert(id="A1"), alert(source="cam", id="A1"))
    assert [(r.item_id, r.duplicate) for r in again[:2]] == [
        (first[2].item_id, True),
        (first[0].item_id, True),
    ]
    assert again[2].duplicate is False  # the same id from another source is another alert
    assert count(store) == 3
    assert item(store, first[0].item_id).title == "烟感报警"  # the first one stands
    assert len(notices(store, EventKind.FEED_RECEIVED.value)) == 2  # none for duplicates


def test_confirm_registers_one_order_and_a_decided_alert_stays_decided(
    store: Store, svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    (got,) = Door(store).send(alert(id="SG-7", category="070404"))  # the message's category
    assert got.item_id is not None
    order_id = confirm(svc, actors["duty"], got.item_id, note="  已电话核实  ")
    o = svc.load(actors["duty"], order_id).order
    assert (o.channel, o.external_source, o.external_ref) == ("video_iot", "smoke", "SG-7")
    assert (o.category_node_id, o.request_type, o.urgency) == (
        "db44t2479-2024:0704:070404",
        "help",
        "urgent",
    )
    assert (o.title, o.description, o.location_unit_id) == (
        "烟感报警",
        "3号楼2单元烟感报警",
        county.units["town1v1g1"],
    )
    assert (o.lon, o.lat) == POINTS["town1v1g1"]
    done = item(store, got.item_id)
    assert (done.status, done.order_id, done.decided_by, done.decision_note) == (
        "confirmed",
        order_id,
        actors["duty"].user_id,
        "已电话核实",
    )
    assert done.decided_at == store.clock.now()
    (decided,) = notices(store, EventKind.FEED_DECIDED.value)
    assert decided.payload == {
        "feed_item": got.item_id,
        "source": "smoke",
        "status": "confirmed",
        "order_id": order_id,
        "order": o.number,
    }
    assert decided.actor_user_id == actors["duty"].user_id and decided.reason == "已电话核实"
    with pytest.raises(AlreadyDecided) as caught:
        confirm(svc, actors["dispatcher"], got.item_id)
    assert caught.value.code == "feed_item_decided"
    assert caught.value.params["status"] == "confirmed"
    with pytest.raises(AlreadyDecided):
        dismiss(store, actors["duty"], got.item_id, "误报")
    assert orders_count(store) == 1
    assert pending(store) == []


def test_dismiss_needs_a_reason_and_never_makes_an_order(
    store: Store, actors: dict[str, Actor]
) -> None:
    (got,) = Door(store).send(alert(source="cam", id="V1", kind="video", title="人员聚集"))
    assert got.item_id is not None
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as caught:
            dismiss(store, actors["duty"], got.item_id, reason)
        assert caught.value.codes_for("reason") == ["required"]
    with pytest.raises(ValidationError):
        dismiss(store, actors["duty"], got.item_id, "x" * 501)
    dismiss(store, actors["duty"], got.item_id, "误报：树影晃动")
    done = item(store, got.item_id)
    assert (done.status, done.decision_note, done.order_id) == ("dismissed", "误报：树影晃动", None)
    assert orders_count(store) == 0
    (decided,) = notices(store, EventKind.FEED_DECIDED.value)
    assert decided.payload["status"] == "dismissed" and decided.reason == "误报：树影晃动"
    with pytest.raises(AlreadyDecided):
        dismiss(store, actors["duty"], got.item_id, "again")
    assert [i.id for i in list_items(store, status="dismissed")] == [got.item_id]


def test_who_may_decide_which_alert(
    store: Store, svc: OrderService, actors: dict[str, Actor]
) -> None:
    a = actors
    town1, town2, nowhere = Door(store).send(
        alert(id="T1"),
        alert(id="T2", point="town2v1g1"),
        alert(id="N", lon=None, lat=None, address="某处"),  # no grid: the county's
    )
    assert {i.id for i in pending(store, a["town1_duty"])} == {town1.item_id}
    assert count_pending(store, a["town1_duty"]) == 1
    assert {i.id for i in pending(store, a["duty"])} == {
        town1.item_id,
        town2.item_id,
        nowhere.item_id,
    }
    for item_id in (town2.item_id, nowhere.item_id):
        assert item_id is not None
        with pytest.raises(OutOfJurisdiction):
            confirm(svc, a["town1_duty"], item_id)
        with pytest.raises(OutOfJurisdiction):
            dismiss(store, a["town1_duty"], item_id, "不归我们")
    assert town1.item_id is not None
    with pytest.raises(PermissionDenied):
        dismiss(store, a["h_town1"], town1.item_id, "处置单位不能确认")
    with pytest.raises(PermissionDenied):
        confirm(svc, a["supervisor"], town1.item_id)
    order_id = confirm(svc, a["town1_duty"], town1.item_id)
    assert svc.load(a["town1_duty"], order_id).order.centre_unit_id == a["town1_duty"].unit_id
    assert nowhere.item_id is not None
    confirm(svc, a["duty"], nowhere.item_id)  # placed at the centre, as intake does
    assert count_pending(store) == 1


def test_an_auto_registering_source_registers_at_once_and_once(
    store: Store, svc: OrderService, actors: dict[str, Actor]
) -> None:
    door = Door(store)
    got = door.send(alert(source="water", id="WL-1", title="水位超警戒"), alert(id="S1"))
    assert got[0].status == "registered" and got[0].order_number
    assert got[1].status == "pending" and got[1].order_number is None
    water = item(store, got[0].item_id)
    assert water.status == "registered" and water.decided_by == actors["duty"].user_id
    o = svc.load(actors["duty"], water.order_id).order
    assert (o.number, o.channel, o.external_source, o.external_ref, o.urgency) == (
        got[0].order_number,
        "video_iot",
        "water",
        "WL-1",
        "critical",
    )
    assert o.registered_by == actors["duty"].user_id
    # one notice for the one pending item; the order has its own events
    (notice,) = notices(store, EventKind.FEED_RECEIVED.value)
    assert notice.payload["feed_items"] == [got[1].item_id]
    again = door.send(alert(source="water", id="WL-1"))
    assert (again[0].item_id, again[0].duplicate, again[0].status) == (
        got[0].item_id,
        True,
        "registered",
    )
    assert orders_count(store) == 1
    with pytest.raises(AlreadyDecided):
        confirm(svc, actors["duty"], water.id)


def test_an_auto_registration_intake_refuses_stays_pending(
    store: Store, svc: OrderService, actors: dict[str, Actor], caplog: pytest.LogCaptureFixture
) -> None:
    text = CONFIG_TEXT.replace('register_as = "duty"', 'register_as = "h_town1"')  # no intake
    door = Door(store, config(text))
    (got,) = door.send(alert(source="water", id="WL-2"))
    assert got.status == "pending" and orders_count(store) == 0
    assert "WL-2" in caplog.text and "role_required" in caplog.text
    assert got.item_id is not None
    order_id = confirm(svc, actors["duty"], got.item_id)  # an officer still can
    assert svc.load(actors["duty"], order_id).order.external_ref == "WL-2"


def test_an_order_of_the_same_source_and_id_is_never_registered_twice(
    store: Store, svc: OrderService, actors: dict[str, Actor]
) -> None:
    (got,) = Door(store).send(alert(id="X9"))
    assert got.item_id is not None
    with write_tx(store.engine) as conn:  # the same key, registered meanwhile another way
        conn.execute(feed_items.delete().where(feed_items.c.id == got.item_id))
    (again,) = Door(store).send(alert(id="X9"))
    assert again.item_id is not None
    first = confirm(svc, actors["duty"], again.item_id)
    with write_tx(store.engine) as conn:
        conn.execute(feed_items.delete())
    (third,) = Door(store).send(alert(id="X9"))
    assert third.item_id is not None
    with pytest.raises(AlreadyDecided) as caught:
        confirm(svc, actors["duty"], third.item_id)
    assert caught.value.code == "feed_item_already_an_order"
    assert orders_count(store) == 1 and first
    # an auto-registering source finds the order instead of registering another
    with write_tx(store.engine) as conn:
        conn.execute(feed_items.delete())
        conn.execute(orders.update().values(external_source="water"))
    (auto,) = Door(store).send(alert(source="water", id="X9"))
    assert auto.status == "registered" and orders_count(store) == 1
    assert item(store, auto.item_id).order_id == first


SQL = "'); DROP TABLE orders; --"


def test_injection_strings_are_stored_verbatim(
    store: Store, svc: OrderService, actors: dict[str, Actor]
) -> None:
    nasty = {
        "title": SQL,
        "description": '" OR 1=1 --\n<script>alert(1)</script>',
        "address": "'; DELETE FROM feed_items WHERE '1'='1",
        SQL: "${jndi:ldap://x/a}",
        "nested": {"q": "1; SELECT pg_sleep(10)", "list": ["%s", "%(x)s", "\\x00"]},
    }
    (got,) = Door(store).send(alert(id=SQL[:60], **nasty))
    stored = item(store, got.item_id)
    assert (stored.source_id, stored.title, stored.address) == (
        SQL[:60],
        SQL,
        nasty["address"],
    )
    assert stored.description == nasty["description"]
    assert stored.payload["extra"] == {SQL: "${jndi:ldap://x/a}", "nested": nasty["nested"]}
    assert stored.id is not None
    order_id = confirm(svc, actors["duty"], stored.id)
    o = svc.load(actors["duty"], order_id).order
    assert (o.title, o.external_ref) == (SQL, SQL[:60])
    assert count(store) == 1 and orders_count(store) == 1  # every table still there


def test_categories_and_places_are_checked_at_the_door(store: Store) -> None:
    door = Door(store)
    assert door.check(alert(category="no-such")) == Refusal("unknown_category", "category")
    assert door.check(alert(category="090499")) == Refusal("ambiguous_category", "category")
    assert door.check(alert(category="0704")) == Refusal("category_not_selectable", "category")
    ok = door.check(alert(category="db44t2479-2024:0904:090499"))
    assert isinstance(ok, FeedMessage) and ok.category_code == "090499"
    assert door.check(alert(point="outside")) == Refusal("outside_county", "lon")
    assert door.check(alert(source="cam", kind="iot")) == Refusal("kind_mismatch", "kind")
    assert door.check(alert(source="nobody")) == Refusal("unknown_source", "source")
    assert door.check(alert(source=7)) == Refusal("not_text", "source")
    assert door.check({"id": "x"}) == Refusal("required", "source")


def test_the_rate_limit_is_per_source_on_the_injected_clock(store: Store) -> None:
    door = Door(store, now=100.0)  # cam: 1 a second, burst 3
    codes = [door.check(alert(source="cam", id=f"V{i}", kind="video")) for i in range(5)]
    assert [c.code if isinstance(c, Refusal) else "ok" for c in codes] == [
        "ok",
        "ok",
        "ok",
        "rate_limited",
        "rate_limited",
    ]
    assert isinstance(door.check(alert(id="S1")), FeedMessage)  # smoke has its own bucket
    door.now[0] += 1.0
    assert isinstance(door.check(alert(source="cam", id="V9", kind="video")), FeedMessage)
    assert door.check(alert(source="cam", id="V10", kind="video")) == Refusal(
        "rate_limited", "source"
    )


def test_the_configuration_is_checked_against_the_database(store: Store) -> None:
    bad = CONFIG_TEXT.replace('category = "070301"', 'category = "999999"')
    with pytest.raises(FeedConfigError) as caught:
        Screen(store, config(bad))
    assert caught.value.problems == [("source \"cam\": category '999999'", "unknown_category")]
    bad = CONFIG_TEXT.replace('register_as = "duty"', 'register_as = "ghost"')
    with pytest.raises(FeedConfigError) as caught:
        registrars(store, config(bad))
    assert caught.value.problems == [('source "water": register_as', "no_active_user: ghost")]
    default = CONFIG_TEXT.replace('register_as = "duty"\n', "")
    assert registrars(store, config(default))["water"].username == "duty"


def test_a_line_no_database_accepts_costs_only_itself(
    store: Store, county: County, caplog: pytest.LogCaptureFixture
) -> None:
    door = Door(store)
    good = door.check(alert(id="G1"))
    other = door.check(alert(id="G2"))
    assert isinstance(good, FeedMessage) and isinstance(other, FeedMessage)
    broken = replace(good, source_id="B1", unit_id=987_654)  # no such unit: a foreign key
    got = door.inbox.receive([good, broken, other])
    assert [(r.error, r.item_id is not None) for r in got] == [
        (None, True),
        ("store_failed", False),
        (None, True),
    ]
    assert count(store) == 2 and "B1" in caplog.text


# --- the command ------------------------------------------------------------------------


def test_feed_list_confirm_and_dismiss_from_the_command_line(
    db_url: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    got = Door(store).send(alert(id="C1"), alert(source="cam", id="C2", kind="video", title="聚集"))
    one, two = (r.item_id for r in got)
    capsys.readouterr()
    assert main.main(["--db", db_url, "feed", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t") == [
        "id",
        "received",
        "source",
        "kind",
        "status",
        "grid",
        "order",
        "title",
    ]
    assert [r.split("\t")[0] for r in out[1:]] == [str(two), str(one)]
    assert out[2].split("\t")[1:] == [
        "2025-03-03 09:00:00",
        "smoke",
        "iot",
        "pending",
        "1-1-1网格",
        "-",
        "烟感报警",
    ]
    assert main.main(["--db", db_url, "feed", "confirm", str(one), "--note", "核实"]) == 0
    assert "confirmed by duty: order " in capsys.readouterr().out
    assert main.main(["--db", db_url, "feed", "confirm", str(one)]) == 2
    assert "is already confirmed" in capsys.readouterr().err
    assert main.main(["--db", db_url, "feed", "dismiss", str(two), "--reason", " "]) == 2
    assert "reason: required" in capsys.readouterr().err
    args = ["--db", db_url, "feed", "dismiss", str(two), "--reason", "误报", "--as", "dispatcher"]
    assert main.main(args) == 0
    assert "dismissed by dispatcher" in capsys.readouterr().out
    assert main.main(["--db", db_url, "feed", "dismiss", "999", "--reason", "x"]) == 2
    assert "no alert 999" in capsys.readouterr().err
    assert main.main(["--db", db_url, "feed", "confirm", str(one), "--as", "ghost"]) == 2
    assert "no active user ghost" in capsys.readouterr().err
    assert main.main(["--db", db_url, "feed", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no pending alerts"
    assert main.main(["--db", db_url, "feed", "list", "--status", "all", "--limit", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and "\tdismissed\t" in out[1]
    for bad in (["confirm", "abc"], ["confirm", "0"], ["dismiss", "1"], ["list", "--status", "x"]):
        with pytest.raises(SystemExit) as exit_:
            main.main(["--db", db_url, "feed", *bad])
        assert exit_.value.code == 2
    capsys.readouterr()


def test_an_unreachable_database_is_answered_not_fatal(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    door = Door(store)
    msgs = [door.check(alert(id=f"U{i}")) for i in range(3)]
    assert all(isinstance(m, FeedMessage) for m in msgs)

    def down(_messages: Any) -> Any:
        raise OperationalError("INSERT …", {}, ConnectionRefusedError("server closed"))

    monkeypatch.setattr(door.inbox, "_receive", down)
    got = door.inbox.receive([m for m in msgs if isinstance(m, FeedMessage)])
    assert [(r.item_id, r.error) for r in got] == [(None, "store_unavailable")] * 3
    monkeypatch.undo()
    assert [
        r.error for r in door.inbox.receive([m for m in msgs if isinstance(m, FeedMessage)])
    ] == [None] * 3
