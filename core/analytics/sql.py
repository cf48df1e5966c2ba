"""Query helpers shared by the cohort readers: the period window, raw time columns,
frames built fast, and reading by blocks of order ids.

Times are fetched raw (SQLite text, PostgreSQL naive timestamps) and parsed by pandas in
one vectorised step: naive UTC throughout, never the per-row ``UTCDateTime`` decoder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    DateTime,
    Select,
    String,
    and_,
    case,
    literal_column,
    or_,
    type_coerce,
)

if TYPE_CHECKING:
    import pandas as pd


class Window:
    """One period's bounds and the "as of" instant, bound as the columns' own type."""

    def __init__(self, start: datetime, end: datetime, as_of: datetime) -> None:
        self.start, self.end, self.as_of = start, end, as_of

    def inside(self, col: Any) -> ColumnElement[bool]:
        return and_(col >= self.start, col < self.end)


def raw(conn: Connection, expr: Any) -> Any:
    """A time column as the driver returns it: parsed later by pandas, all at once."""
    return type_coerce(expr, String() if conn.dialect.name == "sqlite" else DateTime())


def unindexed(col: Any) -> Any:
    """``col || ''``: the same value, but no index on ``col`` can serve the test. SQLite,
    which keeps no statistics unless ANALYZE ran, would otherwise pick the (kind, at) or
    (state, ...) index for a per-order lookup and scan every event of that kind per order;
    this leaves it (and PostgreSQL) the order-id index."""
    return col.op("||")(literal_column("''"))


def flag(cond: ColumnElement[bool]) -> Any:
    return case((cond, 1), else_=0)


KEYS = ("order_id", "hop_id", "limit_id")


def frame(conn: Connection, query: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    """The rows as a frame; id columns are int64 even when there are no rows, so merges
    and membership tests never meet an object column."""
    import pandas as pd

    result = conn.execute(query)
    # The driver's own tuples: every column is read raw (no result processors to apply),
    # and SQLAlchemy Row objects would cost more than the query itself on large cohorts.
    rows = result.cursor.fetchall() if result.cursor is not None else []
    result.close()
    return _typed(pd.DataFrame.from_records(rows, columns=list(columns), nrows=len(rows)))


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    keys = {c: "int64" for c in KEYS if c in out.columns}
    return out.astype(keys) if keys else out


# Order ids: a pandas Series, a numpy array or any iterable of ints (see id_array).
Ids = Any

GAP = 64  # ids closer than this are read as one range (the few between are dropped)
RANGES_PER_QUERY = 64
SINGLES_PER_QUERY = 2000


def id_array(ids: Ids) -> Any:
    """Unique sorted int64 ids from a pandas Series, a numpy array or any iterable."""
    import numpy as np

    if hasattr(ids, "to_numpy"):
        ids = ids.to_numpy(dtype=np.int64)
    elif not isinstance(ids, np.ndarray):
        ids = np.fromiter((int(i) for i in ids), dtype=np.int64)
    return np.unique(ids.astype(np.int64, copy=False))


def id_runs(ordered: Any) -> list[tuple[int, int]]:
    """Sorted unique ids as runs (lo, hi) with gaps of less than GAP inside a run. Ids
    follow registration, so a period's orders make a few long runs; a sparse cohort (orders
    of earlier periods) makes many one-id runs."""
    import numpy as np

    if not len(ordered):
        return []
    breaks = np.nonzero(np.diff(ordered) >= GAP)[0]
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(ordered) - 1]))
    return list(zip(ordered[starts].tolist(), ordered[ends].tolist(), strict=True))


def id_conditions(ordered: Any) -> Iterator[Callable[[Any], ColumnElement[bool]]]:
    """Conditions on an id column covering the ids, a bounded number of ranges and single
    ids per query (a huge IN list costs more to build than to run)."""
    runs = id_runs(ordered)
    spans = [r for r in runs if r[0] != r[1]]
    singles = [lo for lo, hi in runs if lo == hi]
    for i in range(0, len(spans), RANGES_PER_QUERY):
        yield partial(_in_ranges, part=spans[i : i + RANGES_PER_QUERY])
    for i in range(0, len(singles), SINGLES_PER_QUERY):
        yield partial(_in_list, part=singles[i : i + SINGLES_PER_QUERY])


def _in_ranges(col: Any, part: list[tuple[int, int]]) -> ColumnElement[bool]:
    return or_(*(and_(col >= lo, col <= hi) for lo, hi in part))


def _in_list(col: Any, part: list[int]) -> ColumnElement[bool]:
    return col.in_(part)  # type: ignore[no-any-return]


def by_blocks(
    conn: Connection,
    ids: Ids,
    build: Callable[[Callable[[Any], ColumnElement[bool]]], Select[Any]],
    columns: Sequence[str],
) -> pd.DataFrame:
    """Run ``build(cond)`` once per group of id runs; ``cond(col)`` restricts ``col`` to
    them, and rows of other orders that a range brings along are dropped."""
    import pandas as pd

    wanted = id_array(ids)
    parts = []
    for cond in id_conditions(wanted):
        got = frame(conn, build(cond), columns)
        if len(got):
            parts.append(got)
    if not parts:
        return _typed(pd.DataFrame({c: [] for c in columns}, columns=list(columns)))
    out = pd.concat(parts, ignore_index=True)
    return out[out[columns[0]].isin(wanted)]
