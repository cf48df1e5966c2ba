"""Open311 GeoReport v2: read requests and services from other systems, write ours.

Pure codec: bytes in, frozen records out (and the reverse). No database, no network, no
files; the import path decides what to store.

Reading (``parse_requests``, ``parse_services``, ``parse_service_definition``,
``parse_errors``):

- Accepts ``bytes`` or ``str`` in JSON or XML; ``fmt`` None sniffs the first character.
  JSON: a list of objects (a single object, or ``{"service_requests": [...]}``, is taken
  too). XML: ``<service_requests>`` (or ``<requests>``) of ``<request>``, a single
  ``<request>``, ``<services>`` of ``<service>``, ``<service_definition>``, ``<errors>``.
  Chicago's extensions come through: ``notes`` as Open311Note records, the rest
  (``attributes``, ``extended_attributes``, ``token`` …) in ``extra`` as parsed.
- Limits: input larger than ``max_bytes`` (default 16 MiB) is refused before it is decoded;
  nesting deeper than the parser's stack (JSON) or ``MAX_DEPTH`` (XML) is refused.
- Encoding: a BOM wins, then the caller's ``encoding`` (an HTTP charset), then the XML
  declaration, then UTF-16/32 recognised by its NUL pattern, then UTF-8. Bytes that do
  not decode strictly are refused (``bad_encoding`` with the byte offset), never guessed.
- XML goes through defusedxml: any DOCTYPE is refused (``xml_forbidden``), which stops
  entity bombs and external entities before they expand or read anything.
- Text fields are stripped and empty text is None; C0 controls and lone surrogates are
  removed. Ids and codes are text (``"006"`` stays ``"006"``; a JSON integer longer than 18 digits
  keeps its digits as text). Datetimes are aware; a naive one is dropped, or given
  ``assume_tz`` if the caller names one. Coordinates must be finite and in range, and
  come as a pair. ``media_url`` must be http(s).

Errors vs warnings:

- ``Open311Error`` (a CoreError with a code and params): the document as a whole cannot
  be read: too large, empty, undecodable, malformed or truncated (with line and column),
  forbidden XML, not a GeoReport document, or the server's own error list
  (``remote_errors``, with Open311RemoteError records). Nothing is returned.
- ``ParseResult.problems``: per item (``index``, ``item_id``, ``field``, ``code``).
  Severity "error" means the item was left out (``missing_id``, ``not_an_object``,
  ``bad_attribute`` in a service definition);
  "warning" means it came through with that field dropped or repaired (``bad_datetime``,
  ``naive_datetime``, ``bad_coordinate``, ``incomplete_coordinates``, ``bad_url``,
  ``unknown_status``, ``bad_type``, ``invalid_chars_removed``, ``duplicate_id`` …).
  A document-level warning has ``index`` None: ``leading_zero_number`` (JSON numbers like
  ``006``, invalid JSON that the spec itself publishes, are read as the text "006";
  params give line, column and offset) and ``unexpected_element``.

Writing (``services_document``, ``requests_document``, ``encode_requests``,
``encode_services``): UTF-8 bytes, JSON or XML, escaped for HTML embedding (JSON) and
well-formed (XML). Our states map to "open"/"closed" (closed, merged, transferred and
voided are closed); the fine state goes to ``status_description``. Datetimes are W3C
with offset, to the second; the next deadline is ``expected_datetime``. What we write, we
read back equal, except that through XML the ``extra`` values come back as text (XML has
no numbers or booleans), and extra keys that are not XML names are left out of XML.
"""

from core.open311.export import (
    CLOSED_STATES,
    OrderRow,
    ServiceRow,
    encode_requests,
    encode_services,
    open311_status,
    order_to_request,
    requests_document,
    services_document,
)
from core.open311.model import (
    DEFAULT_MAX_BYTES,
    MAX_DEPTH,
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
from core.open311.parse import (
    parse_errors,
    parse_requests,
    parse_service_definition,
    parse_services,
)
from core.open311.text import sniff_format

__all__ = [
    "CLOSED_STATES",
    "DEFAULT_MAX_BYTES",
    "MAX_DEPTH",
    "Open311Attribute",
    "Open311AttributeValue",
    "Open311Error",
    "Open311Note",
    "Open311RemoteError",
    "Open311Request",
    "Open311Service",
    "Open311ServiceDefinition",
    "OrderRow",
    "ParseResult",
    "Problem",
    "ServiceRow",
    "encode_requests",
    "encode_services",
    "open311_status",
    "order_to_request",
    "parse_errors",
    "parse_requests",
    "parse_service_definition",
    "parse_services",
    "requests_document",
    "services_document",
    "sniff_format",
]
