"""Categories from DB44/T 2479-2024 (Guangdong 12345 request classification).

The standard's appendix has 515 level-3 rows with 514 unique codes (090499 sits under
two parents), so rows are keyed on ``node_id``. Thirteen level-2 rows have no level-3
child: their level-3 row has a blank name and stands for the level-2 item itself, so
it takes the level-2 name and stays selectable. Level-1 and level-2 nodes are derived.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.errors import FieldError, ValidationError
from core.resources import CATEGORY_DEFAULTS, TAXONOMY_CSV

NODE_PREFIX = "db44t2479-2024"
LIMIT_CLASSES = frozenset({"general", "simple_dispute", "hard_dispute", "safety"})


@dataclass(frozen=True)
class Category:
    node_id: str
    code: str
    level: int
    name: str
    parent_node_id: str | None
    remark: str
    selectable: bool
    is_dispute: bool = False
    limit_class: str = "general"
    default_tier: int | None = None
    owner_unit_code: str | None = None


@dataclass(frozen=True)
class _Defaults:
    owner: str | None = None
    tier: int | None = None
    limit_class: str | None = None
    dispute: bool | None = None


def read_taxonomy(path: Path = TAXONOMY_CSV) -> list[Category]:
    """All nodes: 14 level-1, 99 level-2 and 515 level-3 rows, in the standard's order."""
    out: list[Category] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            l1, l2 = row["level_1_code"], row["level_2_code"]
            n1, n2 = f"{NODE_PREFIX}:{l1}", f"{NODE_PREFIX}:{l2}"
            if n1 not in seen:
                seen.add(n1)
                out.append(Category(n1, l1, 1, row["level_1_name"], None, "", False))
            if n2 not in seen:
                seen.add(n2)
                out.append(Category(n2, l2, 2, row["level_2_name"], n1, "", False))
            name = row["level_3_name"].strip() or row["level_2_name"]
            out.append(
                Category(row["node_id"], row["level_3_code"], 3, name, n2, row["remark"], True)
            )
    return out


def parse_defaults(text: str, source: str = "<text>") -> list[tuple[str, _Defaults]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(
            [FieldError("file", "bad_toml", {"source": source, "error": str(exc)})]
        ) from exc
    errors: list[FieldError] = []
    entries: list[tuple[str, _Defaults]] = []
    for i, item in enumerate(doc.get("prefix", [])):
        where = f"prefix[{i}]"
        code = item.get("code")
        if not isinstance(code, str) or (not code.isdigit() and code != ""):
            errors.append(
                FieldError(f"{where}.code", "bad_code", {"source": source, "value": code})
            )
            continue
        tier = item.get("tier")
        if tier is not None and (not isinstance(tier, int) or tier < 1):
            errors.append(
                FieldError(f"{where}.tier", "bad_tier", {"source": source, "value": tier})
            )
        limit_class = item.get("limit_class")
        if limit_class is not None and limit_class not in LIMIT_CLASSES:
            errors.append(
                FieldError(
                    f"{where}.limit_class",
                    "unknown_limit_class",
                    {"source": source, "value": limit_class},
                )
            )
        dispute = item.get("dispute")
        if dispute is not None and not isinstance(dispute, bool):
            errors.append(
                FieldError(f"{where}.dispute", "not_bool", {"source": source, "value": dispute})
            )
        entries.append((code, _Defaults(item.get("owner"), tier, limit_class, dispute)))
    if errors:
        raise ValidationError(errors)
    return entries


def apply_defaults(
    cats: Iterable[Category], entries: list[tuple[str, _Defaults]]
) -> Iterator[Category]:
    ordered = sorted(entries, key=lambda e: len(e[0]))  # shorter prefixes first, longer win
    for cat in cats:
        merged: dict[str, Any] = {}
        for prefix, d in ordered:
            if cat.code.startswith(prefix):
                for key, value in vars(d).items():
                    if value is not None:
                        merged[key] = value
        yield replace(
            cat,
            owner_unit_code=merged.get("owner"),
            default_tier=merged.get("tier"),
            limit_class=merged.get("limit_class", "general"),
            is_dispute=bool(merged.get("dispute", False)),
        )


def load_categories(
    taxonomy: Path = TAXONOMY_CSV, defaults: Path = CATEGORY_DEFAULTS
) -> list[Category]:
    entries = parse_defaults(defaults.read_text(encoding="utf-8"), str(defaults))
    return list(apply_defaults(read_taxonomy(taxonomy), entries))


class CategoryBook:
    """Categories by node id, for validation and routing."""

    def __init__(self, cats: Iterable[Category]) -> None:
        self._by_id = {c.node_id: c for c in cats}

    def get(self, node_id: str) -> Category | None:
        return self._by_id.get(node_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Category]:
        return iter(self._by_id.values())

    def selectable(self) -> list[Category]:
        return [c for c in self._by_id.values() if c.selectable]
