"""Where in a TOML file a value was written: ``surge.scope[1].factor`` → line 97.

tomllib gives values without positions, so the lines are found by a light scan of the
text: table headers (``[a.b]``, ``[[a.b]]`` counted per array), ``key =`` lines at the top
level of a table, and multi-line arrays skipped as one value. Enough for the files we
ship and for what an administrator writes in them; a place not found gives None.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?")
_KEY = re.compile(r"\s*([A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*(?:\.\s*[A-Za-z0-9_\-]+\s*)*=")
_INDEX = re.compile(r"\[\d+\]$")
_TOML_POSITION = re.compile(r"at line (\d+)")


def _depth_change(line: str) -> int:
    """Brackets opened minus closed, outside strings and comments."""
    depth, quote = 0, ""
    for ch in line:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return depth


def key_lines(text: str) -> dict[str, int]:
    """Every table and key path of the text → its 1-based line."""
    out: dict[str, int] = {}
    counts: dict[str, int] = {}
    table = ""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if depth > 0:
            depth += _depth_change(line)
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = header.group(2).replace('"', "").replace("'", "").replace(" ", "")
            if header.group(1) == "[[":
                index = counts.get(name, 0)
                counts[name] = index + 1
                table = f"{name}[{index}]"
            else:
                table = name
            out.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            name = key.group(1).strip("\"'")
            out.setdefault(f"{table}.{name}" if table else name, number)
            depth = max(0, _depth_change(line[key.end() :]))
    return out


def line_of(lines: dict[str, int], where: str) -> int | None:
    """The line of ``where``, else of the nearest enclosing place that was written."""
    path = where
    while path:
        if path in lines:
            return lines[path]
        if _INDEX.search(path):
            trimmed = _INDEX.sub("", path)
            if trimmed in lines:
                return lines[trimmed]
        if "." not in path:
            break
        path = path.rsplit(".", 1)[0]
    return None


def toml_error_line(message: str) -> int | None:
    """The line tomllib names in a syntax error ("… (at line 12, column 5)")."""
    found = _TOML_POSITION.search(message)
    return int(found.group(1)) if found else None
