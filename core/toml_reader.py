"""Typed values out of a parsed TOML document, every problem kept with its place and line
(``surge.scope[1].factor`` → line 97). The rule files (early warning, the wall's pages)
read through it, so an administrator's mistake is named the same way in each."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.errors import FieldError, ValidationError
from core.warning.lines import key_lines, line_of


def read_text_file(path: Path) -> str:
    """A rule file's text (UTF-8, a Notepad BOM welcome); an unreadable file or a wrong
    encoding is refused naming the file (and the byte offset)."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        params = {"file": str(path), "error": exc.strerror or str(exc)}
        raise ValidationError([FieldError("file", "unreadable", params)]) from exc
    except UnicodeDecodeError as exc:
        where: dict[str, object] = {"file": str(path), "offset": exc.start}
        raise ValidationError([FieldError("file", "bad_encoding", where)]) from exc


class TomlReader:
    """Typed values out of the parsed document; every problem is kept, with its line."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = key_lines(text)
        self.errors: list[FieldError] = []

    def bad(self, where: str, code: str, value: Any = None) -> None:
        params = {"file": self.source, "line": line_of(self.lines, where), "value": value}
        self.errors.append(FieldError(where, code, params))

    def table(
        self, parent: dict[str, Any], where: str, key: str, keys: Iterable[str]
    ) -> dict[str, Any]:
        path = f"{where}.{key}" if where else key
        value = parent.get(key, {})
        if not isinstance(value, dict):
            self.bad(path, "not_a_table", value)
            return {}
        self.known(value, path, keys)
        return value

    def tables(
        self, parent: dict[str, Any], where: str, key: str
    ) -> list[tuple[str, dict[str, Any]]]:
        value = parent.get(key, [])
        path = f"{where}.{key}" if where else key
        if not isinstance(value, list):
            self.bad(path, "not_a_table", value)
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((f"{path}[{i}]", item))
            else:
                self.bad(f"{path}[{i}]", "not_a_table", item)
        return out

    def known(self, table: dict[str, Any], where: str, keys: Iterable[str]) -> None:
        allowed = set(keys)
        for key in table:
            if key not in allowed:
                self.bad(f"{where}.{key}" if where else key, "unknown_key", key)

    def flag(self, t: dict[str, Any], where: str, key: str, default: bool) -> bool:
        value = t.get(key, default)
        if not isinstance(value, bool):
            self.bad(f"{where}.{key}", "not_bool", value)
            return default
        return value

    def integer(
        self, t: dict[str, Any], where: str, key: str, default: int, lo: int, hi: int
    ) -> int:
        value = t.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(f"{where}.{key}", "not_int", value)
            return default
        if not lo <= value <= hi:
            self.bad(f"{where}.{key}", "out_of_range", value)
            return default
        return value

    def number(
        self, t: dict[str, Any], where: str, key: str, default: float, lo: float, hi: float
    ) -> float:
        value = t.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.bad(f"{where}.{key}", "not_number", value)
            return default
        if not lo <= value <= hi:  # also refuses NaN
            self.bad(f"{where}.{key}", "out_of_range", value)
            return default
        return float(value)

    def choice(
        self, t: dict[str, Any], where: str, key: str, default: str | None, allowed: tuple[str, ...]
    ) -> str:
        value = t.get(key, default)
        if value is None:
            self.bad(f"{where}.{key}", "required")
            return allowed[0]
        if value not in allowed:
            self.bad(f"{where}.{key}", "unknown_value", value)
            return allowed[0]
        return str(value)

    def strings(
        self,
        t: dict[str, Any],
        where: str,
        key: str,
        default: tuple[str, ...],
        allowed: tuple[str, ...] | None = None,
    ) -> tuple[str, ...]:
        value = t.get(key, list(default))
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(f"{where}.{key}", "not_a_list_of_strings", value)
            return default
        out: list[str] = []
        for i, v in enumerate(value):
            text = v.strip()
            if not text:
                self.bad(f"{where}.{key}[{i}]", "empty_word", v)
            elif allowed is not None and text not in allowed:
                self.bad(f"{where}.{key}[{i}]", "unknown_value", v)
            elif text in out:
                self.bad(f"{where}.{key}[{i}]", "duplicate_word", v)
            else:
                out.append(text)
        return tuple(out)
