"""One app-wide "changes arrived" signal, fed by core's event stream.

The stream's thread hands each batch to the UI thread through a queued signal; the hub
folds what arrives within ``COALESCE_MS`` into one ``changes_did_arrive``, so a burst of a
thousand events costs the views one refresh, not a thousand. Each change remembers who
made it: a view that saved an order registers the result's event ids with ``note_own``
and then ignores that echo, while every other view still refreshes.

The hub also carries the link's health (``link_did_change``): connected, or down with
the retry delay, and the last moment the database confirmed what is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from core.store import Store
from core.stream import Link, LinkState, StreamEvent, Subscription

log = logging.getLogger(__name__)

COALESCE_MS = 50
OWN_MEMORY = 10_000  # own event ids remembered before the echo arrives


@dataclass(frozen=True)
class Changes:
    """What arrived in one coalescing window."""

    newest: int  # the newest event id delivered
    count: int  # events in the window
    kinds: frozenset[str]
    origins: dict[int, frozenset[object]] = field(default_factory=dict)  # order -> who

    @property
    def order_ids(self) -> frozenset[int]:
        return frozenset(self.origins)

    def not_from(self, viewer: object) -> frozenset[int]:
        """Orders changed by anyone but ``viewer`` (another view, workstation or process)."""
        return frozenset(oid for oid, who in self.origins.items() if who != {viewer})


class ChangeHub(QObject):
    changes_did_arrive = Signal(object)  # Changes
    events_did_arrive = Signal(object)  # list[StreamEvent], per read: for logs and tickers
    link_did_change = Signal(object)  # core.stream.Link
    _batch_did_arrive = Signal(object)  # from the stream's thread; queued to the UI thread
    _link_did_report = Signal(object)

    def __init__(
        self,
        url: str,
        after: int,
        *,
        coalesce_ms: int = COALESCE_MS,
        poll_interval: float = 0.2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.subscription = Subscription(
            url,
            after,
            self._batch_did_arrive.emit,
            self._link_did_report.emit,
            poll_interval=poll_interval,
        )
        self._batch_did_arrive.connect(self._thread_batch)
        self._link_did_report.connect(self._thread_link)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self._flush)
        self._own: dict[int, object] = {}
        self._pending: dict[int, set[object]] = {}
        self._kinds: set[str] = set()
        self._count = 0
        self.link = Link(LinkState.CONNECTING, None)
        self.delivered = after
        self._thread_started = False
        self._stopped = False

    @classmethod
    def for_store(cls, store: Store, after: int, **kw: Any) -> ChangeHub:
        return cls(store.engine.url.render_as_string(hide_password=False), after, **kw)

    # --- control ---------------------------------------------------------------------------

    def start(self) -> None:
        if not self._thread_started:
            self._thread_started = True
            self.subscription.start_thread()

    def stop(self) -> None:
        """The thread ends at its next wake-up (within a second); it owns no widget. What
        it reads meanwhile may still be queued to the UI thread: a stopped hub drops it,
        so nothing changes (and no timer starts) after ``stop``."""
        self._stopped = True
        self.subscription.stop()
        self._timer.stop()

    def note_own(self, event_ids: Iterable[int], origin: object) -> None:
        """Events this workstation wrote on behalf of ``origin``: its echo is marked so."""
        for event_id in event_ids:
            self._own[int(event_id)] = origin
        while len(self._own) > OWN_MEMORY:
            self._own.pop(next(iter(self._own)))
        self.subscription.wake()

    @property
    def online(self) -> bool:
        return self.link.state is not LinkState.DOWN

    @property
    def confirmed_at(self) -> datetime | None:
        return self.link.confirmed_at

    # --- from the stream -------------------------------------------------------------------

    def _thread_batch(self, batch: list[StreamEvent]) -> None:
        if not self._stopped:
            self._collect(batch)

    def _thread_link(self, link: Link) -> None:
        if not self._stopped:
            self._linked(link)

    def _collect(self, batch: list[StreamEvent]) -> None:
        for ev in batch:
            origin = self._own.pop(ev.id, None)
            if ev.order_id is not None:
                self._pending.setdefault(ev.order_id, set()).add(origin)
            self._kinds.add(ev.kind)
        self._count += len(batch)
        self.delivered = batch[-1].id
        self.events_did_arrive.emit(batch)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        if not self._count:
            return
        changes = Changes(
            self.delivered,
            self._count,
            frozenset(self._kinds),
            {oid: frozenset(who) for oid, who in self._pending.items()},
        )
        self._pending, self._kinds, self._count = {}, set(), 0
        self.changes_did_arrive.emit(changes)

    def _linked(self, link: Link) -> None:
        changed = link.state is not self.link.state
        self.link = link
        if changed:
            log.info("event stream %s", link.state.value)
        self.link_did_change.emit(link)
