"""The early-warning rules file: the shipped one reads; a bad one is refused whole, every
problem named by its place, its line and a code; the service re-reads an edited file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.errors import ValidationError
from core.warning.config import WARNING_FILE, RulesFile, load_rules, parse_rules
from core.warning.lines import key_lines, line_of


def problems(text: str) -> dict[str, tuple[str, int | None]]:
    """place → (code, line) of every problem of ``text``."""
    with pytest.raises(ValidationError) as err:
        parse_rules(text, "rules.toml")
    out = {}
    for e in err.value.errors:
        assert e.params["file"] == "rules.toml"
        out[e.field] = (e.code, e.params.get("line"))
    return out


def test_the_shipped_file_reads_with_every_rule_on() -> None:
    rules = load_rules()
    assert rules.source == str(WARNING_FILE)
    assert rules.cluster.enabled and rules.cluster.min_count == 3
    assert [(w.hours, w.min_calls) for w in rules.repeat_caller.windows] == [(72, 3), (720, 5)]
    words = {w for g in rules.sensitive_words.groups for w in g.words}
    assert {"群体", "上访", "自杀", "火灾", "持刀", "跳楼", "爆炸"} <= words
    assert [s.by for s in rules.surge.scopes] == ["county", "town"]
    assert rules.near_breach.urgency == ("urgent", "critical")
    assert rules.near_breach.unit.min_orders == 10


def test_an_empty_file_means_the_defaults() -> None:
    rules = parse_rules("", "empty.toml")
    assert rules.cluster.window_minutes == 120 and rules.repeat_caller.windows == ()


BAD = """\
[service]
every_seconds = 0

[cluster]
min_count = 1
window = 120
severity = "purple"

[[sensitive_words.group]]
name = "生命安全"
words = ["自杀", "", "自杀"]
urgency = "normal"
severity = "red"

[surge]
weeks = "four"

  [[surge.scope]]
  by = "county"
  factor = 2.0
  min_count = 30
  severity = "orange"

  [[surge.scope]]
  by = "village"
  factor = true
  min_count = 12
  severity = "yellow"

[near_breach]
limits = ["handout", "sign"]

[near_breach.unit]
min_orders = -3

[alarms]
"""


def test_every_bad_value_is_named_with_its_line() -> None:
    got = problems(BAD)
    assert got == {
        "service.every_seconds": ("out_of_range", 2),
        "cluster.min_count": ("out_of_range", 5),
        "cluster.window": ("unknown_key", 6),
        "cluster.severity": ("unknown_value", 7),
        "sensitive_words.group[0].words[1]": ("empty_word", 11),
        "sensitive_words.group[0].words[2]": ("duplicate_word", 11),
        "sensitive_words.group[0].urgency": ("unknown_value", 12),
        "surge.weeks": ("not_int", 16),
        "surge.scope[1].by": ("unknown_value", 25),
        "surge.scope[1].factor": ("not_number", 26),
        "near_breach.limits[1]": ("unknown_value", 31),
        "near_breach.unit.min_orders": ("out_of_range", 34),
        "alarms": ("unknown_key", 36),
    }


def test_a_missing_required_value_points_at_its_table() -> None:
    text = "[repeat_caller]\n\n  [[repeat_caller.window]]\n  hours = 72\n  min_calls = 3\n"
    assert problems(text) == {"repeat_caller.window[0].severity": ("required", 3)}


def test_a_syntax_error_gives_its_line() -> None:
    got = problems("[cluster]\nmin_count = 3\nradius_m = = 300\n")
    assert got == {"file": ("bad_toml", 3)}


def test_comparing_nothing_is_refused() -> None:
    got = problems("[cluster]\nby_grid = false\nradius_m = 0\n")
    assert got == {"cluster.by_grid": ("nothing_to_compare", 2)}


def test_lines_skip_multi_line_arrays_and_count_array_tables() -> None:
    text = 'a = [\n  "x = 1",\n  "y",\n]\nb = 2\n[[t]]\nk = 1\n[[t]]\nk = 2\n'
    lines = key_lines(text)
    assert lines == {"a": 1, "b": 5, "t[0]": 6, "t[0].k": 7, "t[1]": 8, "t[1].k": 9}
    assert line_of(lines, "a[1]") == 1
    assert line_of(lines, "t[1].missing") == 8
    assert line_of(lines, "nowhere.at.all") is None


def test_the_service_reads_an_edited_file_again(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[cluster]\nmin_count = 4\n", encoding="utf-8")
    source = RulesFile(path)
    assert source.current().cluster.min_count == 4
    path.write_text("[cluster]\nmin_count = 5\n", encoding="utf-8")
    os.utime(path, ns=(1, 2))  # a new stamp even within the clock's resolution
    assert source.current().cluster.min_count == 5
    path.write_text("[cluster]\nmin_count = 0\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        source.current()
    with pytest.raises(ValidationError):  # still refused: no stale rules meanwhile
        source.current()
    path.write_text("\ufeff[cluster]\nmin_count = 6\n", encoding="utf-8")  # a BOM is fine
    assert source.current().cluster.min_count == 6
