"""The TCP listener: newline-delimited JSON in, one JSON reply line per input line out.

Protocol (documented for senders in resources/feeds.toml):
- connect to the listener's host and port and write messages (``core.feeds.message``),
  one per line, UTF-8, as fast as you like; blank lines are ignored;
- for every other line, in order, one reply line comes back once the line was decided
  (and, when accepted, committed):
      {"ok":true,"line":3,"item":1207,"duplicate":false,"status":"pending"}
      {"ok":true,"line":4,"item":1207,"duplicate":true,"status":"pending"}
      {"ok":true,"line":5,"item":1208,"duplicate":false,"status":"registered","order":"2026-000412"}
      {"ok":false,"line":6,"error":"bad_json","field":null}
  ``line`` counts the connection's lines from 1 (blank ones included); ``error`` is a code
  (``line_too_long``, ``not_utf8``, ``bad_json``, ``unknown_source``, ``rate_limited``,
  ``store_unavailable`` – try again later – …) and ``field`` the field it concerns;
- a refused line is logged (logger ``core.feeds``) and skipped; the connection stays
  open. Read the replies: a sender that never reads them stalls once the socket buffers
  fill, and is dropped after ``idle_timeout``.

Threads: one accepts, one per connection reads, screens and answers, and one writer
commits what the connections accepted, many lines per transaction (``batch_max``), so a
burst of thousands of lines a second never commits line by line. A connection hands the
writer all the lines of one read at once and answers them after the commit.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import selectors
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from core.feeds.config import ListenerConfig
from core.feeds.inbox import Inbox, Received
from core.feeds.lines import Line, LineSplitter
from core.feeds.message import FeedMessage, Refusal
from core.feeds.screen import Screen

log = logging.getLogger("core.feeds")
CHUNK = 65_536
LOG_PER_SECOND = 20  # refusals logged one by one per second; the rest are counted


@dataclass
class FeedStats:
    """What the listener did since it started (``taken`` since the last ``take``)."""

    lines: int = 0
    stored: int = 0  # new items
    duplicates: int = 0
    registered: int = 0  # new items of auto-registering sources that became orders
    refused: Counter[str] = field(default_factory=Counter)
    connections: int = 0

    def summary(self) -> str:
        refused = " ".join(f"{k}={v}" for k, v in sorted(self.refused.items()))
        return (
            f"{self.lines} lines: {self.stored} new ({self.registered} registered), "
            f"{self.duplicates} duplicates, {sum(self.refused.values())} refused"
            + (f" ({refused})" if refused else "")
        )


class _Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.total = FeedStats()
        self._since = FeedStats()

    def add(self, lines: int, refused: Sequence[str], received: Sequence[Received]) -> None:
        """One read's lines, all at once: a reader of the figures never sees half of it."""
        with self._lock:
            for s in (self.total, self._since):
                s.lines += lines
                s.refused.update(refused)
                for r in received:
                    if r.error is not None:
                        s.refused[r.error] += 1
                    elif r.duplicate:
                        s.duplicates += 1
                    else:
                        s.stored += 1
                        s.registered += r.status == "registered"

    def connected(self) -> None:
        with self._lock:
            self.total.connections += 1
            self._since.connections += 1

    def take(self) -> FeedStats:
        with self._lock:
            out, self._since = self._since, FeedStats()
            return out

    def snapshot(self) -> FeedStats:
        with self._lock:
            t = self.total
            return FeedStats(
                t.lines, t.stored, t.duplicates, t.registered, Counter(t.refused), t.connections
            )


class _RefusalLog:
    """Every refusal is logged, up to LOG_PER_SECOND a second; past that they are counted
    and one line says how many were not logged (a flooding sender must not flood the log)."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._second = -1
        self._logged = self._dropped = 0

    def flush(self) -> None:
        """Say how many went unlogged (the service calls it every cycle)."""
        with self._lock:
            if self._dropped:
                log.warning("%d more refusals not logged", self._dropped)
                self._dropped = 0

    def __call__(self, peer: str, line: int, refusal: Refusal, raw: Line) -> None:
        with self._lock:
            second = int(self._monotonic())
            if second != self._second:
                if self._dropped:
                    log.warning("%d more refusals not logged", self._dropped)
                self._second, self._logged, self._dropped = second, 0, 0
            if self._logged >= LOG_PER_SECOND:
                self._dropped += 1
                return
            self._logged += 1
        preview = repr(raw[:60]) if isinstance(raw, bytes) else ""
        log.warning(
            "%s line %d refused: %s%s %s",
            peer,
            line,
            refusal.code,
            f" ({refusal.field})" if refusal.field else "",
            preview,
        )


def reply(line: int, outcome: Refusal | Received) -> bytes:
    if isinstance(outcome, Refusal):
        body: dict[str, object] = {
            "ok": False,
            "line": line,
            "error": outcome.code,
            "field": outcome.field,
        }
    elif outcome.error is not None:
        body = {"ok": False, "line": line, "error": outcome.error, "field": None}
    else:
        body = {
            "ok": True,
            "line": line,
            "item": outcome.item_id,
            "duplicate": outcome.duplicate,
            "status": outcome.status,
        }
        if outcome.order_number is not None:
            body["order"] = outcome.order_number
    return json.dumps(body, separators=(",", ":")).encode("ascii") + b"\n"


class _Job:
    def __init__(self, messages: list[FeedMessage]) -> None:
        self.messages = messages
        self.results: list[Received] = []
        self.done = threading.Event()


class _Writer:
    """Commits the connections' accepted lines, ``batch_max`` at most a transaction."""

    def __init__(self, inbox: Inbox, batch_max: int) -> None:
        self.inbox, self.batch_max = inbox, batch_max
        self._queue: queue.Queue[_Job | None] = queue.Queue(maxsize=64)
        self._closed = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="feed-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, messages: list[FeedMessage]) -> list[Received]:
        job = _Job(messages)
        with self._lock:  # nothing is queued behind the stop's end marker
            if self._closed:
                return [Received(None, error="store_unavailable")] * len(messages)
            self._queue.put(job)
        job.done.wait()
        return job.results

    def stop(self) -> None:
        with self._lock:
            self._closed = True
        self._queue.put(None)
        self._thread.join()
        while True:  # a connection that outlived the stop: answer, never hang
            try:
                job = self._queue.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.results = [Received(None, error="store_unavailable")] * len(job.messages)
                job.done.set()

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            jobs, size = [first], len(first.messages)
            while size < self.batch_max:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                jobs.append(job)
                size += len(job.messages)
            self._write(jobs)

    def _write(self, jobs: list[_Job]) -> None:
        messages = [m for j in jobs for m in j.messages]
        results: list[Received] = []
        for i in range(0, len(messages), self.batch_max):
            part = messages[i : i + self.batch_max]
            try:
                results += self.inbox.receive(part)
            except Exception:  # receive answers errors itself; this is a bug
                log.exception("writing %d lines failed", len(part))
                results += [Received(None, error="store_failed")] * len(part)
        at = 0
        for job in jobs:
            job.results = results[at : at + len(job.messages)]
            at += len(job.messages)
            job.done.set()


class FeedListener:
    """Serves ``config.host``:``port`` (``port`` 0: an ephemeral port, see ``address``)
    until ``stop``. ``monotonic`` drives the per-source rate limits (tests step it)."""

    def __init__(
        self,
        screen: Screen,
        inbox: Inbox,
        config: ListenerConfig,
        *,
        port: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.screen, self.inbox, self.config = screen, inbox, config
        self.port = config.port if port is None else port
        self._stats = _Stats()
        self._log_refusal = _RefusalLog(monotonic)
        self._writer = _Writer(inbox, config.batch_max)
        self._stopping = threading.Event()
        self._conns: dict[socket.socket, threading.Thread] = {}
        self._conns_lock = threading.Lock()
        self._server: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._acceptor: threading.Thread | None = None
        self.address: tuple[str, int] | None = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> tuple[str, int]:
        """Bind and serve; returns (host, port). Raises OSError when the port is taken."""
        info = socket.getaddrinfo(
            self.config.host, self.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        server = socket.create_server(info[4][:2], family=info[0], backlog=64)
        server.setblocking(False)
        self._server = server
        self._wake = socket.socketpair()
        host, port = server.getsockname()[:2]
        self.address = (str(host), int(port))
        self._writer.start()
        self._acceptor = threading.Thread(target=self._accept_loop, name="feed-accept", daemon=True)
        self._acceptor.start()
        log.info("listening on %s:%d", host, port)
        return self.address

    @property
    def running(self) -> bool:
        return self._acceptor is not None and self._acceptor.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, let each connection answer what it has read, commit, close."""
        if self._acceptor is None or self._stopping.is_set():
            return
        self._stopping.set()
        assert self._wake is not None and self._server is not None
        self._wake[1].send(b"x")
        self._acceptor.join(timeout)
        self._server.close()
        for s in self._wake:
            s.close()
        with self._conns_lock:
            conns = dict(self._conns)
        for conn in conns:
            _shutdown(conn, socket.SHUT_RD)  # the reader sees the end; answers go out
        deadline = time.monotonic() + timeout
        for conn, thread in conns.items():
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                _shutdown(conn, socket.SHUT_RDWR)
                thread.join(1.0)
        self._writer.stop()
        log.info("stopped (%s)", self._stats.snapshot().summary())

    def stats(self) -> FeedStats:
        return self._stats.snapshot()

    def take_stats(self) -> FeedStats:
        """What happened since the previous call (the service logs it every cycle)."""
        self._log_refusal.flush()
        return self._stats.take()

    # --- accepting -----------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._server is not None and self._wake is not None
        sel = selectors.DefaultSelector()
        sel.register(self._server, selectors.EVENT_READ)
        sel.register(self._wake[0], selectors.EVENT_READ)
        try:
            while not self._stopping.is_set():
                for key, _ in sel.select():
                    if key.fileobj is self._wake[0] or self._stopping.is_set():
                        return
                    try:
                        conn, peer = self._server.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as exc:
                        log.warning("accept failed: %s", exc)
                        time.sleep(0.05)  # fd exhaustion: do not spin
                        continue
                    self._open(conn, f"{peer[0]}:{peer[1]}")
        finally:
            sel.close()

    def _open(self, conn: socket.socket, peer: str) -> None:
        conn.setblocking(True)
        with self._conns_lock:
            full = len(self._conns) >= self.config.max_connections
            if not full:
                thread = threading.Thread(
                    target=self._serve, args=(conn, peer), name=f"feed-{peer}", daemon=True
                )
                self._conns[conn] = thread
        if full:
            log.warning("%s refused: already %d connections", peer, len(self._conns))
            with contextlib.suppress(OSError):
                conn.settimeout(1.0)
                conn.sendall(b'{"ok":false,"line":0,"error":"too_many_connections","field":null}\n')
            conn.close()
            return
        self._stats.connected()
        thread.start()

    # --- one connection ------------------------------------------------------------------

    def _serve(self, conn: socket.socket, peer: str) -> None:
        splitter = LineSplitter(self.config.max_line_bytes)
        seen = 0
        log.info("%s connected", peer)
        try:
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                conn.settimeout(self.config.idle_timeout or None)
                while True:
                    try:
                        data = conn.recv(CHUNK)
                    except TimeoutError:
                        log.info("%s idle for %g s: closed", peer, self.config.idle_timeout)
                        return
                    except OSError:
                        return
                    if data:
                        lines = splitter.feed(data)
                    else:  # the end; a last line cut off by our own stop is not a line
                        lines = [] if self._stopping.is_set() else splitter.end()
                    if lines:
                        out = self._answer(lines, seen, peer)
                        seen += len(lines)
                        if out:
                            try:
                                conn.sendall(out)
                            except OSError:  # gone, or not reading its replies
                                return
                    if not data:
                        return
        finally:
            with self._conns_lock:
                self._conns.pop(conn, None)
            log.info("%s closed after %d lines", peer, seen)

    def _answer(self, lines: list[Line], seen: int, peer: str) -> bytes:
        outcomes: list[tuple[int, Refusal | int]] = []  # int: index into the accepted
        accepted: list[FeedMessage] = []
        refused: list[str] = []
        for i, raw in enumerate(lines, seen + 1):
            if not isinstance(raw, bytes):  # TOO_LONG
                result: FeedMessage | Refusal = Refusal("line_too_long")
            elif not raw.strip():
                continue
            else:
                try:
                    result = self.screen.check(raw)
                except Exception:
                    log.exception("%s line %d: screening failed", peer, i)
                    result = Refusal("internal_error")
            if isinstance(result, Refusal):
                self._log_refusal(peer, i, result, raw)
                refused.append(result.code)
                outcomes.append((i, result))
            else:
                outcomes.append((i, len(accepted)))
                accepted.append(result)
        received = self._writer.submit(accepted) if accepted else []
        self._stats.add(len(outcomes), refused, received)
        return b"".join(reply(i, o if isinstance(o, Refusal) else received[o]) for i, o in outcomes)


def _shutdown(conn: socket.socket, how: int) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        conn.shutdown(how)
