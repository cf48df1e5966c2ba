"""Category search for intake: every taxonomy row, by name, code or pinyin.

A duty officer types while the citizen talks: "030301", "建筑", "jzgc" (the initials of
建筑工程管理) and "jianzhu" (whole pinyin) all find 建筑工程管理. Matches in the remark
(e.g. 渣土 in 建筑工程管理's description) count too, ranked last. Rows are ranked by how
well they match, then by code, so the list is stable while typing.

The index is built once per taxonomy (628 rows: about 0.5 s, most of it loading pypinyin's
dictionaries; build it off the UI thread) and a search is a scan of precomputed strings,
about 0.6 ms. No Qt here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from core.taxonomy import Category


@dataclass(frozen=True)
class Hit:
    category: Category
    path: str  # "城乡建设 › 市容市貌 › 建筑工程管理"
    rank: int  # lower is better: see CategoryIndex.RANKS


@dataclass(frozen=True)
class _Entry:
    category: Category
    path: str
    name: str
    code: str
    initials: str
    spelled: str
    remark: str


class CategoryIndex:
    # How a query matched, best first.
    RANKS = (
        "code",  # the whole code
        "code_prefix",
        "name_prefix",
        "initials_prefix",
        "name_contains",
        "spelled_prefix",
        "initials_contains",
        "parent_name",  # a level-1 or level-2 name on the path
        "remark",
    )

    def __init__(self, categories: Iterable[Category]) -> None:
        cats = list(categories)
        by_id = {c.node_id: c for c in cats}
        self._entries: list[_Entry] = []
        for c in sorted(cats, key=lambda c: c.code):
            names = [c.name]
            parent = by_id.get(c.parent_node_id or "")
            while parent is not None:
                names.insert(0, parent.name)
                parent = by_id.get(parent.parent_node_id or "")
            self._entries.append(
                _Entry(
                    c,
                    " › ".join(names),
                    c.name,
                    c.code,
                    "".join(lazy_pinyin(c.name, style=Style.FIRST_LETTER)).lower(),
                    "".join(lazy_pinyin(c.name)).lower(),
                    c.remark,
                )
            )

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int = 20, selectable_only: bool = True) -> list[Hit]:
        """The best ``limit`` rows for ``query``; an empty query finds nothing."""
        q = "".join(query.split()).lower()
        if not q:
            return []
        hits: list[Hit] = []
        for e in self._entries:
            if selectable_only and not e.category.selectable:
                continue
            rank = self._rank(e, q)
            if rank is not None:
                hits.append(Hit(e.category, e.path, rank))
        hits.sort(key=lambda h: (h.rank, h.category.code))
        return hits[:limit]

    def _rank(self, e: _Entry, q: str) -> int | None:
        if q.isdigit():
            if e.code == q:
                return 0
            return 1 if e.code.startswith(q) else None
        tests = (
            e.name.startswith(q),
            e.initials.startswith(q),
            q in e.name,
            e.spelled.startswith(q),
            q in e.initials,
            q in e.path and q not in e.name,
            q in e.remark,
        )
        for offset, matched in enumerate(tests):
            if matched:
                return offset + 2
        return None
