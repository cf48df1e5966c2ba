"""The neutral records an Open311 document parses into, and how problems are reported.

Records are frozen dataclasses of plain values (text, aware datetimes, floats, tuples), so
they can cross threads and be compared in tests. ``extra`` keeps unknown keys as parsed
(JSON values from JSON; text, dicts and lists from XML) so nothing a server sent is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from core.errors import CoreError

Format = Literal["json", "xml"]
Severity = Literal["warning", "error"]

#: Refuse larger input before parsing it (16 MiB: ~30,000 Chicago-style requests).
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
#: Nesting deeper than this is refused (it only serves to exhaust the stack).
MAX_DEPTH = 64


class Open311Error(CoreError):
    """The whole document was refused; ``code`` says why and params say where.

    Codes: ``too_large`` (size, limit), ``empty``, ``bad_encoding`` (encoding, offset, line,
    reason), ``unknown_encoding`` (encoding), ``malformed`` (line, column, offset, reason),
    ``truncated`` (line, column, offset), ``xml_forbidden`` (construct: dtd, entity,
    external), ``too_deep`` (limit), ``unknown_format``, ``not_georeport`` (expected, found),
    ``remote_errors`` (errors: the server's own error list), ``naive_datetime`` and
    ``unknown_state`` (export inputs that cannot be written).
    """

    code = "open311_error"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one item (or, with ``index`` None, with the document).

    ``severity`` "warning": the item came through; the named field was dropped (set to
    None) or repaired. "error": the item was left out of the result.
    """

    code: str
    severity: Severity
    index: int | None = None
    item_id: str | None = None
    field: str | None = None
    params: Mapping[str, Any] = dc_field(default_factory=dict, hash=False)


T = TypeVar("T")


@dataclass(frozen=True)
class ParseResult(Generic[T]):
    """The items that came through, in document order, and every problem found."""

    items: tuple[T, ...]
    problems: tuple[Problem, ...]
    format: Format

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


@dataclass(frozen=True)
class Open311Note:
    """One entry of a request's timeline (Chicago's ``notes[]`` extension)."""

    datetime: datetime | None
    type: str | None
    summary: str | None
    description: str | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Open311Request:
    """One GeoReport v2 service request. Text fields are stripped; empty text is None."""

    service_request_id: str
    status: str | None = None  # "open" / "closed" per spec; anything else is kept, warned
    status_notes: str | None = None
    service_name: str | None = None
    service_code: str | None = None
    description: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
    notes: tuple[Open311Note, ...] = ()
    extra: dict[str, Any] = dc_field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Open311Service:
    """One entry of a GeoReport v2 services list."""

    service_code: str
    service_name: str | None = None
    description: str | None = None
    metadata: bool = False
    type: str | None = None  # realtime / batch / blackbox
    keywords: tuple[str, ...] = ()
    group: str | None = None
    extra: dict[str, Any] = dc_field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Open311AttributeValue:
    key: str
    name: str | None


@dataclass(frozen=True)
class Open311Attribute:
    """One question of a service definition."""

    code: str
    variable: bool = True
    datatype: str | None = None
    required: bool = False
    datatype_description: str | None = None
    order: int | None = None
    description: str | None = None
    values: tuple[Open311AttributeValue, ...] = ()


@dataclass(frozen=True)
class Open311ServiceDefinition:
    service_code: str
    attributes: tuple[Open311Attribute, ...] = ()


@dataclass(frozen=True)
class Open311RemoteError:
    """One entry of a GeoReport v2 error document (``[{"code":403,...}]`` / ``<errors>``)."""

    code: int | None
    description: str | None
