"""Reading a spreadsheet export (CSV or Excel) as rows of ``{column: text}``, refusing what
cannot be read with a reason and a place, never half-reading silently.

- A file over ``max_bytes`` (default 200 MB) is refused before a byte is read.
- CSV is decoded as UTF-8 (a BOM is allowed) unless the mapping names another encoding
  (GBK/GB18030 exports are common); bytes that do not decode are refused with the line.
- Excel (.xlsx) is read with openpyxl in read-only mode, first sheet, first row the header.
- The header must name every column the mapping reads; the missing ones are listed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import CoreError

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


class FileRefused(CoreError):
    """The file as a whole cannot be imported: ``code`` says why, params say where."""

    code = "file_refused"


@dataclass(frozen=True)
class Sheet:
    header: list[str]
    rows: list[dict[str, Any]]  # row i is spreadsheet row i + 2 (after the header)


def read_table(
    path: Path,
    needed: Iterable[str] = (),
    *,
    encoding: str = "utf-8-sig",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Sheet:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise FileRefused("unreadable", file=str(path), error=str(exc)) from None
    if size > max_bytes:
        raise FileRefused("too_large", file=str(path), size=size, limit=max_bytes)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = _read_xlsx(path)
    else:
        sheet = _read_csv(path, encoding)
    missing = [c for c in needed if c not in sheet.header]
    if missing:
        raise FileRefused("missing_columns", file=str(path), columns=sorted(set(missing)))
    return sheet


def _read_csv(path: Path, encoding: str) -> Sheet:
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileRefused(
            "bad_encoding", file=str(path), encoding=encoding, line=line, byte=exc.start
        ) from None
    except LookupError:
        raise FileRefused("unknown_encoding", file=str(path), encoding=encoding) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise FileRefused("empty", file=str(path)) from None
    except csv.Error as exc:
        raise FileRefused("bad_csv", file=str(path), line=1, error=str(exc)) from None
    rows: list[dict[str, Any]] = []
    try:
        for values in reader:
            if not any(v.strip() for v in values):
                rows.append({})  # a blank line keeps its row number; convert reports it
                continue
            rows.append(dict(zip(header, values, strict=False)))
    except csv.Error as exc:
        raise FileRefused("bad_csv", file=str(path), line=reader.line_num, error=str(exc)) from None
    return Sheet(header, rows)


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise FileRefused("bad_xlsx", file=str(path), error=str(exc)) from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        if first is None:
            raise FileRefused("empty", file=str(path))
        header = ["" if h is None else str(h).strip() for h in first]
        rows = [
            {h: ("" if v is None else str(v)) for h, v in zip(header, values, strict=False)}
            for values in it
        ]
    finally:
        wb.close()
    return Sheet(header, rows)
