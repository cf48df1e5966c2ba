"""Answers and returns to the platform an order came from (办结回复, 退回), as a file the
platform takes back in: `python main.py answers --source city12345 [--since T] --out F`.

The file is CSV, UTF-8 with a BOM (Excel opens it as it is), one row per answer or return,
oldest first, with these columns:

    工单编号   the platform's own order number (orders.external_ref)
    本地编号   our order number
    类型       办结 (the centre's review passed the result), 直接答复 (answered on the spot),
               退回 (transferred out: not this county's), 作废 (void: a prank or a test)
    内容       the result, the answer, or the reason (with the destination for 退回)
    承办单位   the unit whose result the centre passed (办结 only)
    时间       when, in the county's local time (YYYY-MM-DD HH:MM)

``--since`` (local time) takes only what happened after it, so a daily run sends each
answer once; the platform keys a row by (工单编号, 类型, 时间).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from core.domain.events import EventKind
from core.storage.schema import events, orders

HEADER = ("工单编号", "本地编号", "类型", "内容", "承办单位", "时间")
KINDS = {
    EventKind.REVIEW_PASSED.value: "办结",
    EventKind.ANSWERED_ON_SPOT.value: "直接答复",
    EventKind.TRANSFERRED.value: "退回",
    EventKind.VOIDED.value: "作废",
}


@dataclass(frozen=True)
class AnswerRow:
    external_ref: str
    number: str
    kind: str
    text: str
    unit: str
    at: datetime


def answers(
    conn: Connection, source: str, since: datetime | None, unit_names: dict[int, str]
) -> list[AnswerRow]:
    """Every answer or return of ``source``'s orders after ``since``, oldest first."""
    o, e = orders, events
    q = (
        select(
            o.c.id,
            o.c.external_ref,
            o.c.number,
            o.c.result_text,
            o.c.answer_text,
            o.c.transfer_destination,
            e.c.kind,
            e.c.reason,
            e.c.at,
        )
        .join(e, e.c.order_id == o.c.id)
        .where(o.c.external_source == source, e.c.kind.in_(list(KINDS)))
        .order_by(e.c.at, e.c.id)
    )
    if since is not None:
        q = q.where(e.c.at > since)
    rows = conn.execute(q).all()
    submitters = _submitters(conn, [r.id for r in rows if r.kind == EventKind.REVIEW_PASSED.value])
    out = []
    for r in rows:
        kind = KINDS[r.kind]
        if r.kind == EventKind.REVIEW_PASSED.value:
            text, unit = r.result_text or "", unit_names.get(submitters.get(r.id, -1), "")
        elif r.kind == EventKind.ANSWERED_ON_SPOT.value:
            text, unit = r.answer_text or "", ""
        elif r.kind == EventKind.TRANSFERRED.value:
            text, unit = f"{r.reason or ''}（转至{r.transfer_destination or ''}）", ""
        else:
            text, unit = r.reason or "", ""
        out.append(AnswerRow(r.external_ref, r.number, kind, text, unit, r.at))
    return out


def _submitters(conn: Connection, order_ids: list[int]) -> dict[int, int]:
    """The unit that last submitted a result up to the centre, per order."""
    if not order_ids:
        return {}
    e = events
    q = (
        select(e.c.order_id, e.c.actor_unit_id)
        .where(e.c.order_id.in_(order_ids), e.c.kind == EventKind.RESULT_SUBMITTED.value)
        .order_by(e.c.id)
    )
    return {r.order_id: r.actor_unit_id for r in conn.execute(q)}


def to_csv(rows: list[AnswerRow], tz: ZoneInfo) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(HEADER)
    for r in rows:
        at = r.at if r.at.tzinfo else r.at.replace(tzinfo=ZoneInfo("UTC"))
        w.writerow(
            [
                r.external_ref,
                r.number,
                r.kind,
                r.text,
                r.unit,
                f"{at.astimezone(tz):%Y-%m-%d %H:%M}",
            ]
        )
    return buf.getvalue().encode("utf-8-sig")
