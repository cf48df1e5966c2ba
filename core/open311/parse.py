"""GeoReport v2 documents (JSON or XML) into neutral records, item by item.

An XML item is first turned into the same dict shape a JSON item has (see
``text.element_value``), so one code path checks both formats' fields.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any, TypeVar
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from core.open311.model import (
    DEFAULT_MAX_BYTES,
    Format,
    Open311Attribute,
    Open311AttributeValue,
    Open311Error,
    Open311Note,
    Open311RemoteError,
    Open311Request,
    Open311Service,
    Open311ServiceDefinition,
    ParseResult,
    Problem,
)
from core.open311.text import Loaded, element_value, load, local_name

T = TypeVar("T")

# C0 controls other than tab, LF and CR, DEL, and lone surrogates (JSON can write
# "\ud800"): PostgreSQL text refuses NUL, UTF-8 cannot carry a lone surrogate, and none of
# them belongs in an address or a description.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_STATUSES = frozenset({"open", "closed"})
_SERVICE_TYPES = frozenset({"realtime", "batch", "blackbox"})
_REQUEST_TEXT = (
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "address",
    "address_id",
    "zipcode",
)
_REQUEST_DATES = ("requested_datetime", "updated_datetime", "expected_datetime")
_REQUEST_KNOWN = frozenset(
    {"service_request_id", "status", "lat", "long", "media_url", "notes"}
    | set(_REQUEST_TEXT)
    | set(_REQUEST_DATES)
)
_NOTE_KNOWN = frozenset({"datetime", "type", "summary", "description"})
_SERVICE_KNOWN = frozenset(
    {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
)


class _Item:
    """Collects the problems of one item, tagged with its index and id."""

    def __init__(self, problems: list[Problem], index: int, prefix: str = "") -> None:
        self.problems = problems
        self.index = index
        self.item_id: str | None = None
        self.prefix = prefix

    def report(
        self, code: str, field: str | None, severity: str = "warning", **params: Any
    ) -> None:
        self.problems.append(
            Problem(
                code,
                "error" if severity == "error" else "warning",
                self.index,
                self.item_id,
                f"{self.prefix}{field}" if field else None,
                params,
            )
        )

    def text(self, raw: Any, field: str) -> str | None:
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            self.report("bad_type", field, found=type(raw).__name__)
            return None
        text = raw if isinstance(raw, str) else str(raw)
        if _CONTROL.search(text):
            text = _CONTROL.sub("", text)
            self.report("invalid_chars_removed", field)
        return text.strip() or None

    def when(self, raw: Any, field: str, assume_tz: tzinfo | None) -> datetime | None:
        text = self.text(raw, field)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            self.report("bad_datetime", field, value=text[:64])
            return None
        if value.utcoffset() is None:
            if assume_tz is None:
                self.report("naive_datetime", field, value=text[:64])
                return None
            self.report("assumed_timezone", field, value=text[:64])
            value = value.replace(tzinfo=assume_tz)
        return value

    def number(self, raw: Any, field: str, limit: float) -> float | None:
        if raw is None or raw == "":
            return None
        try:
            if isinstance(raw, bool) or not isinstance(raw, str | int | float):
                raise TypeError
            value = float(raw)
        except (TypeError, ValueError, OverflowError):
            self.report("bad_coordinate", field, value=str(raw)[:64])
            return None
        if not math.isfinite(value) or abs(value) > limit:
            self.report("bad_coordinate", field, value=str(raw)[:64])
            return None
        return value

    def flag(self, raw: Any, field: str) -> bool | None:
        if raw is None or isinstance(raw, bool):
            return raw
        text = self.text(raw, field)
        if text is not None and text.lower() in ("true", "1", "false", "0"):
            return text.lower() in ("true", "1")
        self.report("bad_boolean", field, value=str(raw)[:64])
        return None


def _as_list(raw: Any, child: str) -> list[Any] | None:
    """A JSON list, or the XML shape ``{child: item}`` / ``{child: [items]}``; None if neither."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return raw
    if isinstance(raw, dict) and set(raw) == {child}:
        inner = raw[child]
        return inner if isinstance(inner, list) else [inner]
    return None


def _remote_errors(items: list[Any]) -> tuple[Open311RemoteError, ...] | None:
    """The items as a GeoReport error list, or None if they are not one."""
    if not items or not all(isinstance(i, dict) and "code" in i for i in items):
        return None
    if any(set(i) - {"code", "description"} for i in items):
        return None
    out = []
    for i in items:
        code = i.get("code")
        try:
            number = int(code) if code is not None and not isinstance(code, bool) else None
        except (TypeError, ValueError):
            number = None
        description = i.get("description")
        out.append(Open311RemoteError(number, str(description) if description else None))
    return tuple(out)


def _items(loaded: Loaded, roots: tuple[str, ...], child: str) -> tuple[list[Any], list[Problem]]:
    """The raw items of a list document, JSON or XML; raises on a server error document."""
    problems = list(loaded.problems)
    value = loaded.value
    if loaded.format == "xml":
        root: Element = value
        name = local_name(root.tag)
        if name == "errors":
            errors = _remote_errors(_as_list(element_value(root), "error") or [])
            raise Open311Error("remote_errors", errors=errors or ())
        if name == child:
            return [element_value(root)], problems
        if name not in roots:
            raise Open311Error("not_georeport", expected=roots[0], found=name)
        items = []
        for el in root:
            if local_name(el.tag) == child:
                items.append(element_value(el))
            else:
                problems.append(
                    Problem("unexpected_element", "warning", params={"tag": local_name(el.tag)})
                )
        return items, problems
    if isinstance(value, dict):
        for key in roots:
            if isinstance(value.get(key), list):
                value = value[key]
                break
        else:
            value = [value]
    if not isinstance(value, list):
        raise Open311Error("not_georeport", expected="list", found=type(value).__name__)
    errors = _remote_errors(value)
    if errors:
        raise Open311Error("remote_errors", errors=errors)
    return value, problems


def _each(
    items: list[Any],
    problems: list[Problem],
    build: Callable[[dict[str, Any], _Item], T | None],
) -> tuple[T, ...]:
    out = []
    for index, raw in enumerate(items):
        item = _Item(problems, index)
        if not isinstance(raw, dict):
            item.report("not_an_object", None, "error", found=type(raw).__name__)
            continue
        built = build(raw, item)
        if built is not None:
            out.append(built)
    return tuple(out)


def parse_requests(
    data: bytes | str,
    *,
    fmt: Format | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    assume_tz: tzinfo | None = None,
) -> ParseResult[Open311Request]:
    """A GeoReport v2 requests document (GET requests / a single request / a POST
    response) as Open311Request records; see the package docstring for the contract."""
    loaded = load(data, fmt=fmt, encoding=encoding, max_bytes=max_bytes)
    items, problems = _items(loaded, ("service_requests", "requests"), "request")
    seen: set[str] = set()

    def build(raw: dict[str, Any], item: _Item) -> Open311Request | None:
        return _request(raw, item, assume_tz, seen)

    requests = _each(items, problems, build)
    return ParseResult(requests, tuple(problems), loaded.format)


def _request(
    raw: dict[str, Any], item: _Item, assume_tz: tzinfo | None, seen: set[str]
) -> Open311Request | None:
    request_id = item.text(raw.get("service_request_id"), "service_request_id")
    if request_id is None:
        item.report("missing_id", "service_request_id", "error")
        return None
    item.item_id = request_id
    if request_id in seen:
        item.report("duplicate_id", "service_request_id")
    seen.add(request_id)
    status = item.text(raw.get("status"), "status")
    if status is not None:
        status = status.lower()
        if status not in _STATUSES:
            item.report("unknown_status", "status", value=status[:64])
    lat = item.number(raw.get("lat"), "lat", 90.0)
    lon = item.number(raw.get("long"), "long", 180.0)
    if (lat is None) != (lon is None):
        item.report("incomplete_coordinates", "lat" if lat is None else "long")
        lat = lon = None
    media_url = item.text(raw.get("media_url"), "media_url")
    if media_url is not None and urlsplit(media_url).scheme.lower() not in ("http", "https"):
        item.report("bad_url", "media_url", value=media_url[:64])
        media_url = None

    def text(name: str) -> str | None:
        return item.text(raw.get(name), name)

    def when(name: str) -> datetime | None:
        return item.when(raw.get(name), name, assume_tz)

    return Open311Request(
        service_request_id=request_id,
        status=status,
        status_notes=text("status_notes"),
        service_name=text("service_name"),
        service_code=text("service_code"),
        description=text("description"),
        agency_responsible=text("agency_responsible"),
        service_notice=text("service_notice"),
        requested_datetime=when("requested_datetime"),
        updated_datetime=when("updated_datetime"),
        expected_datetime=when("expected_datetime"),
        address=text("address"),
        address_id=text("address_id"),
        zipcode=text("zipcode"),
        lat=lat,
        long=lon,
        media_url=media_url,
        notes=_notes(raw.get("notes"), item, assume_tz),
        extra={k: v for k, v in raw.items() if k not in _REQUEST_KNOWN},
    )


def _notes(raw: Any, item: _Item, assume_tz: tzinfo | None) -> tuple[Open311Note, ...]:
    notes = _as_list(raw, "note")
    if notes is None:
        item.report("bad_type", "notes", found=type(raw).__name__)
        return ()
    out = []
    for n, note in enumerate(notes):
        field = f"notes[{n}]"
        if not isinstance(note, dict):
            item.report("bad_note", field, found=type(note).__name__)
            continue
        out.append(
            Open311Note(
                datetime=item.when(note.get("datetime"), f"{field}.datetime", assume_tz),
                type=item.text(note.get("type"), f"{field}.type"),
                summary=item.text(note.get("summary"), f"{field}.summary"),
                description=item.text(note.get("description"), f"{field}.description"),
                extra={k: v for k, v in note.items() if k not in _NOTE_KNOWN},
            )
        )
    return tuple(out)


def parse_services(
    data: bytes | str,
    *,
    fmt: Format | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParseResult[Open311Service]:
    """A GeoReport v2 services list (services.json / services.xml)."""
    loaded = load(data, fmt=fmt, encoding=encoding, max_bytes=max_bytes)
    items, problems = _items(loaded, ("services",), "service")
    services = _each(items, problems, _service)
    return ParseResult(services, tuple(problems), loaded.format)


def _service(raw: dict[str, Any], item: _Item) -> Open311Service | None:
    code = item.text(raw.get("service_code"), "service_code")
    if code is None:
        item.report("missing_id", "service_code", "error")
        return None
    item.item_id = code
    kind = item.text(raw.get("type"), "type")
    if kind is not None and kind not in _SERVICE_TYPES:
        item.report("unknown_service_type", "type", value=kind[:64])
    keywords_raw = raw.get("keywords")
    if isinstance(keywords_raw, list):
        words = [item.text(k, "keywords") for k in keywords_raw]
    else:
        joined = item.text(keywords_raw, "keywords")
        words = [w.strip() for w in joined.split(",")] if joined else []
    return Open311Service(
        service_code=code,
        service_name=item.text(raw.get("service_name"), "service_name"),
        description=item.text(raw.get("description"), "description"),
        metadata=bool(item.flag(raw.get("metadata"), "metadata")),
        type=kind,
        keywords=tuple(w for w in words if w),
        group=item.text(raw.get("group"), "group"),
        extra={k: v for k, v in raw.items() if k not in _SERVICE_KNOWN},
    )


def parse_service_definition(
    data: bytes | str,
    *,
    fmt: Format | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParseResult[Open311ServiceDefinition]:
    """A service definition (GET services/{code}); ``items`` holds at most one."""
    loaded = load(data, fmt=fmt, encoding=encoding, max_bytes=max_bytes)
    problems = list(loaded.problems)
    if loaded.format == "xml":
        name = local_name(loaded.value.tag)
        if name != "service_definition":
            raise Open311Error("not_georeport", expected="service_definition", found=name)
        raw = element_value(loaded.value)
    else:
        raw = loaded.value
    if not isinstance(raw, dict):
        raise Open311Error("not_georeport", expected="object", found=type(raw).__name__)
    item = _Item(problems, 0)
    code = item.text(raw.get("service_code"), "service_code")
    if code is None:
        item.report("missing_id", "service_code", "error")
        return ParseResult((), tuple(problems), loaded.format)
    item.item_id = code
    attributes = _as_list(raw.get("attributes"), "attribute")
    if attributes is None:
        item.report("bad_type", "attributes")
        attributes = []
    out = []
    for n, attr in enumerate(attributes):
        sub = _Item(problems, 0, f"attributes[{n}].")
        sub.item_id = code
        built = _attribute(attr, sub)
        if built is not None:
            out.append(built)
    definition = Open311ServiceDefinition(code, tuple(out))
    return ParseResult((definition,), tuple(problems), loaded.format)


def _attribute(attr: Any, sub: _Item) -> Open311Attribute | None:
    code = sub.text(attr.get("code"), "code") if isinstance(attr, dict) else None
    if code is None:
        sub.report("bad_attribute", None, "error")
        return None
    order = sub.text(attr.get("order"), "order")
    if order is not None and not order.isdecimal():
        sub.report("bad_type", "order", value=order[:64])
        order = None
    values = _as_list(attr.get("values"), "value")
    if values is None:
        sub.report("bad_type", "values")
        values = []
    pairs = []
    for m, v in enumerate(values):
        key = sub.text(v.get("key"), f"values[{m}].key") if isinstance(v, dict) else None
        if key is None:
            sub.report("bad_value", f"values[{m}]")
            continue
        pairs.append(Open311AttributeValue(key, sub.text(v.get("name"), f"values[{m}].name")))
    return Open311Attribute(
        code=code,
        variable=sub.flag(attr.get("variable"), "variable") is not False,
        datatype=sub.text(attr.get("datatype"), "datatype"),
        required=bool(sub.flag(attr.get("required"), "required")),
        datatype_description=sub.text(attr.get("datatype_description"), "datatype_description"),
        order=int(order) if order is not None else None,
        description=sub.text(attr.get("description"), "description"),
        values=tuple(pairs),
    )


def parse_errors(
    data: bytes | str,
    *,
    fmt: Format | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[Open311RemoteError, ...]:
    """A GeoReport v2 error document (the body of a 4xx/5xx answer)."""
    loaded = load(data, fmt=fmt, encoding=encoding, max_bytes=max_bytes)
    if loaded.format == "xml":
        if local_name(loaded.value.tag) != "errors":
            raise Open311Error(
                "not_georeport", expected="errors", found=local_name(loaded.value.tag)
            )
        raw = _as_list(element_value(loaded.value), "error")
    else:
        raw = loaded.value if isinstance(loaded.value, list) else None
    errors = _remote_errors(raw or [])
    if errors is None:
        raise Open311Error("not_georeport", expected="errors", found="other")
    return errors
