"""The wall's playlist (resources/wall.toml): read, checked and typed here.

The format is documented at the top of the shipped file. A broken file is refused whole:
``ValidationError`` lists every bad entry with its place (``page[2].panels[1]``), a code,
and the file and line in its params. ``pages`` expands ``towns = "all"`` into one page per
town of the county, each with its own ``Scope``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.domain.enums import Channel, UnitKind
from core.errors import FieldError, ValidationError
from core.org import OrgDirectory
from core.resources import RESOURCES
from core.taxonomy import LIMIT_CLASSES
from core.toml_reader import TomlReader, read_text_file
from core.wall.model import Scope
from core.warning.lines import toml_error_line

WALL_FILE = RESOURCES / "wall.toml"
PANELS = (
    "kpis",
    "map",
    "trend",
    "funnel",
    "categories",
    "disputes",
    "ranking",
    "alerts",
    "ticker",
)
KPIS = (
    "intake_today",
    "open",
    "overdue",
    "warning",
    "closed_today",
    "on_time_rate",
    "satisfaction",
    "response_rate",
)
MEASURES = ("open", "overdue")
CHANNELS = tuple(c.value for c in Channel)
CLASSES = tuple(sorted(LIMIT_CLASSES))
_WALL_KEYS = (
    "rotate_seconds",
    "refresh_seconds",
    "rates_minutes",
    "stale_seconds",
    "emphasis",
    "map_measure",
    "flash_minutes",
    "ticker_items",
    "alert_items",
    "ranking_items",
)
_PAGE_KEYS = (
    "id",
    "title",
    "title_en",
    "panels",
    "limit_classes",
    "channels",
    "towns",
    "emphasis",
    "map_measure",
)


@dataclass(frozen=True)
class PageSpec:
    id: str
    title: str
    title_en: str
    panels: tuple[str, ...]
    limit_classes: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    per_town: bool = False
    emphasis: str | None = None
    map_measure: str | None = None


@dataclass(frozen=True)
class WallConfig:
    rotate_seconds: float = 30.0
    refresh_seconds: float = 30.0
    rates_minutes: float = 5.0
    stale_seconds: float = 60.0
    emphasis: str = "overdue"
    map_measure: str = "open"
    flash_minutes: float = 10.0
    ticker_items: int = 8
    alert_items: int = 5
    ranking_items: int = 5
    pages: tuple[PageSpec, ...] = (PageSpec("overview", "全县总览", "County overview", PANELS),)
    source: str = "<wall>"


@dataclass(frozen=True)
class Page:
    """One page of the playlist as the wall shows it."""

    key: str  # unique: the spec's id, with the town's unit id for per-town pages
    title: str
    title_en: str
    panels: tuple[str, ...]
    scope: Scope
    emphasis: str
    map_measure: str


def parse_config(text: str, source: str = "<wall>") -> WallConfig:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        params = {"file": source, "line": toml_error_line(str(exc)), "error": str(exc)}
        raise ValidationError([FieldError("file", "bad_toml", params)]) from exc
    r = TomlReader(text, source)
    r.known(doc, "", ("wall", "page"))
    t = r.table(doc, "", "wall", _WALL_KEYS)
    w = "wall"
    pages = tuple(_page(r, where, item) for where, item in r.tables(doc, "", "page"))
    if not pages and "page" in doc:
        r.bad("page", "no_pages")
    seen: set[str] = set()
    for i, page in enumerate(pages):
        if page.id in seen:
            r.bad(f"page[{i}].id", "duplicate_id", page.id)
        seen.add(page.id)
    config = WallConfig(
        r.number(t, w, "rotate_seconds", 30.0, 3.0, 3600.0),
        r.number(t, w, "refresh_seconds", 30.0, 1.0, 3600.0),
        r.number(t, w, "rates_minutes", 5.0, 0.5, 24 * 60.0),
        r.number(t, w, "stale_seconds", 60.0, 5.0, 3600.0),
        r.choice(t, w, "emphasis", "overdue", KPIS),
        r.choice(t, w, "map_measure", "open", MEASURES),
        r.number(t, w, "flash_minutes", 10.0, 0.5, 24 * 60.0),
        r.integer(t, w, "ticker_items", 8, 1, 50),
        r.integer(t, w, "alert_items", 5, 1, 30),
        r.integer(t, w, "ranking_items", 5, 1, 20),
        pages or WallConfig.pages,
        source,
    )
    if r.errors:
        raise ValidationError(r.errors)
    return config


def _page(r: TomlReader, where: str, t: dict[str, Any]) -> PageSpec:
    r.known(t, where, _PAGE_KEYS)
    page_id = t.get("id")
    if not isinstance(page_id, str) or not page_id.strip():
        r.bad(f"{where}.id", "required", page_id)
        page_id = where
    title = t.get("title")
    if not isinstance(title, str) or not title.strip():
        r.bad(f"{where}.title", "required", title)
        title = page_id
    title_en = t.get("title_en", title)
    if not isinstance(title_en, str):
        r.bad(f"{where}.title_en", "not_a_string", title_en)
        title_en = title
    panels = r.strings(t, where, "panels", (), PANELS)
    if not panels and "panels" not in t:
        r.bad(f"{where}.panels", "required")
    towns = t.get("towns")
    if towns is not None and towns != "all":
        r.bad(f"{where}.towns", "unknown_value", towns)
    emphasis = t.get("emphasis")
    if emphasis is not None:
        emphasis = r.choice(t, where, "emphasis", None, KPIS)
    measure = t.get("map_measure")
    if measure is not None:
        measure = r.choice(t, where, "map_measure", None, MEASURES)
    return PageSpec(
        page_id.strip(),
        title.strip(),
        title_en.strip() or title.strip(),
        panels,
        r.strings(t, where, "limit_classes", (), CLASSES),
        r.strings(t, where, "channels", (), CHANNELS),
        towns == "all",
        emphasis,
        measure,
    )


def load_config(path: Path = WALL_FILE) -> WallConfig:
    text = read_text_file(path)
    return parse_config(text, str(path))


def towns_of(org: OrgDirectory) -> list[tuple[int, str]]:
    """The county's towns and streets (unit id, name), in code order."""
    root = org.territory_root()
    if root is None:
        return []
    kinds = (UnitKind.TOWN, UnitKind.STREET)
    return [
        (u.id, u.name)
        for u in sorted(org.children(root.id), key=lambda u: u.code)
        if u.kind in kinds
    ]


def pages(config: WallConfig, org: OrgDirectory) -> list[Page]:
    """The playlist: every page in file order, a per-town page once for each town."""
    out: list[Page] = []
    for spec in config.pages:
        emphasis = spec.emphasis or config.emphasis
        measure = spec.map_measure or config.map_measure
        base = Scope(None, spec.limit_classes, spec.channels)
        if not spec.per_town:
            out.append(
                Page(spec.id, spec.title, spec.title_en, spec.panels, base, emphasis, measure)
            )
            continue
        for unit_id, name in towns_of(org):
            out.append(
                Page(
                    f"{spec.id}:{unit_id}",
                    spec.title.replace("{town}", name),
                    spec.title_en.replace("{town}", name),
                    spec.panels,
                    Scope(unit_id, spec.limit_classes, spec.channels),
                    emphasis,
                    measure,
                )
            )
    return out
