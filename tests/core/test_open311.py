"""Open311 GeoReport v2 codec: the spec's own examples, 50 real Chicago requests, and our
export read back by our own parser."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone
from xml.etree.ElementTree import fromstring
from zoneinfo import ZoneInfo

import pytest

from core.domain.enums import OrderState
from core.open311 import (
    Open311Error,
    Open311Note,
    Open311RemoteError,
    Open311Request,
    OrderRow,
    ServiceRow,
    encode_requests,
    open311_status,
    order_to_request,
    parse_errors,
    parse_requests,
    parse_service_definition,
    parse_services,
    requests_document,
    services_document,
)
from tests.shared_data import shared_data

DATA = shared_data() / "open311"
SPEC = DATA / "spec_examples"
CHICAGO = DATA / "chicago_open311_2014_requests_50.json"
PST = timezone(timedelta(hours=-8))
CDT = timezone(timedelta(hours=-5))
CST = timezone(timedelta(hours=-6))
CN = timezone(timedelta(hours=8))

REQUEST_FILES = [
    "requests.json",
    "requests.xml",
    "request_638344.json",
    "request_638344.xml",
    "post_request_response.json",
    "post_request_response.xml",
    "token_response.json",
    "token_response.xml",
]
SERVICE_FILES = ["services.json", "services.xml"]
DEFINITION_FILES = ["service_definition_DMV66.json", "service_definition_DMV66.xml"]
ERROR_FILES = ["error_403_json.http", "error_403_xml.http"]
# Not a document: the form-encoded body of a POST, shown in the spec for illustration.
NOT_DOCUMENTS = {"SOURCE.txt", "post_request_example.http"}


@pytest.fixture(autouse=True)
def _need_data() -> None:
    if not SPEC.is_dir():
        pytest.skip(f"shared data not present: {SPEC}")


def spec(name: str) -> bytes:
    return (SPEC / name).read_bytes()


def http_body(name: str) -> bytes:
    return spec(name).split(b"\n\n", 1)[1]


# --- the spec examples ------------------------------------------------------------------


def test_every_spec_example_is_covered() -> None:
    listed = set(REQUEST_FILES + SERVICE_FILES + DEFINITION_FILES + ERROR_FILES) | NOT_DOCUMENTS
    assert {p.name for p in SPEC.iterdir()} == listed


@pytest.mark.parametrize("name", REQUEST_FILES)
def test_spec_request_documents_parse(name: str) -> None:
    result = parse_requests(spec(name))
    assert result.items and not result.errors
    assert result.format == name.rsplit(".", 1)[1]


def test_spec_requests_json_values() -> None:
    result = parse_requests(spec("requests.json"))
    first, second = result.items
    assert first == Open311Request(
        service_request_id="638344",
        status="closed",
        status_notes="Duplicate request.",
        service_name="Sidewalk and Curb Issues",
        service_code="006",
        requested_datetime=datetime(2010, 4, 14, 6, 37, 38, tzinfo=PST),
        updated_datetime=datetime(2010, 4, 14, 6, 37, 38, tzinfo=PST),
        expected_datetime=datetime(2010, 4, 15, 6, 37, 38, tzinfo=PST),
        address="8TH AVE and JUDAH ST",
        address_id="545483",
        zipcode="94122",
        lat=37.762221815,
        long=-122.4651145,
        media_url="http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
    )
    assert second.status == "open" and second.status_notes is None
    assert second.expected_datetime == datetime(2010, 4, 19, 6, 37, 38, tzinfo=PST)


def test_leading_zero_numbers_are_warnings_with_their_position() -> None:
    result = parse_requests(spec("requests.json"))
    assert [(p.code, p.severity, p.index) for p in result.problems] == [
        ("leading_zero_number", "warning", None)
    ] * 2
    # `    "service_code":006,` on lines 7 and 26: the number starts in column 20.
    assert [(p.params["line"], p.params["column"], p.params["text"]) for p in result.problems] == [
        (7, 20, "006"),
        (26, 20, "006"),
    ]
    offset = result.problems[0].params["offset"]
    assert spec("requests.json")[offset : offset + 3] == b"006"


def test_the_published_json_examples_are_really_invalid() -> None:
    with pytest.raises(json.JSONDecodeError):
        json.loads(spec("requests.json"))


@pytest.mark.parametrize("stem", ["requests", "request_638344", "post_request_response"])
def test_json_and_xml_examples_give_the_same_records(stem: str) -> None:
    from_json = parse_requests(spec(f"{stem}.json")).items
    from_xml = parse_requests(spec(f"{stem}.xml")).items
    assert from_json == from_xml


def test_post_response_and_token() -> None:
    (posted,) = parse_requests(spec("post_request_response.xml")).items
    assert posted.service_request_id == "293944"
    assert posted.service_notice is not None
    assert posted.service_notice.startswith("The City will inspect")
    assert posted.service_notice.endswith("Public Works Code")
    assert posted.extra == {"account_id": None}
    (token,) = parse_requests(spec("token_response.json")).items
    assert token.extra == {"token": 12345}


@pytest.mark.parametrize("name", SERVICE_FILES)
def test_spec_services(name: str) -> None:
    result = parse_services(spec(name))
    assert [s.service_code for s in result.items] == ["001", "002", "003"]
    cans = result.items[0]
    assert cans.service_name == "Cans left out 24x7"
    assert cans.metadata is True and cans.type == "realtime" and cans.group == "sanitation"
    assert cans.keywords == ("lorem", "ipsum", "dolor")
    assert result.items[2].description is not None
    assert result.items[2].description.startswith("Sidewalk curb or ramp")
    assert not result.errors
    assert len(result.warnings) == (3 if name.endswith(".json") else 0)


def test_spec_services_json_equals_xml() -> None:
    assert parse_services(spec("services.json")).items == parse_services(spec("services.xml")).items


@pytest.mark.parametrize("name", DEFINITION_FILES)
def test_spec_service_definition(name: str) -> None:
    result = parse_service_definition(spec(name))
    (definition,) = result.items
    assert definition.service_code == "DMV66"
    (attr,) = definition.attributes
    assert (attr.code, attr.datatype, attr.variable, attr.required, attr.order) == (
        "WHISHETN",
        "singlevaluelist",
        True,
        True,
        1,
    )
    assert attr.description == "What is the ticket/tag/DL number?"
    assert [(v.key, v.name) for v in attr.values] == [("123", "Ford"), ("124", "Chrysler")]
    assert not result.problems


@pytest.mark.parametrize("name", ERROR_FILES)
def test_spec_error_documents(name: str) -> None:
    expected = Open311RemoteError(
        403, "Invalid api_key received -- can't proceed with create_request."
    )
    assert parse_errors(http_body(name)) == (expected,)
    with pytest.raises(Open311Error) as caught:
        parse_requests(http_body(name))
    assert caught.value.code == "remote_errors"
    assert caught.value.params["errors"] == (expected,)


def test_parse_errors_refuses_a_requests_document() -> None:
    with pytest.raises(Open311Error) as caught:
        parse_errors(spec("requests.xml"))
    assert caught.value.code == "not_georeport"


# --- Chicago ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chicago() -> tuple[Open311Request, ...]:
    if not CHICAGO.is_file():
        pytest.skip("Chicago sample not present")
    result = parse_requests(CHICAGO.read_bytes())
    assert result.problems == ()
    return result.items


def test_chicago_counts(chicago: tuple[Open311Request, ...]) -> None:
    assert len(chicago) == 50
    assert len({r.service_request_id for r in chicago}) == 50
    assert sum(len(r.notes) for r in chicago) == 276
    assert Counter(n.type for r in chicago for n in r.notes) == {
        "activity": 61,
        "follow_on_created": 52,
        "follow_on_closed": 51,
        "opened": 50,
        "closed": 49,
        "submitted": 13,
    }
    # 49 closed; 14-01873637 is still open and its timeline has no "closed" note.
    assert Counter(r.status for r in chicago) == {"closed": 49, "open": 1}
    (still_open,) = [r for r in chicago if r.status == "open"]
    assert still_open.service_request_id == "14-01873637"
    assert "closed" not in [n.type for n in still_open.notes]
    assert all(n.datetime is not None and n.datetime.utcoffset() for r in chicago for n in r.notes)
    assert sum(r.media_url is not None for r in chicago) == 2
    assert sum("notes" in r.extra for r in chicago) == 0
    assert all("extended_attributes" in r.extra for r in chicago)


def test_chicago_first_request_by_hand(chicago: tuple[Open311Request, ...]) -> None:
    r = chicago[0]
    assert r.service_request_id == "14-00684314"
    assert r.service_name == "Pothole in Street"
    assert r.service_code == "4fd3b656e750846c53000004"
    assert r.agency_responsible == "Division of In-House Construction CDOT"
    assert r.status_notes == "CDOT Inspect Public Way Survey Transfer Outcome"
    assert r.requested_datetime == datetime(2014, 5, 9, 19, 2, 21, tzinfo=CDT)
    assert r.updated_datetime == datetime(2015, 10, 10, 10, 15, 40, tzinfo=CDT)
    assert r.address == "1200 W 81ST ST, CHICAGO, IL, 60620"
    assert (r.lat, r.long) == (41.74685764200721, -87.6536401592609)
    assert r.extra["attributes"] == {"WHEREIST": "TRAFFIC"}
    assert r.extra["extended_attributes"]["ward"] == "21"
    assert [n.type for n in r.notes] == [
        "opened",
        "activity",
        "follow_on_created",
        "follow_on_created",
        "follow_on_closed",
        "follow_on_closed",
        "closed",
    ]
    assert r.notes[0] == Open311Note(
        datetime(2014, 5, 9, 19, 2, 21, tzinfo=CDT), "opened", "Request opened"
    )
    follow_on = r.notes[2]
    assert follow_on.summary == "Follow-on Inspect Public Way Construction Created"
    assert follow_on.description == (
        "Inspect Public Way Survey #14-01225670 created for Transportation"
    )
    assert follow_on.extra["extended_attributes"]["service_request_id"] == "14-01225670"


def test_chicago_duplicate_and_photo(chicago: tuple[Open311Request, ...]) -> None:
    dup = chicago[1]
    assert dup.service_request_id == "14-02155558"
    assert dup.status_notes == "Duplicate"
    assert dup.requested_datetime == datetime(2014, 12, 17, 18, 39, 3, tzinfo=CST)
    assert dup.extra["extended_attributes"]["duplicate"] is True
    assert dup.extra["extended_attributes"]["parent_service_request_id"] == "15-05164921"
    assert [n.type for n in dup.notes] == ["opened", "closed"]
    photo = chicago[25]
    assert photo.service_request_id == "14-00032098"
    assert photo.media_url is not None and photo.media_url.endswith("/Busted_Pipe.JPG")
    assert photo.address == "1216 W Diversey Pkwy Lake View"


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["requests.json", "requests.xml", "request_638344.xml"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_spec_requests_round_trip(source: str, fmt: str) -> None:
    original = parse_requests(spec(source)).items
    again = parse_requests(encode_requests(original, fmt))  # type: ignore[arg-type]
    assert again.problems == ()
    assert again.items == original


def test_chicago_round_trips_through_json(chicago: tuple[Open311Request, ...]) -> None:
    again = parse_requests(encode_requests(chicago, "json"))
    assert again.problems == ()
    assert again.items == chicago


def _textual(value: object) -> object:
    """What XML keeps of an extra: text, dicts and lists of text."""
    if isinstance(value, dict):
        return {k: _textual(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_textual(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def test_chicago_round_trips_through_xml(chicago: tuple[Open311Request, ...]) -> None:
    again = parse_requests(encode_requests(chicago, "xml"))
    assert again.problems == ()
    for before, after in zip(chicago, again.items, strict=True):
        for f in fields(Open311Request):
            if f.name not in ("extra", "notes"):
                assert getattr(after, f.name) == getattr(before, f.name), f.name
        assert after.extra == _textual(before.extra)
        assert [replace(n, extra={}) for n in after.notes] == [
            replace(n, extra={}) for n in before.notes
        ]
        assert [n.extra for n in after.notes] == [_textual(n.extra) for n in before.notes]


# --- export of our orders and categories ------------------------------------------------


def _order(**kw: object) -> OrderRow:
    base: dict[str, object] = {
        "order_id": 42,
        "number": "ZZ20261204-0007",
        "state": "in_progress",
        "requested_at": datetime(2026, 12, 4, 9, 30, tzinfo=CN),
        "updated_at": datetime(2026, 12, 4, 10, 5, 12, tzinfo=CN),
        "deadline": datetime(2026, 12, 9, 17, 30, tzinfo=CN),
        "category_code": "010101",
        "category_name": "噪声扰民",
        "description": "楼下KTV深夜噪音",
        "address": "城关镇解放路12号",
        "lat": 23.123456,
        "lon": 113.2654321,
        "agency": "城关镇综治中心",
        "notes": (
            (datetime(2026, 12, 4, 9, 30, tzinfo=CN), "opened", "受理", None),
            (datetime(2026, 12, 4, 10, 5, 12, tzinfo=CN), "activity", "已签收", "城关镇已签收"),
        ),
    }
    base.update(kw)
    return OrderRow(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("state", list(OrderState))
def test_every_state_maps_to_open_or_closed(state: OrderState) -> None:
    closed = {"closed", "merged", "transferred", "voided"}
    assert open311_status(state) == ("closed" if state.value in closed else "open")
    request = order_to_request(_order(state=state.value))
    assert request.status == open311_status(state)
    assert request.extra == {"status_description": state.value}


def test_unknown_state_is_refused() -> None:
    with pytest.raises(Open311Error) as caught:
        open311_status("lost")
    assert caught.value.code == "unknown_state"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_order_export_reads_back(fmt: str) -> None:
    doc = requests_document([_order(), _order(order_id=43, number=None, state="merged")], fmt)  # type: ignore[arg-type]
    result = parse_requests(doc)
    assert result.problems == ()
    first, second = result.items
    assert first.service_request_id == "ZZ20261204-0007"
    assert second.service_request_id == "43"
    assert (first.status, second.status) == ("open", "closed")
    assert first.extra == {"status_description": "in_progress"}
    assert second.extra == {"status_description": "merged"}
    assert first.service_code == "010101" and first.service_name == "噪声扰民"
    assert first.status_notes == "城关镇已签收"  # the latest note stands for the result
    assert first.expected_datetime == datetime(2026, 12, 9, 17, 30, tzinfo=CN)
    assert first.agency_responsible == "城关镇综治中心"
    assert (first.lat, first.long) == (23.123456, 113.2654321)
    assert [(n.type, n.summary, n.description) for n in first.notes] == [
        ("opened", "受理", None),
        ("activity", "已签收", "城关镇已签收"),
    ]


def test_export_datetimes_are_w3c_with_offset() -> None:
    (item,) = json.loads(requests_document([_order()]))
    assert item["requested_datetime"] == "2026-12-04T09:30:00+08:00"
    assert item["updated_datetime"] == "2026-12-04T10:05:12+08:00"
    assert item["expected_datetime"] == "2026-12-09T17:30:00+08:00"
    assert item["notes"][0]["datetime"] == "2026-12-04T09:30:00+08:00"
    assert item["status_description"] == "in_progress"
    assert item["service_code"] == "010101"  # text: the spec's own 006 mistake avoided


def test_export_with_a_named_zone() -> None:
    shanghai = ZoneInfo("Asia/Shanghai")
    row = _order(requested_at=datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=shanghai))
    (item,) = json.loads(requests_document([row]))
    assert item["requested_datetime"] == "2026-12-04T09:30:15+08:00"  # to the second


def test_explicit_result_wins_over_notes() -> None:
    request = order_to_request(_order(status_notes="已办结，噪音已停止", state="closed"))
    assert request.status_notes == "已办结，噪音已停止"
    assert order_to_request(_order(notes=())).status_notes is None


def test_naive_datetime_is_refused_on_export() -> None:
    with pytest.raises(Open311Error) as caught:
        requests_document([_order(deadline=datetime(2026, 12, 9, 17, 30))])
    assert caught.value.code == "naive_datetime"
    assert caught.value.params == {"field": "expected_datetime"}


def test_xml_export_is_well_formed_utf8() -> None:
    doc = requests_document([_order()], "xml")
    assert doc.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = fromstring(doc)
    assert root.tag == "service_requests"
    assert root.findtext("request/description") == "楼下KTV深夜噪音"
    assert root.findtext("request/status_description") == "in_progress"
    assert len(root.findall("request/notes/note")) == 2


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_document_from_taxonomy_rows(fmt: str) -> None:
    rows = [
        ("010101", "噪声扰民", "生活噪声、施工噪声", "城乡建设", ("噪音", "扰民")),
        ServiceRow("090499", "其他", None, None, "其他, 杂项"),
    ]
    result = parse_services(services_document(rows, fmt))  # type: ignore[arg-type]
    assert result.problems == ()
    first, second = result.items
    assert (first.service_code, first.service_name, first.group) == (
        "010101",
        "噪声扰民",
        "城乡建设",
    )
    assert first.description == "生活噪声、施工噪声"
    assert first.keywords == ("噪音", "扰民")
    assert (first.metadata, first.type) == (False, "realtime")
    assert second.service_code == "090499" and second.keywords == ("其他", "杂项")
    assert second.description is None and second.group is None
