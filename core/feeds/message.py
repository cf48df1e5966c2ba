"""One feed message: a JSON object on one line, UTF-8.

    {"source": "smoke-gw", "id": "SG-20261204-0007", "kind": "iot",
     "occurred_at": "2026-12-04T09:15:00+08:00",
     "title": "烟感报警", "description": "3号楼2单元烟感探测器报警",
     "lon": 118.4583, "lat": 32.9746, "gcj02": false,
     "address": "解放路85号25栋", "category": "070403",
     "device": "SD-1182", "level": 2}

- ``source`` (required): a source configured in resources/feeds.toml;
- ``id`` (required): the source's own id of the alert, text or integer, up to 64
  characters; with the source, the key that makes a repeat a duplicate;
- ``kind`` (optional): ``iot`` or ``video``; when given, it must be the source's kind;
- ``occurred_at`` (required): ISO-8601 with a UTC offset (``+08:00`` or ``Z``), at most an
  hour ahead of our clock;
- ``title`` and/or ``description``: at least one (title up to 200 characters,
  description up to 2,000);
- ``lon`` + ``lat`` (WGS-84 degrees; ``"gcj02": true`` when they come from a Chinese
  consumer map, converted here) and/or ``address`` (a standard address places it): at
  least one; a point outside the county is refused;
- ``category`` (optional): a taxonomy node id or a category code; the source's category
  otherwise;
- any other field is kept as received (the item's ``payload.extra``) for the officer.

Every refusal is a ``Refusal``: a code and the field it concerns. Text is stored as given
(it is data, bound as parameters, never SQL); only what no database can store is refused
(NUL characters, unpaired surrogates), and structures nested more than 16 deep.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from core.feeds.config import KINDS

ID_MAX = 64
TITLE_MAX = 200
DESCRIPTION_MAX = 2000
ADDRESS_MAX = 256
FUTURE_TOLERANCE = timedelta(hours=1)
MAX_DEPTH = 16  # nesting of the extra fields; deeper is refused as too_deep
KNOWN = frozenset(
    {
        "source",
        "id",
        "kind",
        "occurred_at",
        "title",
        "description",
        "lon",
        "lat",
        "gcj02",
        "address",
        "category",
    }
)


@dataclass(frozen=True)
class Refusal:
    """Why a line was refused: a code (``bad_json``, ``unknown_source`` …) and the field
    (None for the line as a whole)."""

    code: str
    field: str | None = None


@dataclass(frozen=True)
class FeedMessage:
    """A validated message. ``lon``/``lat`` are WGS-84 (converted when sent as GCJ-02).
    ``category``, ``unit_id`` and the order fields are filled in by the screen."""

    source: str
    source_id: str
    kind: str
    occurred_at: datetime
    title: str
    description: str | None
    lon: float | None
    lat: float | None
    address: str | None
    category: str | None  # as sent
    gcj02: bool = False
    sent_lonlat: tuple[float, float] | None = None  # as sent, when converted
    extra: dict[str, Any] = field(default_factory=dict)
    # resolved by core.feeds.screen
    category_node_id: str = ""
    category_code: str = ""
    unit_id: int | None = None
    request_type: str = ""
    urgency: str = ""
    auto_register: bool = False


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode(raw: bytes) -> dict[str, Any] | Refusal:
    """Bytes of one line → a JSON object, or why not."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal("not_utf8")
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        obj = json.loads(text, object_pairs_hook=_pairs, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        return Refusal("duplicate_key", str(exc)[:64])
    except (ValueError, RecursionError):  # JSONDecodeError, NaN, 5,000-digit numbers, [[[…
        return Refusal("bad_json")
    if not isinstance(obj, dict):
        return Refusal("not_an_object")
    return _unstorable(obj) or obj


def _unstorable(value: Any, where: str | None = None, depth: int = 0) -> Refusal | None:
    """The first field nested deeper than MAX_DEPTH or holding text no database stores
    (NUL, unpaired surrogates)."""
    if depth > MAX_DEPTH:
        return Refusal("too_deep", where)
    if isinstance(value, str):
        if "\x00" in value:
            return Refusal("unstorable_text", where or "line")
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return Refusal("unstorable_text", where or "line")
        return None
    if isinstance(value, dict):
        for k, v in value.items():
            name = where or str(k)[:64]
            found = _unstorable(k, name, depth + 1) or _unstorable(v, name, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for v in value:
            found = _unstorable(v, where, depth + 1)
            if found:
                return found
    return None


def _text(
    obj: dict[str, Any], key: str, limit: int, bad: list[Refusal], multiline: bool = False
) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        bad.append(Refusal("not_text", key))
        return None
    text = value.strip()
    if len(text) > limit:
        bad.append(Refusal("too_long", key))
        return None
    allowed = "\n\t" if multiline else ""
    if any(ord(c) < 32 and c not in allowed for c in text):
        bad.append(Refusal("control_characters", key))
        return None
    return text or None


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def source_id(obj: dict[str, Any]) -> str | Refusal:
    value = obj.get("id")
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if value is None or value == "":
        return Refusal("required", "id")
    if not isinstance(value, str):
        return Refusal("not_text", "id")
    if len(value) > ID_MAX:
        return Refusal("too_long", "id")
    if value != value.strip() or not value.isprintable():
        return Refusal("bad_id", "id")
    return value


def occurred_at(value: Any, now: datetime) -> datetime | Refusal:
    if not isinstance(value, str) or not value:
        return Refusal("required", "occurred_at")
    if len(value) > 40:
        return Refusal("bad_time", "occurred_at")
    try:
        at = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        return Refusal("bad_time", "occurred_at")
    if at.tzinfo is None or at.utcoffset() is None:
        return Refusal("time_without_offset", "occurred_at")
    try:
        at = at.astimezone(UTC)  # year 1 at +01:00 has no UTC instant
    except OverflowError:
        return Refusal("bad_time", "occurred_at")
    if at - now > FUTURE_TOLERANCE:
        return Refusal("in_future", "occurred_at")
    return at


def validate(obj: dict[str, Any], kind: str, now: datetime) -> FeedMessage | Refusal:
    """Check a decoded object whose ``source`` is known and of ``kind``. The first
    refusal is returned (a machine resends a fixed message; one reason is enough)."""
    from core.geo import gcj02_to_wgs84, validate_lonlat

    sid = source_id(obj)
    if isinstance(sid, Refusal):
        return sid
    sent_kind = obj.get("kind", kind)
    if sent_kind not in KINDS:
        return Refusal("unknown_value", "kind")
    if sent_kind != kind:
        return Refusal("kind_mismatch", "kind")
    at = occurred_at(obj.get("occurred_at"), now)
    if isinstance(at, Refusal):
        return at
    bad: list[Refusal] = []
    title = _text(obj, "title", TITLE_MAX, bad)
    description = _text(obj, "description", DESCRIPTION_MAX, bad, multiline=True)
    address = _text(obj, "address", ADDRESS_MAX, bad)
    category = _text(obj, "category", 64, bad)
    if bad:
        return bad[0]
    if title is None and description is None:
        return Refusal("required", "title")
    gcj02 = obj.get("gcj02", False)
    if not isinstance(gcj02, bool):
        return Refusal("not_true_or_false", "gcj02")
    raw_lon, raw_lat = obj.get("lon"), obj.get("lat")
    lon = lat = None
    sent: tuple[float, float] | None = None
    if (raw_lon is None) != (raw_lat is None):
        return Refusal("coordinates_incomplete", "lat" if raw_lat is None else "lon")
    if raw_lon is not None and raw_lat is not None:
        if not (_number(raw_lon) and _number(raw_lat)):
            return Refusal("coordinates_not_numbers", "lon")
        problems = validate_lonlat(raw_lon, raw_lat, "lon")
        if problems:
            return Refusal(problems[0].code, "lon")
        lon, lat = float(raw_lon), float(raw_lat)
        if gcj02:
            sent = (lon, lat)
            lon, lat = gcj02_to_wgs84(lon, lat)
    elif address is None:
        return Refusal("location_required", "lon")
    if title is None:
        assert description is not None
        first = description.splitlines()[0].strip()
        title = first if len(first) <= 40 else first[:39] + "…"
    return FeedMessage(
        source=str(obj["source"]),
        source_id=sid,
        kind=kind,
        occurred_at=at,
        title=title,
        description=description,
        lon=lon,
        lat=lat,
        address=address,
        category=category,
        gcj02=gcj02,
        sent_lonlat=sent,
        extra={k: v for k, v in obj.items() if k not in KNOWN},
    )
