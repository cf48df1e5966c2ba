"""The machine feeds as the service process hosts them (``main.py service``).

The instance that holds the service lock listens; a standby instance does not, and takes
the port over with the lock. ``poll`` runs every cycle: it logs what came in since the
last cycle and, when the port could not be bound (another program holds it), tries again.
The SQLite workstation's in-process runner never hosts the feed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from core.auth import acting_user
from core.domain.actor import Actor
from core.feeds.config import FeedConfig, FeedConfigError
from core.feeds.inbox import Inbox
from core.feeds.listener import FeedListener
from core.feeds.screen import Screen
from core.store import Store

log = logging.getLogger("core.feeds")


def registering_user(store: Store, username: str | None) -> Actor | None:
    """``username`` if active, else the county centre's first duty officer."""
    return acting_user(store, username)


def registrars(store: Store, config: FeedConfig) -> dict[str, Actor]:
    """The registering user of each auto-registering source; FeedConfigError naming the
    source when a user is missing."""
    out: dict[str, Actor] = {}
    bad: list[tuple[str, str]] = []
    for src in config.sources.values():
        if not src.auto_register:
            continue
        actor = registering_user(store, src.register_as)
        if actor is None:
            who = src.register_as or "a duty officer of the county centre"
            bad.append((f'source "{src.name}": register_as', f"no_active_user: {who}"))
        else:
            out[src.name] = actor
    if bad:
        raise FeedConfigError(config.path, bad)
    return out


class FeedHost:
    """``start``/``stop``/``poll`` for ``ServiceProcess(hosted=…)``; none of them raises."""

    name = "feed"

    def __init__(
        self,
        store: Store,
        config: FeedConfig,
        *,
        port: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store, self.config = store, config
        self.port = config.listener.port if port is None else port
        self._monotonic = monotonic
        self.listener: FeedListener | None = None
        self._wanted = False
        self._last_error = ""

    def check(self) -> None:
        """Refuse a configuration the database cannot serve (an unknown category, a
        missing registering user) before anything listens: FeedConfigError."""
        Screen(self.store, self.config, self._monotonic)
        registrars(self.store, self.config)

    def _open(self) -> None:
        screen = Screen(self.store, self.config, self._monotonic)
        inbox = Inbox(self.store, registrars(self.store, self.config))
        listener = FeedListener(
            screen, inbox, self.config.listener, port=self.port, monotonic=self._monotonic
        )
        listener.start()
        self.listener = listener
        self._last_error = ""

    def start(self) -> None:
        self._wanted = True
        self._try_open()

    def _try_open(self) -> None:
        try:
            self._open()
        except (OSError, FeedConfigError) as exc:
            message = f"{type(exc).__name__}: {exc}"
            if message != self._last_error:
                log.error(
                    "not listening on %s:%d (%s); trying again every cycle",
                    self.config.listener.host,
                    self.port,
                    message,
                )
                self._last_error = message

    def stop(self) -> None:
        self._wanted = False
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def poll(self) -> int:
        """Lines handled since the last poll (logged when any); reopens a listener that
        could not bind."""
        if self._wanted and (self.listener is None or not self.listener.running):
            if self.listener is not None:
                log.error("the listener stopped unexpectedly; starting it again")
                self.listener.stop()
                self.listener = None
            self._try_open()
        if self.listener is None:
            return 0
        stats = self.listener.take_stats()
        if stats.lines or stats.connections:
            log.info("%s", stats.summary())
        return stats.lines
