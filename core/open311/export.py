"""GeoReport v2 documents built from plain rows: our categories and our orders.

Output is UTF-8 bytes. JSON escapes ``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\uXXXX``
so a document can sit inside HTML. XML escapes through ElementTree. Characters the
format cannot carry (a lone surrogate; in XML also C0 controls and U+FFFE/U+FFFF) become
U+FFFD. Datetimes are written in the spec's W3C format with their offset, to the second;
a naive datetime is refused (``naive_datetime``), as is a NaN coordinate (``not_finite``).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from core.domain.enums import OrderState
from core.open311.model import Format, Open311Error, Open311Note, Open311Request, Open311Service

#: Our states that Open311 calls "closed"; every other state is "open".
CLOSED_STATES = frozenset(
    {OrderState.CLOSED, OrderState.MERGED, OrderState.TRANSFERRED, OrderState.VOIDED}
)
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_NAME = re.compile(r"\A(?![Xx][Mm][Ll])[A-Za-z_][\w.\-]*\Z", re.A)
_JSON_HTML = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_HTML_RX = re.compile("[<>&\u2028\u2029]")
_NOTE_KEYS = frozenset({"datetime", "type", "summary", "description"})
_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


@dataclass(frozen=True)
class ServiceRow:
    """One of our categories as a GeoReport service (taxonomy code and name)."""

    code: str
    name: str
    description: str | None = None
    group: str | None = None
    keywords: Sequence[str] | str | None = ()


@dataclass(frozen=True)
class OrderRow:
    """One order as the export reads it: plain values, no database objects.

    ``number`` (our public order number) is the service_request_id when given, else
    ``order_id``. ``notes`` are (datetime, type, summary, description). ``status_notes``
    is the result text if the order has one; otherwise the latest note stands for it.
    """

    order_id: str | int
    state: str  # an OrderState value
    requested_at: datetime
    category_code: str | None = None
    category_name: str | None = None
    description: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    updated_at: datetime | None = None
    deadline: datetime | None = None  # the next deadline → expected_datetime
    agency: str | None = None  # the handling unit's name
    notes: Sequence[tuple[datetime, str, str, str | None]] = field(default=(), hash=False)
    number: str | None = None
    status_notes: str | None = None
    media_url: str | None = None


def open311_status(state: str) -> Literal["open", "closed"]:
    """closed, merged, transferred and voided are "closed"; every other state is "open"."""
    try:
        ours = OrderState(state)
    except ValueError:
        raise Open311Error("unknown_state", state=str(state)[:64]) from None
    return "closed" if ours in CLOSED_STATES else "open"


def order_to_request(row: OrderRow) -> Open311Request:
    """The GeoReport view of one order; our fine state goes to ``status_description``."""
    status = open311_status(row.state)
    notes = tuple(Open311Note(at, kind, summary, text) for at, kind, summary, text in row.notes)
    status_notes = row.status_notes
    if status_notes is None and notes:
        latest = max(notes, key=lambda n: _aware(n.datetime, "notes.datetime"))
        status_notes = latest.description or latest.summary
    return Open311Request(
        service_request_id=row.number or str(row.order_id),
        status=status,
        status_notes=status_notes,
        service_name=row.category_name,
        service_code=row.category_code,
        description=row.description,
        agency_responsible=row.agency,
        requested_datetime=row.requested_at,
        updated_datetime=row.updated_at,
        expected_datetime=row.deadline,
        address=row.address,
        lat=row.lat,
        long=row.lon,
        media_url=row.media_url,
        notes=notes,
        extra={"status_description": str(OrderState(row.state).value)},
    )


def requests_document(orders: Iterable[OrderRow], fmt: Format = "json") -> bytes:
    """A GeoReport v2 GET requests document for our orders."""
    return encode_requests((order_to_request(o) for o in orders), fmt)


def services_document(
    categories: Iterable[ServiceRow | tuple[Any, ...]], fmt: Format = "json"
) -> bytes:
    """A GeoReport v2 services list; a category is a ServiceRow or the tuple
    (code, name, description, group, keywords)."""
    services = []
    for cat in categories:
        row = cat if isinstance(cat, ServiceRow) else ServiceRow(*cat)
        words = row.keywords.split(",") if isinstance(row.keywords, str) else row.keywords or ()
        services.append(
            Open311Service(
                service_code=row.code,
                service_name=row.name,
                description=row.description,
                metadata=False,
                type="realtime",
                keywords=tuple(w.strip() for w in words if w.strip()),
                group=row.group,
            )
        )
    return encode_services(services, fmt)


def _aware(value: datetime | None, name: str) -> datetime:
    if value is None or value.utcoffset() is None:
        raise Open311Error("naive_datetime", field=name)
    return value


def _w3c(value: datetime | None, name: str) -> str | None:
    return None if value is None else _aware(value, name).isoformat(timespec="seconds")


def _request_dict(r: Open311Request) -> dict[str, Any]:
    out: dict[str, Any] = {
        "service_request_id": r.service_request_id,
        "status": r.status,
        "status_notes": r.status_notes,
        "service_name": r.service_name,
        "service_code": r.service_code,
        "description": r.description,
        "agency_responsible": r.agency_responsible,
        "service_notice": r.service_notice,
        "requested_datetime": _w3c(r.requested_datetime, "requested_datetime"),
        "updated_datetime": _w3c(r.updated_datetime, "updated_datetime"),
        "expected_datetime": _w3c(r.expected_datetime, "expected_datetime"),
        "address": r.address,
        "address_id": r.address_id,
        "zipcode": r.zipcode,
        "lat": r.lat,
        "long": r.long,
        "media_url": r.media_url,
    }
    if r.notes:
        out["notes"] = [
            {
                "datetime": _w3c(n.datetime, "notes.datetime"),
                "type": n.type,
                "summary": n.summary,
                "description": n.description,
                **{k: v for k, v in n.extra.items() if k not in _NOTE_KEYS},
            }
            for n in r.notes
        ]
    for key, value in r.extra.items():
        out.setdefault(key, value)
    return out


def _service_dict(s: Open311Service) -> dict[str, Any]:
    out: dict[str, Any] = {
        "service_code": s.service_code,
        "service_name": s.service_name,
        "description": s.description,
        "metadata": s.metadata,
        "type": s.type,
        "keywords": ", ".join(s.keywords),
        "group": s.group,
    }
    for key, value in s.extra.items():
        out.setdefault(key, value)
    return out


def encode_requests(requests: Iterable[Open311Request], fmt: Format = "json") -> bytes:
    """Open311Request records as a GeoReport v2 requests document (``service_requests``)."""
    items = [_request_dict(r) for r in requests]
    return _encode(items, fmt, "service_requests", "request", {"notes": "note"})


def encode_services(services: Iterable[Open311Service], fmt: Format = "json") -> bytes:
    items = [_service_dict(s) for s in services]
    return _encode(items, fmt, "services", "service", {})


def _encode(
    items: list[dict[str, Any]], fmt: Format, root: str, child: str, wrapped: dict[str, str]
) -> bytes:
    if fmt == "json":
        try:
            text = json.dumps(items, ensure_ascii=False, indent=2, allow_nan=False)
        except ValueError:  # NaN or infinity: JSON has no way to write them
            raise Open311Error("not_finite") from None
        text = _JSON_HTML_RX.sub(lambda m: _JSON_HTML[m.group()], text)
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8")
    top = Element(root)
    for item in items:
        el = SubElement(top, child)
        for key, value in item.items():
            if key in wrapped and isinstance(value, list):
                wrapper = SubElement(el, key)
                for entry in value:
                    _xml_value(wrapper, wrapped[key], entry)
            else:
                _xml_value(el, key, value)
    indent(top, space="  ")
    return (_XML_DECLARATION + tostring(top, encoding="unicode") + "\n").encode("utf-8")


def _xml_value(parent: Element, key: str, value: Any) -> None:
    """A dict becomes child elements, a list repeated elements; keys that are not XML
    names are left out (they could only come from another server's extras)."""
    if not _XML_NAME.match(key):
        return
    if isinstance(value, list):
        for entry in value:
            _xml_value(parent, key, entry)
        return
    el = SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _xml_value(el, str(k), v)
    elif isinstance(value, bool):
        el.text = "true" if value else "false"
    elif isinstance(value, float) and not math.isfinite(value):
        raise Open311Error("not_finite", field=key)
    elif value is not None:
        el.text = _XML_INVALID.sub("\ufffd", str(value))
