"""Opening the database before anyone logs in: create the schema on an empty database and
build the demo county there, with a progress dialog while a worker thread does the work."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtWidgets import QWidget
from sqlalchemy import select

from core.storage.db import read_tx
from core.storage.schema import units
from core.store import Store, open_store
from desktop.lanes import Lanes
from desktop.views.demo_progress import DemoProgressDialog

DEMO_ORDERS = 3000
DEMO_SEED = 2026

Progress = Callable[[str, float], None]


def open_database(url: str) -> tuple[Store, bool]:
    """Open (creating the schema on an empty database); True when it has no organisation
    yet, so nobody could log in: the demo county is built there."""
    store = open_store(url, create=True)
    try:
        with read_tx(store.engine) as conn:
            empty = conn.execute(select(units.c.id).limit(1)).first() is None
    except BaseException:
        store.engine.dispose()
        raise
    return store, empty


def build_demo_county(url: str, progress: Progress) -> None:
    from core.demo import build_demo

    build_demo(url, orders=DEMO_ORDERS, seed=DEMO_SEED, progress=progress)


async def prepare_database(
    url: str,
    lanes: Lanes,
    parent: QWidget | None = None,
    build: Callable[[str, Progress], None] = build_demo_county,
) -> Store:
    store, empty = await lanes.interactive(open_database, url)
    if not empty:
        return store
    try:
        await _build_with_progress(url, lanes, parent, build)
        await lanes.interactive(store.reload_reference)
    except BaseException:
        store.engine.dispose()
        raise
    return store


async def _build_with_progress(
    url: str, lanes: Lanes, parent: QWidget | None, build: Callable[[str, Progress], None]
) -> None:
    dialog = DemoProgressDialog(parent)
    dialog.show()
    loop = asyncio.get_running_loop()
    live = True

    def on_ui_thread(stage: str, fraction: float) -> None:
        if live:  # a report queued just before the end lands after the dialog closed
            dialog.show_progress(stage, fraction)

    def progress(stage: str, fraction: float) -> None:  # called on the worker thread
        loop.call_soon_threadsafe(on_ui_thread, stage, fraction)

    try:
        await lanes.background(build, url, progress)
    finally:
        live = False
        dialog.finish()
        dialog.deleteLater()
