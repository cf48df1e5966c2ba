"""Category search for intake: code, name, pinyin initials and whole pinyin, every row."""

from __future__ import annotations

import pytest

from core.category_search import CategoryIndex
from core.taxonomy import load_categories


@pytest.fixture(scope="module")
def index() -> CategoryIndex:
    return CategoryIndex(load_categories())


def first_names(index: CategoryIndex, query: str, n: int = 3) -> list[str]:
    return [h.category.name for h in index.search(query)[:n]]


@pytest.mark.parametrize("query", ["030301", "建筑工程", "jzgc", "JZGCGL", "jianzhugong"])
def test_every_way_of_typing_finds_the_row_first(index: CategoryIndex, query: str) -> None:
    assert first_names(index, query, 1) == ["建筑工程管理"]


def test_a_code_prefix_lists_its_rows_in_code_order(index: CategoryIndex) -> None:
    codes = [h.category.code for h in index.search("0303", limit=50)]
    assert codes and all(c.startswith("0303") for c in codes)
    assert codes == sorted(codes)


def test_every_selectable_row_is_found_by_its_code_and_by_its_initials(
    index: CategoryIndex,
) -> None:
    from pypinyin import Style, lazy_pinyin

    cats = [c for c in load_categories() if c.selectable]
    assert len(cats) > 500
    # a level-2 item without level-3 children is a row of its own (涉军涉警, 990100)
    assert index.search("sjsj", limit=1)[0].category.code == "990100"
    for c in cats:
        by_code = index.search(c.code, limit=5)
        assert by_code[0].category.code == c.code  # the source repeats a few codes
        assert c in [h.category for h in by_code]
        initials = "".join(lazy_pinyin(c.name, style=Style.FIRST_LETTER))
        assert c in [h.category for h in index.search(initials, limit=200)]


def test_names_on_the_path_and_remarks_match_after_the_name(index: CategoryIndex) -> None:
    hits = index.search("渣土")
    assert hits[0].category.name == "渣土车及大型车管理"  # in the name: first
    by_remark = [h for h in hits if h.category.name == "建筑工程管理"]
    assert by_remark and by_remark[0].rank == CategoryIndex.RANKS.index("remark")
    assert by_remark[0].path == "城乡建设 › 市容市貌 › 建筑工程管理"
    under = index.search("市容市貌", limit=50)
    assert {h.category.parent_node_id for h in under if h.rank == 7} == {"db44t2479-2024:0303"}


def test_blank_and_unknown_queries_find_nothing(index: CategoryIndex) -> None:
    assert index.search("") == [] and index.search("   ") == []
    assert index.search("qqqqxxzz") == []
    assert index.search("98") == []


def test_parents_only_when_asked(index: CategoryIndex) -> None:
    assert all(h.category.selectable for h in index.search("城乡建设", limit=100))
    every = index.search("城乡建设", limit=100, selectable_only=False)
    assert any(h.category.level == 1 for h in every)
