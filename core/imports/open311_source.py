"""Open311 GeoReport v2 files (JSON or XML) into the import path: each request becomes a row
keyed by its GeoReport field names, so the same column mapping, checks and de-duplication
apply as to a spreadsheet (``resources/imports/chicago_open311.toml`` maps them). A request
the codec refused is reported with its position; its notes timeline (Chicago's ``notes[]``)
is kept, and the import writes each note on the new order as a ``source_note`` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.imports.mapping import RowProblem
from core.imports.tabular import FileRefused
from core.open311 import Open311Error, Open311Note, parse_requests

SUFFIXES = (".json", ".xml")
FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "address",
    "zipcode",
    "lat",
    "long",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "media_url",
)


@dataclass
class Open311Rows:
    rows: list[dict[str, Any]] = field(default_factory=list)  # row i is request i + 1
    problems: list[RowProblem] = field(default_factory=list)
    notes: dict[str, tuple[Open311Note, ...]] = field(default_factory=dict)  # by request id


def read_open311(path: Path, max_bytes: int) -> Open311Rows:
    """The requests of ``path`` as rows; the codec's refusals as row problems."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileRefused("unreadable", file=str(path), error=str(exc)) from None
    if size > max_bytes:
        raise FileRefused("too_large", file=str(path), size=size, limit=max_bytes)
    try:
        result = parse_requests(path.read_bytes(), max_bytes=max_bytes)
    except Open311Error as exc:
        raise FileRefused(exc.code, file=str(path), **exc.params) from None
    out = Open311Rows()
    for p in result.errors:  # requests left out (no id, not an object)
        number = (p.index or 0) + 1
        out.problems.append(RowProblem(number, p.field or "", p.code, p.item_id or ""))
    for req in result.items:
        out.rows.append(
            {f: ("" if getattr(req, f) is None else _text(getattr(req, f))) for f in FIELDS}
        )
        if req.notes:
            out.notes[req.service_request_id] = req.notes
    return out


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
