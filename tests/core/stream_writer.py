"""A second OS process for the stream tests: drives the closed loop on a test county
until at least N events were written, then prints their ids as JSON on stdout.

    python -m tests.core.stream_writer URL N
    python -m tests.core.stream_writer URL edit ORDER_ID VERSION TITLE   (prints the new version)
"""

from __future__ import annotations

import json
import sys

from sqlalchemy import select

from core.auth import load_actor
from core.service import OrderService
from core.storage.schema import users
from core.store import open_store
from core.workflow.intake import OrderDraft
from tests.core.county import POINTS


def main(url: str, want: int) -> int:
    store = open_store(url)
    svc = OrderService(store)
    with store.engine.connect() as conn:
        ids = {r.username: r.id for r in conn.execute(select(users.c.username, users.c.id))}
        actor = {
            name: load_actor(conn, ids[name])
            for name in ("duty", "dispatcher", "supervisor", "h_town1")
        }
        town1 = conn.execute(
            select(users.c.unit_id).where(users.c.username == "h_town1")
        ).scalar_one()
    written: list[int] = []
    n = 0
    while len(written) < want:
        n += 1
        draft = OrderDraft(
            channel="hotline",
            request_type="complaint",
            category_node_id="db44t2479-2024:0303:030301",
            description=f"路灯不亮 {n}",
            phone="13812345678",
            lon=POINTS["town1v1g1"][0],
            lat=POINTS["town1v1g1"][1],
        )
        res = svc.register(actor["duty"], draft)
        oid = res.order_id
        steps = [res]
        steps.append(svc.dispatch(actor["dispatcher"], oid, town1))
        hop = steps[-1].value[0]
        steps.append(svc.accept(actor["h_town1"], oid, hop))
        steps.append(svc.note_progress(actor["h_town1"], oid, f"进展 {n}", hop))
        if n % 3:
            steps.append(svc.submit_result(actor["h_town1"], oid, hop, "已处理"))
        else:
            steps.append(svc.supervise(actor["supervisor"], oid, "yellow", "请加快"))
        for step in steps:
            written.extend(int(e) for e in step.event_ids)
    json.dump(written, sys.stdout)
    store.engine.dispose()
    return 0


def edit(url: str, order_id: int, version: int, title: str) -> int:
    store = open_store(url)
    with store.engine.connect() as conn:
        uid = conn.execute(select(users.c.id).where(users.c.username == "duty")).scalar_one()
        duty = load_actor(conn, uid)
    res = OrderService(store).edit(duty, order_id, {"title": title}, expected_version=version)
    print(res.versions[res.order_id])
    store.engine.dispose()
    return 0


if __name__ == "__main__":
    if sys.argv[2] == "edit":
        sys.exit(edit(sys.argv[1], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]))
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
