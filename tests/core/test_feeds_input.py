"""The machine feeds' input, without a database: the configuration file (every problem
named by line and field), the line format's refusals (a code and a field each, hostile
bytes included), the bounded line splitter and the token buckets on a stepped clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.feeds.config import FEEDS_FILE, FeedConfigError, load_feeds, parse_feeds
from core.feeds.lines import TOO_LONG, LineSplitter
from core.feeds.message import FeedMessage, Refusal, decode, validate
from core.feeds.ratelimit import RateLimiter, TokenBucket
from core.geo import wgs84_to_gcj02

NOW = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


# --- the configuration ------------------------------------------------------------------


def test_the_shipped_file_loads() -> None:
    config = load_feeds(FEEDS_FILE)
    assert config.listener.host == "127.0.0.1" and config.listener.port == 0
    assert {n: (s.kind, s.auto_register) for n, s in config.sources.items()} == {
        "smoke": ("iot", False),
        "water-level": ("iot", True),
        "xueliang": ("video", False),
    }
    assert config.sources["xueliang"].request_type == "report"


BROKEN = """\
[listener]
host = "0.0.0.0"
port = 70000
colour = "red"

[[source]]
name = "smoke"
kind = "iot"
category = "070403"

[[source]]
name = "cam"
kind = "camera"
category = "070301"
rate = 0
burst = 1.5
register_as = "duty01"

[[source]]
name = "smoke"
kind = "iot"
category = "070403"

[[source]]
name = "bad name!"
kind = "iot"
category = ""
urgency = "soon"
"""


def test_a_broken_file_is_refused_with_every_problem_by_line_and_field() -> None:
    with pytest.raises(FeedConfigError) as caught:
        parse_feeds(BROKEN, "feeds.toml")
    assert caught.value.path == "feeds.toml"
    assert caught.value.problems == [
        ("[listener] colour", "unknown_key"),
        ("[listener] host", "not_loopback_without_allow_remote"),
        ("[listener] port", "not_an_integer_from_0_to_65535"),
        ('line 11, source "cam": kind', "not_iot_or_video"),
        ('line 11, source "cam": rate', "not_a_positive_number"),
        ('line 11, source "cam": burst', "not_a_positive_integer"),
        ('line 11, source "cam": register_as', "only_with_auto_register"),
        ('line 19, source "smoke": name', "duplicate_name"),
        ("line 24: name", "required_name_up_to_40_letters_digits_dot_dash"),
        ("line 24: category", "required_node_id_or_code"),
        ("line 24: urgency", "unknown_value"),
    ]


def test_remote_hosts_need_allow_remote_and_toml_errors_name_the_line() -> None:
    ok = parse_feeds('[listener]\nhost = "0.0.0.0"\nallow_remote = true\n')
    assert ok.listener.host == "0.0.0.0" and ok.sources == {}
    with pytest.raises(FeedConfigError) as caught:
        parse_feeds("[listener]\nport = \n", "f.toml")
    ((where, code),) = caught.value.problems
    assert where == "file" and code.startswith("not_toml") and "line 2" in code
    with pytest.raises(FeedConfigError) as caught:
        parse_feeds("[source]\nname = 'x'\n")
    assert caught.value.problems == [("[source]", "not_an_array_of_tables: write [[source]]")]


# --- one line ---------------------------------------------------------------------------


def good(**changes: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "source": "smoke",
        "id": "SG-1",
        "occurred_at": "2025-03-03T08:15:00+08:00",
        "title": "烟感报警",
        "description": "3号楼烟感报警",
        "lon": 118.44,
        "lat": 32.95,
    }
    msg.update(changes)
    return {k: v for k, v in msg.items() if v is not None}


def check(obj: dict[str, Any], kind: str = "iot") -> FeedMessage | Refusal:
    return validate(obj, kind, NOW)


def test_a_good_message() -> None:
    m = check(good(device="SD-1", level=2))
    assert isinstance(m, FeedMessage)
    assert (m.source, m.source_id, m.kind, m.title) == ("smoke", "SG-1", "iot", "烟感报警")
    assert m.occurred_at == datetime(2025, 3, 3, 0, 15, tzinfo=UTC)
    assert m.extra == {"device": "SD-1", "level": 2}
    m = check(good(id=12345, title=None, occurred_at="2025-03-03T00:15:00Z"))
    assert isinstance(m, FeedMessage) and m.source_id == "12345" and m.title == "3号楼烟感报警"


def test_gcj02_points_are_converted_and_kept_as_sent() -> None:
    lon, lat = wgs84_to_gcj02(118.44, 32.95)
    m = check(good(lon=lon, lat=lat, gcj02=True))
    assert isinstance(m, FeedMessage) and m.sent_lonlat == (lon, lat)
    assert m.lon == pytest.approx(118.44, abs=1e-7) and m.lat == pytest.approx(32.95, abs=1e-7)


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"id": None}, "required", "id"),
        ({"id": ""}, "required", "id"),
        ({"id": "x" * 65}, "too_long", "id"),
        ({"id": ["a"]}, "not_text", "id"),
        ({"id": " padded"}, "bad_id", "id"),
        ({"id": "a\nb"}, "bad_id", "id"),
        ({"id": True}, "not_text", "id"),
        ({"kind": "video"}, "kind_mismatch", "kind"),
        ({"kind": "radar"}, "unknown_value", "kind"),
        ({"occurred_at": None}, "required", "occurred_at"),
        ({"occurred_at": "yesterday"}, "bad_time", "occurred_at"),
        ({"occurred_at": 1741000000}, "required", "occurred_at"),
        ({"occurred_at": "2025-03-03T08:15:00"}, "time_without_offset", "occurred_at"),
        ({"occurred_at": "2025-03-03T11:00:00+08:00"}, "in_future", "occurred_at"),
        ({"occurred_at": "0001-01-01T00:00:00+01:00"}, "bad_time", "occurred_at"),
        ({"occurred_at": "2025-03-03T08:15:00+08:00" + " " * 40}, "bad_time", "occurred_at"),
        ({"title": None, "description": None}, "required", "title"),
        ({"title": "x" * 201}, "too_long", "title"),
        ({"title": 5}, "not_text", "title"),
        ({"title": "烟感\x1b[2J报警"}, "control_characters", "title"),
        ({"description": "x" * 2001}, "too_long", "description"),
        ({"address": "a\rb"}, "control_characters", "address"),
        ({"lat": None}, "coordinates_incomplete", "lat"),
        ({"lon": "118.4"}, "coordinates_not_numbers", "lon"),
        ({"lon": True, "lat": False}, "coordinates_not_numbers", "lon"),
        ({"lon": 32.95, "lat": 118.44}, "coordinates_swapped", "lon"),
        ({"lon": 200.0, "lat": 10.0}, "coordinates_out_of_range", "lon"),
        ({"lon": None, "lat": None}, "location_required", "lon"),
        ({"gcj02": "yes"}, "not_true_or_false", "gcj02"),
        ({"category": 70403}, "not_text", "category"),
    ],
)
def test_each_bad_field_is_refused_with_its_code(
    changes: dict[str, Any], code: str, field: str
) -> None:
    assert check(good(**changes)) == Refusal(code, field)


def test_an_address_alone_places_it_and_multiline_descriptions_stay() -> None:
    m = check(good(lon=None, lat=None, address="幸福路12号", description="第一行\n\t第二行"))
    assert isinstance(m, FeedMessage) and m.lon is None and m.address == "幸福路12号"
    assert m.description == "第一行\n\t第二行"


def line(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    ("raw", "refusal"),
    [
        (b'{"source": "smoke", "id": "SG-1", "occurred_at": "2025-03-03T08', Refusal("bad_json")),
        (b"\xff\xfe{\x00}", Refusal("not_utf8")),
        (json.dumps(good(), ensure_ascii=False).encode("gbk"), Refusal("not_utf8")),
        (b"[1, 2, 3]", Refusal("not_an_object")),
        (b'"just text"', Refusal("not_an_object")),
        (b"", Refusal("bad_json")),
        (b'{"lon": NaN}', Refusal("bad_json")),
        (b'{"lon": Infinity}', Refusal("bad_json")),
        (b'{"n": ' + b"9" * 5000 + b"}", Refusal("bad_json")),  # int digits limit
        (b"[" * 100_000 + b"]" * 100_000, Refusal("bad_json")),  # recursion
        (b'{"id": "a", "id": "b"}', Refusal("duplicate_key", "id")),
        (b'{"title": "a\\u0000b"}', Refusal("unstorable_text", "title")),
        (b'{"extra": {"k": ["\\ud800"]}}', Refusal("unstorable_text", "extra")),
        (b'{"\\u0000": 1}', Refusal("unstorable_text", "\x00")),
        (b'{"x": ' + b"[" * 500 + b"]" * 500 + b"}", Refusal("too_deep", "x")),
        (b'{"x": ' + b"[" * 16 + b"]" * 16 + b"}", {"x": [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}),
    ],
)
def test_hostile_bytes_are_refused_by_decode(raw: bytes, refusal: Refusal | dict[str, Any]) -> None:
    assert decode(raw) == refusal


def test_a_byte_order_mark_and_injection_strings_decode_as_text() -> None:
    sql = "'; DROP TABLE feed_items; --"
    obj = decode("\ufeff".encode() + line(good(title=sql, **{"x' OR '1'='1": sql})))
    assert isinstance(obj, dict) and obj["title"] == sql and obj["x' OR '1'='1"] == sql


# --- lines ------------------------------------------------------------------------------


def test_lines_split_across_reads_and_crlf() -> None:
    s = LineSplitter(16)
    assert s.feed(b"ab") == []
    assert s.feed(b"c\r\nde\n\nf") == [b"abc", b"de", b""]
    assert s.end() == [b"f"]
    assert s.end() == []


def test_an_oversize_line_is_dropped_as_it_arrives_and_the_next_line_is_read() -> None:
    s = LineSplitter(1000)
    out = []
    chunk = b"x" * 65_536
    for _ in range(160):  # 10 MB without a newline
        out += s.feed(chunk)
        assert len(s._buf) <= 1001  # never more than the bound held
    out += s.feed(b'x\n{"ok": 1}\n' + b"y" * 1000 + b"\n" + b"z" * 1001 + b"\r\n")
    assert out == [TOO_LONG, b'{"ok": 1}', b"y" * 1000, TOO_LONG]
    s.feed(b"w" * 5000)
    assert s.end() == [TOO_LONG]


# --- rates ------------------------------------------------------------------------------


def test_a_token_bucket_allows_the_burst_then_the_rate() -> None:
    b = TokenBucket(rate=2.0, burst=3, now=0.0)
    assert [b.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert b.take(0.4) is False  # 0.8 of a token
    assert b.take(0.5) is True
    assert [b.take(100.0) for _ in range(4)] == [True, True, True, False]  # capped at burst


def test_the_limiter_is_per_source_on_an_injected_clock() -> None:
    now = [10.0]
    limits = RateLimiter({"a": (1.0, 2), "b": (1.0, 1)}, monotonic=lambda: now[0])
    assert [limits.allow("a") for _ in range(3)] == [True, True, False]
    assert [limits.allow("b") for _ in range(2)] == [True, False]
    assert limits.allow("unknown") is False
    now[0] += timedelta(seconds=1).total_seconds()
    assert limits.allow("a") and limits.allow("b") and not limits.allow("b")
