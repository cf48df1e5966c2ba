"""Column mapping for spreadsheet imports (CSV, Excel): which column holds what, and how a
row becomes an order draft. Pure: no database, no files beyond the mapping itself.

A mapping is a TOML file (examples and the full format: resources/imports/*.toml):

    [source]
    name = "la311"              # the source's name: with the id column, the key that makes a
                                # re-import of the same file register nothing twice
    timezone = "America/Los_Angeles"   # for times written without an offset (default: the
                                # county's zone)
    coords = "wgs84"            # or "gcj02" (高德, WeChat, Tencent): converted to WGS-84

    [columns]                   # a column name, or a list of them (joined with " · "),
    id = "SRNumber"             # required: the source's own id of the request
    created = { column = "CreatedDate", format = "%m/%d/%Y %I:%M:%S %p" }
    category = "RequestType"    # looked up in [category]
    title = "RequestType"
    description = ["RequestType", "Address"]
    address = "Address"
    lon = "Longitude"
    lat = "Latitude"
    phone = { column = "Phone", optional = true }   # a file may lack an optional column
                                # (also: caller_name, due, urgency)

    [category]                  # the source's value → our taxonomy node id
    default = "db44t2479-2024:0303:030301"  # for values not listed (required)
    "Bulky Items" = "db44t2479-2024:0303:030302"
    # as_ids = true               # the column holds our own node ids already (our template)

    [defaults]                  # fields no column gives
    channel = "online"
    request_type = "complaint"

    [values.request_type]       # a coded column's values → our codes (also urgency)
    "投诉" = "complaint"

    [place]                     # optional: move the source's coordinates onto the county's
    from = [-118.67, 33.70, -118.15, 34.34]   # map, linearly, box to box (drills, benches)
    to = "county"               # the county's own extent (its grids), or a box
                                # [lon_min, lat_min, lon_max, lat_max]

A broken mapping is refused whole, every problem named (``MappingError``: file, table,
field). A bad row is refused alone with its row number, field and reason (``RowProblem``);
the good rows still become drafts.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.domain.enums import Channel, RequestType, Urgency
from core.errors import CoreError
from core.geo import gcj02_to_wgs84
from core.workflow.intake import OrderDraft

FIELDS = (
    "id",
    "created",
    "category",
    "title",
    "description",
    "address",
    "lon",
    "lat",
    "phone",
    "caller_name",
    "due",
    "urgency",
    "request_type",
    "police_incident_no",
)
# Fields whose source values [values.<field>] translates to our codes (咨询 → consultation).
CODED = {"request_type": RequestType, "urgency": Urgency}
TIME_FIELDS = ("created", "due")
REQUIRED = ("id", "description")
Box = tuple[float, float, float, float]


class MappingError(CoreError):
    """The mapping file is unusable; ``problems`` lists (table, field, code) each."""

    code = "bad_mapping"

    def __init__(self, path: str, problems: Sequence[tuple[str, str, str]]) -> None:
        self.path, self.problems = path, list(problems)
        super().__init__(
            self.code,
            file=path,
            problems=[f"[{t}] {f}: {c}" for t, f, c in self.problems],
        )


@dataclass(frozen=True)
class Column:
    names: tuple[str, ...]
    format: str | None = None  # strptime format, for times
    optional: bool = False  # a file may lack the column (its cells are then empty)


@dataclass(frozen=True)
class ImportMapping:
    source: str
    columns: dict[str, Column]
    categories: dict[str, str]
    default_category: str
    channel: str
    request_type: str
    tz: ZoneInfo
    gcj02: bool = False
    place: tuple[Box, Box] | None = None
    place_to_county: bool = False  # [place].to = "county": resolved by ``onto``
    categories_as_ids: bool = False  # the category column holds our node ids
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # [values.<field>]

    def onto(self, county: Box) -> ImportMapping:
        """The mapping with ``to = "county"`` resolved to the county's extent."""
        if not self.place_to_county or self.place is None:
            return self
        return replace(self, place=(self.place[0], county), place_to_county=False)

    def needed(self) -> set[str]:
        """The columns a file must have: every one the mapping reads, unless optional."""
        return {n for c in self.columns.values() if not c.optional for n in c.names}


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based, counting the header as row 1 (as a spreadsheet shows it)
    field: str
    code: str
    value: str = ""


@dataclass(frozen=True)
class RowDraft:
    row: int
    external_id: str
    created: datetime | None
    draft: OrderDraft


@dataclass
class Converted:
    drafts: list[RowDraft] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _box(value: Any) -> Box | None:
    if (
        isinstance(value, list)
        and len(value) == 4
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and value[0] < value[2]
        and value[1] < value[3]
    ):
        return (float(value[0]), float(value[1]), float(value[2]), float(value[3]))
    return None


def parse_mapping(
    text: str, path: str = "<mapping>", county_tz: str = "Asia/Shanghai"
) -> ImportMapping:
    """Read a mapping; every problem at once, or a usable mapping."""
    bad: list[tuple[str, str, str]] = []
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(path, [("", "", f"not_toml: {exc}")]) from None
    source = doc.get("source", {})
    name = source.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 40:
        bad.append(("source", "name", "required_text_up_to_40"))
    try:
        tz = ZoneInfo(str(source.get("timezone", county_tz)))
    except (ZoneInfoNotFoundError, ValueError):
        bad.append(("source", "timezone", "unknown_zone"))
        tz = ZoneInfo(county_tz)
    coords = source.get("coords", "wgs84")
    if coords not in ("wgs84", "gcj02"):
        bad.append(("source", "coords", "unknown_value"))
    columns: dict[str, Column] = {}
    for key, spec in doc.get("columns", {}).items():
        if key not in FIELDS:
            bad.append(("columns", key, "unknown_field"))
            continue
        fmt, optional = None, False
        if isinstance(spec, dict):
            fmt, optional = spec.get("format"), spec.get("optional", False)
            spec = spec.get("column")
            if fmt is not None and not isinstance(fmt, str):
                bad.append(("columns", key, "format_not_text"))
            if not isinstance(optional, bool) or (optional and key in REQUIRED):
                bad.append(("columns", key, "optional_not_allowed"))
        names = (spec,) if isinstance(spec, str) else spec
        if (
            not isinstance(names, list | tuple)
            or not names
            or not all(isinstance(n, str) and n for n in names)
        ):
            bad.append(("columns", key, "not_a_column_name"))
            continue
        if fmt is not None and key not in TIME_FIELDS:
            bad.append(("columns", key, "format_only_for_times"))
        columns[key] = Column(tuple(names), fmt, optional is True)
    for key in REQUIRED:
        if key not in columns:
            bad.append(("columns", key, "required"))
    if ("lon" in columns) != ("lat" in columns):
        bad.append(("columns", "lon" if "lon" not in columns else "lat", "required_with_pair"))
    cats = dict(doc.get("category", {}))
    default = cats.pop("default", None)
    as_ids = cats.pop("as_ids", False)
    if not isinstance(as_ids, bool):
        bad.append(("category", "as_ids", "not_true_or_false"))
    if not isinstance(default, str) or not default:
        bad.append(("category", "default", "required"))
    for key, value in cats.items():
        if not isinstance(value, str) or not value:
            bad.append(("category", key, "not_a_node_id"))
    defaults = doc.get("defaults", {})
    channel = defaults.get("channel", Channel.ONLINE.value)
    if channel not in {c.value for c in Channel}:
        bad.append(("defaults", "channel", "unknown_value"))
    rtype = defaults.get("request_type", RequestType.COMPLAINT.value)
    if rtype not in {r.value for r in RequestType}:
        bad.append(("defaults", "request_type", "unknown_value"))
    place, to_county = None, False
    if "place" in doc:
        src, to = _box(doc["place"].get("from")), doc["place"].get("to")
        to_county = to == "county"
        dst = (0.0, 0.0, 1.0, 1.0) if to_county else _box(to)
        if src is None:
            bad.append(("place", "from", "not_a_box"))
        if dst is None:
            bad.append(("place", "to", "not_a_box_or_county"))
        if src and dst:
            place = (src, dst)
    values: dict[str, dict[str, str]] = {}
    for key, table in doc.get("values", {}).items():
        if key not in CODED or not isinstance(table, dict):
            bad.append(("values", key, "unknown_field"))
            continue
        codes = {c.value for c in CODED[key]}
        for src, code in table.items():
            if code not in codes:
                bad.append((f"values.{key}", src, "unknown_value"))
        values[key] = {str(k): str(v) for k, v in table.items()}
    for table in doc:
        if table not in ("source", "columns", "category", "defaults", "place", "values"):
            bad.append((table, "", "unknown_table"))
    if bad:
        raise MappingError(path, bad)
    return ImportMapping(
        str(name).strip(),
        columns,
        {str(k): str(v) for k, v in cats.items()},
        str(default),
        str(channel),
        str(rtype),
        tz,
        coords == "gcj02",
        place,
        to_county,
        as_ids is True,
        values,
    )


def load_mapping(path: Path, county_tz: str = "Asia/Shanghai") -> ImportMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(str(path), [("", "", f"unreadable: {exc}")]) from None
    return parse_mapping(text, str(path), county_tz)


# --- rows ---------------------------------------------------------------------------------


def _cell(row: Mapping[str, Any], col: Column) -> str:
    if len(col.names) == 1:
        return str(row.get(col.names[0]) or "").strip()
    parts = [str(row.get(n) or "").strip() for n in col.names]
    return " · ".join(p for p in parts if p)


def _time(text: str, col: Column, tz: ZoneInfo) -> datetime:
    value = datetime.strptime(text, col.format) if col.format else datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _moved(lon: float, lat: float, place: tuple[Box, Box]) -> tuple[float, float]:
    (a0, b0, a1, b1), (c0, d0, c1, d1) = place
    return (c0 + (lon - a0) / (a1 - a0) * (c1 - c0), d0 + (lat - b0) / (b1 - b0) * (d1 - d0))


def convert(rows: Sequence[Mapping[str, Any]], m: ImportMapping, first_row: int = 2) -> Converted:
    """Rows (dicts keyed by column name) → drafts; a bad row is reported and skipped.
    ``first_row`` is the spreadsheet row number of ``rows[0]`` (after the header)."""
    out = Converted()
    for i, row in enumerate(rows):
        n = first_row + i
        problem = _convert_one(row, m, n, out)
        if problem is not None:
            out.problems.append(problem)
    return out


def _convert_one(
    row: Mapping[str, Any], m: ImportMapping, n: int, out: Converted
) -> RowProblem | None:
    cols = m.columns
    text = {k: _cell(row, c) for k, c in cols.items()}
    ext = text.get("id", "")
    if not ext:
        return RowProblem(n, "id", "required")
    if len(ext) > 64:
        return RowProblem(n, "id", "too_long", ext[:70])
    times: dict[str, datetime | None] = {"created": None, "due": None}
    for key in TIME_FIELDS:
        if text.get(key):
            try:
                times[key] = _time(text[key], cols[key], m.tz)
            except ValueError:
                return RowProblem(n, key, "bad_time", text[key])
    lon = lat = None
    if text.get("lon") or text.get("lat"):
        try:
            lon, lat = float(text["lon"]), float(text["lat"])
        except (KeyError, ValueError):
            return RowProblem(
                n, "lon", "coordinates_not_numbers", f"{text.get('lon')},{text.get('lat')}"
            )
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return RowProblem(n, "lon", "coordinates_out_of_range", f"{lon},{lat}")
        if m.place is not None:
            lon, lat = _moved(lon, lat, m.place)
        if m.gcj02:
            lon, lat = gcj02_to_wgs84(lon, lat)
    coded = {"request_type": m.request_type, "urgency": Urgency.NORMAL.value}
    for key, enum in CODED.items():
        raw = text.get(key, "")
        if raw:
            coded[key] = m.values.get(key, {}).get(raw, raw)
            if coded[key] not in {e.value for e in enum}:
                return RowProblem(n, key, "unknown_value", raw)
    value = text.get("category", "")
    if m.categories_as_ids and value:
        category = value
    else:
        category = m.categories.get(value, m.default_category)
    description = text.get("description", "")
    if not description:
        return RowProblem(n, "description", "required")
    draft = OrderDraft(
        channel=m.channel,
        request_type=coded["request_type"],
        category_node_id=category,
        description=description,
        title=text.get("title", "")[:100],
        caller_name=text.get("caller_name") or None,
        phone=text.get("phone") or None,
        urgency=coded["urgency"],
        address=text.get("address") or None,
        lon=lon,
        lat=lat,
        external_ref=ext,
        upstream_due=times["due"],
        police_incident_no=text.get("police_incident_no") or None,
    )
    out.drafts.append(RowDraft(n, ext, times["created"], draft))
    return None
