"""The feed listener over real TCP sockets, on SQLite and PostgreSQL: one reply a line,
hostile lines (truncated, not UTF-8, GBK, 10 MB, NUL, nested, SQL in the fields, unknown
sources, over the rate) refused each with its code while the good lines go in and the
listener keeps serving; connection limits, idle connections and a clean stop; the
service process hosts it; ``main.py feed send`` and the README's flow in the demo county."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import main
from core.feeds.client import send
from core.feeds.config import FeedConfig
from core.feeds.host import FeedHost
from core.feeds.listener import FeedListener
from core.resources import RESOURCES
from core.service_process import ServiceProcess
from core.storage.db import read_tx
from core.storage.schema import feed_items
from core.store import Store, open_store
from tests.core.feeds_support import CONFIG_TEXT, Door, alert, config, count, line

ROOT = Path(__file__).resolve().parents[2]


def wait_for(what: str, check: Callable[[], bool], seconds: float = 10.0) -> None:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Served:
    def __init__(self, store: Store, cfg: FeedConfig) -> None:
        self.door = Door(store, cfg, now=50.0)
        self.listener = FeedListener(
            self.door.screen,
            self.door.inbox,
            cfg.listener,
            port=0,
            monotonic=lambda: self.door.now[0],
        )
        self.host, self.port = self.listener.start()

    def send(self, data: bytes) -> list[dict[str, Any]]:
        return send(data, self.host, self.port, timeout=30)


def no_feed_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name.startswith("feed-")]


@pytest.fixture
def serve(store: Store) -> Iterator[Callable[..., Served]]:
    made: list[Served] = []

    def start(text: str = CONFIG_TEXT) -> Served:
        made.append(Served(store, config(text)))
        return made[-1]

    yield start
    for s in made:
        s.listener.stop()
    wait_for("the listener's threads to end", no_feed_threads, 5)


def lines(*objs: Any) -> bytes:
    return b"".join((o if isinstance(o, bytes) else line(o)) + b"\n" for o in objs)


def test_each_line_gets_its_reply_in_order(serve: Callable[..., Served], store: Store) -> None:
    s = serve()
    replies = s.send(lines(alert(id="A1"), alert(id="A2"), b"", b"  \r", alert(id="A1")))
    assert [(r["ok"], r["line"], r.get("duplicate"), r.get("status")) for r in replies] == [
        (True, 1, False, "pending"),
        (True, 2, False, "pending"),
        (True, 5, True, "pending"),
    ]
    assert replies[2]["item"] == replies[0]["item"]
    assert count(store) == 2
    assert set(replies[0]) == {"ok", "line", "item", "duplicate", "status"}


SQL = "1'; DROP TABLE feed_items; --"


def test_hostile_lines_are_refused_and_the_good_ones_still_go_in(
    serve: Callable[..., Served], store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    s = serve()
    gbk = json.dumps(alert(id="GBK"), ensure_ascii=False).encode("gbk")
    video = [alert(source="cam", id=f"V{i}", kind="video") for i in range(4)]  # burst 3
    data = lines(
        alert(id="A1"),  # 1
        b'{"source": "smoke", "id": "T1", "occurred_at": "2025-03-03T08:',  # 2 truncated
        b"\xc3\x28\xa0\xa1 not utf-8",  # 3
        gbk,  # 4
        b'{"source": "smoke", "id": "' + b"x" * (10 * 1024 * 1024) + b'"}',  # 5: 10 MB
        alert(id=SQL, title=SQL, address="'; DELETE FROM orders; --", **{SQL: SQL}),  # 6
        alert(source="intruder", id="I1"),  # 7
        *video,  # 8-11
        alert(id="N1", title="a\x00b"),  # 12
        b"[" * 50_000 + b"]" * 50_000,  # 13: 100 KB, too long for 4 KB lines
        b"[" * 2_000 + b"]" * 2_000,  # 14: nested, within the bound
        b'{"source": "smoke", "source": "cam"}',  # 15
        alert(id="A1"),  # 16: a repeat
        alert(id="A2", occurred_at="2025-03-03T08:30:00"),  # 17
        "烟感报警".encode("utf-16"),  # 18
        alert(id="A3"),  # 19
    )
    replies = s.send(data)
    got = [
        (r["line"], r["ok"], r.get("error") or ("dup" if r.get("duplicate") else "new"))
        for r in replies
    ]
    assert got == [
        (1, True, "new"),
        (2, False, "bad_json"),
        (3, False, "not_utf8"),
        (4, False, "not_utf8"),
        (5, False, "line_too_long"),
        (6, True, "new"),
        (7, False, "unknown_source"),
        (8, True, "new"),
        (9, True, "new"),
        (10, True, "new"),
        (11, False, "rate_limited"),
        (12, False, "unstorable_text"),
        (13, False, "line_too_long"),
        (14, False, "bad_json"),
        (15, False, "duplicate_key"),
        (16, True, "dup"),
        (17, False, "time_without_offset"),
        (18, False, "not_utf8"),
        (19, True, "new"),
    ]
    assert {r["line"]: r["field"] for r in replies if not r["ok"]}[7] == "source"
    assert count(store) == 6
    f = feed_items
    with read_tx(store.engine) as conn:
        injected = conn.execute(
            select(f.c.title, f.c.address, f.c.payload).where(f.c.source_id == SQL)
        ).one()
    assert injected.title == SQL and injected.address == "'; DELETE FROM orders; --"
    assert injected.payload["extra"] == {SQL: SQL}
    for code in ("bad_json", "not_utf8", "line_too_long", "unknown_source", "rate_limited"):
        assert f"refused: {code}" in caplog.text
    # the listener is still there, and the bucket refills with the (injected) clock
    s.door.now[0] += 1.0
    again = s.send(lines(alert(source="cam", id="V9", kind="video"), alert(id="A4")))
    assert [r["ok"] for r in again] == [True, True]
    stats = s.listener.stats()
    assert (stats.lines, stats.stored, stats.duplicates) == (21, 8, 1)
    assert stats.refused["not_utf8"] == 3 and stats.connections == 2


def test_a_flood_of_refusals_is_logged_twenty_a_second_and_counted(
    serve: Callable[..., Served], caplog: pytest.LogCaptureFixture
) -> None:
    s = serve()
    replies = s.send(lines(*[b"not json"] * 50))
    assert [r["error"] for r in replies] == ["bad_json"] * 50
    assert caplog.text.count("refused: bad_json") == 20
    assert s.listener.take_stats().refused == {"bad_json": 50}
    assert "30 more refusals not logged" in caplog.text


def test_a_last_line_without_its_newline(serve: Callable[..., Served], store: Store) -> None:
    s = serve()
    assert [(r["line"], r["ok"]) for r in s.send(line(alert(id="END")))] == [(1, True)]
    truncated = s.send(lines(alert(id="B1")) + b'{"source": "smoke", "id": "B2"')
    assert [(r["line"], r.get("error")) for r in truncated] == [(1, None), (2, "bad_json")]


def test_many_lines_many_connections(serve: Callable[..., Served], store: Store) -> None:
    s = serve()
    results: list[list[dict[str, Any]]] = []

    def sender(k: int) -> None:
        results.append(s.send(lines(*(alert(id=f"C{k}-{i}") for i in range(300)))))

    threads = [threading.Thread(target=sender, args=(k,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(len(r) for r in results) == [300, 300, 300]
    assert all(r["ok"] and not r["duplicate"] for rs in results for r in rs)
    assert [r["line"] for r in results[0]] == list(range(1, 301))
    assert count(store) == 900


def test_connections_beyond_the_limit_are_told_and_closed(
    serve: Callable[..., Served],
) -> None:
    s = serve()  # max_connections = 4
    idle = [socket.create_connection((s.host, s.port)) for _ in range(4)]
    try:
        wait_for("four connections", lambda: s.listener.stats().connections == 4)
        assert s.send(lines(alert(id="X"))) == [
            {"ok": False, "line": 0, "error": "too_many_connections", "field": None}
        ]
        idle.pop().close()
        wait_for("a free slot", lambda: len(s.listener._conns) == 3)
        assert s.send(lines(alert(id="X")))[0]["ok"] is True
    finally:
        for c in idle:
            c.close()


def test_a_silent_connection_is_closed_after_the_idle_timeout(
    serve: Callable[..., Served],
) -> None:
    s = serve(CONFIG_TEXT.replace("batch_max = 50", "batch_max = 50\nidle_timeout = 0.2"))
    with socket.create_connection((s.host, s.port), timeout=5) as c:
        assert c.recv(100) == b""  # closed by the listener


def test_stop_answers_what_was_read_and_closes(serve: Callable[..., Served], store: Store) -> None:
    s = serve()
    with socket.create_connection((s.host, s.port), timeout=10) as c:
        c.sendall(lines(alert(id="S1")) + b'{"partial": ')
        reply = c.recv(1000)
        assert json.loads(reply)["ok"] is True
        s.listener.stop()
        assert c.recv(1000) == b""  # the cut-off line is not answered: not a line
    assert not s.listener.running
    wait_for("the threads to end", no_feed_threads, 5)
    with pytest.raises(OSError):
        socket.create_connection((s.host, s.port), timeout=2).close()
    s.listener.stop()  # twice is harmless
    assert count(store) == 1


def test_the_service_hosts_the_feed_while_active(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="core")
    host = FeedHost(store, config(), port=0)
    host.check()
    process = ServiceProcess(store, interval=0.05, standby_poll=0.05, hosted=[host])
    worker = threading.Thread(target=process.run, daemon=True)
    worker.start()
    try:
        wait_for("the listener", lambda: host.listener is not None and host.listener.running)
        assert host.listener is not None and host.listener.address is not None
        addr = host.listener.address
        replies = send(lines(alert(id="H1"), alert(source="water", id="W1")), *addr)
        assert [r["status"] for r in replies] == ["pending", "registered"]
        wait_for("a cycle to report it", lambda: "feed=2" in caplog.text or "feed=1" in caplog.text)
    finally:
        process.stop()
        worker.join(10)
    assert "stopped (2 lines: 2 new (1 registered), 0 duplicates, 0 refused)" in caplog.text
    assert not worker.is_alive() and host.listener is None
    wait_for("the threads to end", no_feed_threads, 5)
    with pytest.raises(OSError):
        socket.create_connection(addr, timeout=2).close()


def test_a_port_in_use_is_logged_and_tried_again(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = socket.create_server(("127.0.0.1", 0))
    port = blocker.getsockname()[1]
    host = FeedHost(store, config(), port=port)
    host.start()
    try:
        assert host.listener is None and f"not listening on 127.0.0.1:{port}" in caplog.text
        assert host.poll() == 0
        assert caplog.text.count("not listening") == 1  # once, not every cycle
        blocker.close()
        assert host.poll() == 0 and host.listener is not None and host.listener.running
    finally:
        blocker.close()
        host.stop()
    wait_for("the threads to end", no_feed_threads, 5)


# --- the commands -----------------------------------------------------------------------


def test_feed_send_prints_what_became_of_each_line(
    serve: Callable[..., Served], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s = serve()
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(
        lines(alert(id="F1"), alert(source="water", id="W1"), b"{oops", alert(id="F1"))
    )
    assert main.main(["feed", "send", str(path), "--port", str(s.port)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"{path}: 4 lines; new 2 (1 pending, 1 registered), duplicates 1, refused 1")
    assert out[1].startswith("  line 2: item 2 registered as ")
    assert out[2] == "  line 3: bad_json"
    path.write_bytes(lines(alert(id="F2")))
    assert main.main(["feed", "send", str(path), "--port", str(s.port)]) == 0
    free = socket.create_server(("127.0.0.1", 0))
    closed = free.getsockname()[1]
    free.close()
    assert main.main(["feed", "send", str(path), "--port", str(closed)]) == 2
    assert "no feed listener at 127.0.0.1:" in capsys.readouterr().err
    assert main.main(["feed", "send", str(path)]) == 2  # the shipped file: port 0
    assert "no port: give --port N" in capsys.readouterr().err
    assert main.main(["feed", "send", str(tmp_path / "missing.jsonl"), "--port", "1"]) == 2
    assert "cannot read" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main.main(["feed", "send", str(path), "--port", "70000"])
    assert exit_.value.code == 2


def test_the_service_command_refuses_a_bad_feeds_file(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "feeds.toml"
    bad.write_text(CONFIG_TEXT.replace('category = "070301"', 'category = "999999"'))
    assert main.main(["--db", db_url, "service", "--feeds", str(bad), "--feed-port", "1"]) == 2
    err = capsys.readouterr().err
    assert f"the feeds file {bad} was refused" in err and "unknown_category" in err
    bad.write_text("[listener]\nport = -1\n")
    assert main.main(["--db", db_url, "service", "--feeds", str(bad)]) == 2
    assert "[listener] port: not_an_integer_from_0_to_65535" in capsys.readouterr().err
    # --once never listens, so it never reads the file
    assert main.main(["--db", db_url, "service", "--once", "--feeds", str(bad)]) == 0
    with pytest.raises(SystemExit):
        main.main(["--db", db_url, "service", "--feed-port", "x"])


@pytest.mark.parametrize("backend", ["sqlite"])
def test_main_py_service_hosts_the_feed_until_sigterm(db_url: str, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(CONFIG_TEXT)
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    log = tmp_path / "service.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [
                sys.executable,
                "main.py",
                "--db",
                db_url,
                "service",
                "--interval",
                "0.2",
                "--feeds",
                str(feeds),
                "--feed-port",
                str(port),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        wait_for("the port", lambda: b"listening on" in log.read_bytes(), 30)
        replies = send(lines(alert(id="P1"), b"not json"), "127.0.0.1", port)
        assert [r["ok"] for r in replies] == [True, False]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    text = log.read_text()
    assert "refused: bad_json" in text and "stopped (2 lines: 1 new" in text
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.slow
def test_the_readme_flow_in_the_demo_county(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`feed send resources/feeds/example.jsonl`, then list, confirm one, dismiss one."""
    from core.demo import build_demo
    from core.feeds.config import load_feeds

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    build_demo(url, orders=0)
    store = open_store(url)
    host = FeedHost(store, load_feeds(), port=0)
    host.start()
    try:
        assert host.listener is not None and host.listener.address is not None
        port = host.listener.address[1]
        example = RESOURCES / "feeds" / "example.jsonl"
        assert main.main(["feed", "send", str(example), "--port", str(port)]) == 1
        out = capsys.readouterr().out.splitlines()
        assert out[0] == (
            f"{example}: 8 lines; new 5 (4 pending, 1 registered), duplicates 1, refused 2"
        )
        assert out[1].startswith("  line 3: item 3 registered as ")
        assert out[2:] == ["  line 6: bad_json", "  line 8: unknown_source (source)"]
    finally:
        host.stop()
        store.engine.dispose()
    assert main.main(["--db", url, "feed", "list"]) == 0
    rows = [r.split("\t") for r in capsys.readouterr().out.splitlines()[1:]]
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("5", "xueliang", "pending"),
        ("4", "xueliang", "pending"),
        ("2", "smoke", "pending"),
        ("1", "smoke", "pending"),
    ]
    assert all(r[5] != "-" for r in rows)  # every one found its grid
    assert main.main(["--db", url, "feed", "confirm", "1", "--as", "duty01"]) == 0
    assert "order " in capsys.readouterr().out
    assert main.main(["--db", url, "feed", "dismiss", "4", "--reason", "误报"]) == 0
    assert "alert 4 dismissed by duty01" in capsys.readouterr().out
    assert main.main(["--db", url, "feed", "list", "--status", "all"]) == 0
    listed = [r.split("\t") for r in capsys.readouterr().out.splitlines()[1:]]
    status = {r[0]: r[4] for r in listed}
    assert status == {
        "5": "pending",
        "4": "dismissed",
        "3": "registered",
        "2": "pending",
        "1": "confirmed",
    }
