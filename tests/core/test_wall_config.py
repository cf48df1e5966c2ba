"""The wall's playlist file: the shipped one reads and expands one page per town; a bad
one is refused whole, each problem named by its place, line and code."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ValidationError
from core.org import OrgDirectory
from core.store import Store
from core.wall.config import WALL_FILE, load_config, pages, parse_config


def problems(text: str) -> dict[str, tuple[str, int | None]]:
    with pytest.raises(ValidationError) as err:
        parse_config(text, "wall.toml")
    out = {}
    for e in err.value.errors:
        assert e.params["file"] == "wall.toml"
        out[e.field] = (e.code, e.params.get("line"))
    return out


def test_the_shipped_file_reads() -> None:
    config = load_config()
    assert config.source == str(WALL_FILE)
    assert [p.id for p in config.pages] == ["overview", "disputes", "safety", "hotline", "town"]
    overview = config.pages[0]
    assert {"kpis", "map", "trend", "funnel", "ranking", "alerts", "ticker"} <= set(overview.panels)
    every = {panel for page in config.pages for panel in page.panels}
    assert every == {
        "kpis",
        "map",
        "trend",
        "funnel",
        "categories",
        "disputes",
        "ranking",
        "alerts",
        "ticker",
    }
    assert config.pages[1].limit_classes == ("simple_dispute", "hard_dispute")
    assert config.pages[3].channels == ("hotline", "city_platform")
    assert config.pages[4].per_town


def test_an_empty_file_means_one_overview_page() -> None:
    config = parse_config("", "empty.toml")
    assert [p.id for p in config.pages] == ["overview"] and config.rotate_seconds == 30


BAD = """\
[wall]
rotate_seconds = 1
emphasis = "speed"
colour = "blue"

[[page]]
id = "a"
title = "甲"
panels = ["map", "clock"]

[[page]]
id = "a"
title = ""
channels = ["fax"]
towns = "some"
"""


def test_a_bad_file_names_every_problem_with_its_line() -> None:
    got = problems(BAD)
    assert got == {
        "wall.rotate_seconds": ("out_of_range", 2),
        "wall.emphasis": ("unknown_value", 3),
        "wall.colour": ("unknown_key", 4),
        "page[0].panels[1]": ("unknown_value", 9),
        "page[1].title": ("required", 13),
        "page[1].panels": ("required", 11),
        "page[1].channels[0]": ("unknown_value", 14),
        "page[1].towns": ("unknown_value", 15),
        "page[1].id": ("duplicate_id", 12),
    }


def test_broken_toml_and_encoding_are_refused(tmp_path: Path) -> None:
    assert problems("[wall\n")["file"][0] == "bad_toml"
    bad = tmp_path / "wall.toml"
    bad.write_bytes("[wall]\nemphasis = '超期'\n".encode("gb18030"))
    with pytest.raises(ValidationError) as err:
        load_config(bad)
    assert err.value.errors[0].code == "bad_encoding"
    with pytest.raises(ValidationError) as err:
        load_config(tmp_path / "missing.toml")
    assert err.value.errors[0].code == "unreadable"


def test_towns_expand_to_one_page_each_with_their_scope(store: Store) -> None:
    org: OrgDirectory = store.reference().org
    playlist = pages(load_config(), org)
    towns = [p for p in playlist if p.key.startswith("town:")]
    names = {u.name for u in org.all() if u.kind in ("town", "street")}
    assert {p.title for p in towns} == names and len(towns) == len(names)
    for page in towns:
        assert page.scope.unit_id is not None
        assert org.get(page.scope.unit_id).name == page.title
    assert playlist[1].scope.limit_classes == ("simple_dispute", "hard_dispute")
    assert playlist[0].emphasis == "overdue" and playlist[1].emphasis == "open"
