"""Bad input at intake: each field gets its own clear error, and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.domain.actor import Actor
from core.errors import ValidationError
from core.geo import gcj02_to_wgs84, wgs84_to_gcj02
from core.service import OrderService
from core.storage.schema import orders
from tests.core.county import POINTS, X0, Y0, County
from tests.core.test_smoke_loop import draft


def refused(svc: OrderService, actor: Actor, **kw: object) -> ValidationError:
    before = count(svc)
    with pytest.raises(ValidationError) as err:
        svc.register(actor, draft(**kw))
    assert count(svc) == before, "a refused draft wrote something"
    return err.value


def count(svc: OrderService) -> int:
    with svc.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(orders)).scalar_one())


@pytest.mark.parametrize(
    ("kw", "field", "code"),
    [
        (
            {"category_node_id": "db44t2479-2024:9999:123456"},
            "category_node_id",
            "unknown_category",
        ),
        ({"category_node_id": "db44t2479-2024:03"}, "category_node_id", "category_not_selectable"),
        ({"description": ""}, "description", "required"),
        ({"description": "   \n "}, "description", "required"),
        ({"description": "长" * 5001}, "description", "too_long"),
        ({"channel": "carrier_pigeon"}, "channel", "unknown_value"),
        ({"request_type": "rant"}, "request_type", "unknown_value"),
        ({"urgency": "whenever"}, "urgency", "unknown_value"),
        (
            {"lon": POINTS["outside"][0], "lat": POINTS["outside"][1]},
            "coordinates",
            "outside_county",
        ),
        ({"lon": 33.0, "lat": 118.5}, "coordinates", "coordinates_swapped"),
        ({"lon": 200.0, "lat": 33.0}, "coordinates", "coordinates_out_of_range"),
        ({"lon": "东经", "lat": 33.0}, "coordinates", "coordinates_not_numbers"),
        ({"lon": 118.5, "lat": None}, "coordinates", "coordinates_incomplete"),
        ({"coord_system": "bd09"}, "coord_system", "unknown_value"),
        ({"location_unit_id": 999_999}, "location_unit_id", "unknown_unit"),
        ({"phone": None}, "phone", "phone_required"),
        ({"phone": "1381234567a"}, "phone", "phone_bad_characters"),
        ({"phone": "12345"}, "phone", "phone_bad_length"),
        ({"phone": "12812345678"}, "phone", "phone_bad_mobile_prefix"),
        ({"phone": "62345678"}, "phone", "phone_missing_area_code"),
        ({"phone": "011-12345678"}, "phone", "phone_bad_area_code"),
        ({"phone": "13812345678转123"}, "phone", "phone_extension_on_mobile"),
        ({"risk_grade": "red"}, "dispute_type", "not_a_dispute_category"),
        ({"category_node_id": "db44t2479-2024:0903:090305"}, "risk_grade", "required"),
        (
            {"category_node_id": "db44t2479-2024:0903:090305", "risk_grade": "purple"},
            "risk_grade",
            "unknown_value",
        ),
        (
            {
                "category_node_id": "db44t2479-2024:0903:090305",
                "risk_grade": "red",
                "parties": [{"role": "甲"}],
            },
            "parties[0].name",
            "required",
        ),
        ({"limit_class": "eternal"}, "limit_class", "unknown_value"),
    ],
)
def test_each_bad_field_is_named(
    svc: OrderService, actors: dict[str, Actor], kw: dict[str, object], field: str, code: str
) -> None:
    err = refused(svc, actors["duty"], **kw)
    assert code in err.codes_for(field), [str(e) for e in err.errors]


def test_every_bad_field_is_reported_at_once(svc: OrderService, actors: dict[str, Actor]) -> None:
    err = refused(
        svc, actors["duty"], description="", phone="abc", category_node_id="nope", urgency="x"
    )
    assert {"description", "phone", "category_node_id", "urgency"} <= err.fields()


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("(010) 6234 5678", "010-62345678"),
        ("0755-2345678 转 8021", "0755-2345678-8021"),
        ("400-810-8888", "400-810-8888"),
        ("95588", "95588"),
    ],
)
def test_good_phone_formats(
    svc: OrderService, actors: dict[str, Actor], text: str, stored: str
) -> None:
    oid = svc.register(actors["duty"], draft(phone=text)).order_id
    assert svc.load(actors["duty"], oid).order.phone == stored


def test_no_phone_for_anonymous_callers_and_letters(
    svc: OrderService, actors: dict[str, Actor]
) -> None:
    svc.register(actors["duty"], draft(phone=None, anonymous=True))
    svc.register(actors["duty"], draft(phone=None, channel="letter_visit"))
    svc.register(actors["duty"], draft(phone="  ", channel="public_opinion"))


def test_level2_leaf_categories_are_selectable(svc: OrderService, actors: dict[str, Actor]) -> None:
    oid = svc.register(
        actors["duty"], draft(category_node_id="db44t2479-2024:0106:010600")
    ).order_id
    assert svc.load(actors["duty"], oid).order.category_node_id.endswith("010600")


def test_gcj02_input_is_converted_before_the_grid_lookup(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    # A point 200 m west of the boundary between grids g1 and g2 of village town1v1.
    wgs = (X0 + 0.05 - 0.002, Y0 + 0.05)
    gcj = wgs84_to_gcj02(*wgs)
    assert gcj[0] > X0 + 0.05, "the raw GCJ-02 point lies across the boundary, in the next grid"
    right = svc.register(
        actors["duty"], draft(lon=gcj[0], lat=gcj[1], coord_system="gcj02")
    ).order_id
    order = svc.load(actors["duty"], right).order
    assert order.location_unit_id == county.units["town1v1g1"]
    assert order.lon == pytest.approx(wgs[0], abs=1e-6) and order.lat == pytest.approx(
        wgs[1], abs=1e-6
    )
    wrong = svc.register(actors["duty"], draft(lon=gcj[0], lat=gcj[1])).order_id  # taken as WGS-84
    assert svc.load(actors["duty"], wrong).order.location_unit_id == county.units["town1v1g2"]
    assert gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=1e-7)


def test_special_grid_wins_inside_its_boundary(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    lon, lat = POINTS["school"]
    oid = svc.register(actors["duty"], draft(lon=lon, lat=lat)).order_id
    assert svc.load(actors["duty"], oid).order.location_unit_id == county.units["school"]


def test_no_location_falls_back_to_the_registering_centre(
    svc: OrderService, actors: dict[str, Actor], county: County
) -> None:
    oid = svc.register(actors["duty"], draft(lon=None, lat=None)).order_id
    assert svc.load(actors["duty"], oid).order.location_unit_id == county.units["county"]


def test_edit_validates_like_intake(svc: OrderService, actors: dict[str, Actor]) -> None:
    oid = svc.register(actors["duty"], draft()).order_id
    with pytest.raises(ValidationError) as err:
        svc.edit(actors["dispatcher"], oid, {"phone": "123", "description": ""})
    assert err.value.fields() == {"phone", "description"}
    assert svc.load(actors["duty"], oid).order.version == 1
    with pytest.raises(ValidationError) as err:
        svc.edit(actors["dispatcher"], oid, {"number": "2025-999999"})
    assert err.value.codes_for("number") == ["not_editable"]
    res = svc.edit(
        actors["dispatcher"],
        oid,
        {"phone": "0571 8765 4321", "title": "新标题", "urgency": "normal"},
    )
    assert len(res.event_ids) == 2, "one event per changed field; unchanged fields write nothing"
