"""The machine feeds' configuration (resources/feeds.toml): the listener and its sources.

Pure: no database. The categories a source names are checked against the database's
taxonomy when the listener starts (``core.feeds.screen.Screen``); users named by
``register_as`` likewise (``core.feeds.host``). A broken file is refused whole with every
problem named by line and field (``FeedConfigError``); the full format is documented in
resources/feeds.toml itself.
"""

from __future__ import annotations

import ipaddress
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.domain.enums import RequestType, Urgency
from core.errors import CoreError
from core.resources import RESOURCES

FEEDS_FILE = RESOURCES / "feeds.toml"
KINDS = ("iot", "video")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")  # also the orders' external_source
LISTENER_KEYS = {
    "host",
    "port",
    "allow_remote",
    "max_line_bytes",
    "max_connections",
    "idle_timeout",
    "batch_max",
}
SOURCE_KEYS = {
    "name",
    "kind",
    "auto_register",
    "category",
    "request_type",
    "urgency",
    "rate",
    "burst",
    "register_as",
}


class FeedConfigError(CoreError):
    """The feeds file is unusable; ``problems`` lists (where, code) each, where naming the
    line and the field (``line 31, source "smoke-gw": rate``)."""

    code = "bad_feeds_config"

    def __init__(self, path: str, problems: Sequence[tuple[str, str]]) -> None:
        self.path, self.problems = path, list(problems)
        super().__init__(self.code, file=path, problems=[f"{w}: {c}" for w, c in self.problems])


@dataclass(frozen=True)
class ListenerConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: not hosted unless ``main.py service --feed-port N``
    allow_remote: bool = False
    max_line_bytes: int = 16_384
    max_connections: int = 32
    idle_timeout: float = 300.0  # seconds; 0: never
    batch_max: int = 500  # lines per write transaction


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str  # iot, video
    category: str  # a taxonomy node id or a category code
    auto_register: bool = False
    request_type: str = RequestType.HELP.value
    urgency: str = Urgency.NORMAL.value
    rate: float = 10.0  # messages per second, sustained
    burst: int = 20  # messages at once, above the rate
    register_as: str | None = None  # auto_register: the registering user's username


@dataclass(frozen=True)
class FeedConfig:
    listener: ListenerConfig = field(default_factory=ListenerConfig)
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    path: str = "<feeds>"


def _headers(text: str) -> list[int]:
    """The line number of each ``[[source]]`` header, in order."""
    return [
        i
        for i, line in enumerate(text.splitlines(), 1)
        if re.match(r"\s*\[\[\s*source\s*\]\]", line)
    ]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _listener(doc: dict[str, Any], bad: list[tuple[str, str]]) -> ListenerConfig:
    d = doc.get("listener", {})
    if not isinstance(d, dict):
        bad.append(("[listener]", "not_a_table"))
        return ListenerConfig()
    default = ListenerConfig()
    for key in sorted(set(d) - LISTENER_KEYS):
        bad.append((f"[listener] {key}", "unknown_key"))

    def integer(key: str, low: int, high: int) -> int:
        value = d.get(key, getattr(default, key))
        if not _is_int(value) or not low <= value <= high:
            bad.append((f"[listener] {key}", f"not_an_integer_from_{low}_to_{high}"))
            return int(getattr(default, key))
        return int(value)

    host = d.get("host", default.host)
    allow_remote = d.get("allow_remote", False)
    if not isinstance(allow_remote, bool):
        bad.append(("[listener] allow_remote", "not_true_or_false"))
        allow_remote = False
    if not isinstance(host, str) or not host.strip():
        bad.append(("[listener] host", "required_text"))
        host = default.host
    elif not allow_remote and not _loopback(host):
        # The protocol has no authentication: whoever can connect can raise alerts.
        bad.append(("[listener] host", "not_loopback_without_allow_remote"))
    timeout = d.get("idle_timeout", default.idle_timeout)
    if not _is_number(timeout) or timeout < 0:
        bad.append(("[listener] idle_timeout", "not_seconds"))
        timeout = default.idle_timeout
    return ListenerConfig(
        host=host.strip(),
        port=integer("port", 0, 65535),
        allow_remote=allow_remote,
        max_line_bytes=integer("max_line_bytes", 256, 1_048_576),
        max_connections=integer("max_connections", 1, 1024),
        idle_timeout=float(timeout),
        batch_max=integer("batch_max", 1, 5000),
    )


def _loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip()).is_loopback
    except ValueError:
        return False


def _source(d: Any, where: str, bad: list[tuple[str, str]]) -> SourceConfig | None:
    if not isinstance(d, dict):
        bad.append((where, "not_a_table"))
        return None
    name = d.get("name")
    if isinstance(name, str) and NAME.fullmatch(name):
        where = f'{where}, source "{name}"'
    else:
        bad.append((f"{where}: name", "required_name_up_to_40_letters_digits_dot_dash"))
    n0 = len(bad)
    for key in sorted(set(d) - SOURCE_KEYS):
        bad.append((f"{where}: {key}", "unknown_key"))
    kind = d.get("kind")
    if kind not in KINDS:
        bad.append((f"{where}: kind", "not_iot_or_video"))
    auto = d.get("auto_register", False)
    if not isinstance(auto, bool):
        bad.append((f"{where}: auto_register", "not_true_or_false"))
    category = d.get("category")
    if not isinstance(category, str) or not category.strip():
        bad.append((f"{where}: category", "required_node_id_or_code"))
    rtype = d.get("request_type", RequestType.HELP.value)
    if rtype not in {r.value for r in RequestType}:
        bad.append((f"{where}: request_type", "unknown_value"))
    urgency = d.get("urgency", Urgency.NORMAL.value)
    if urgency not in {u.value for u in Urgency}:
        bad.append((f"{where}: urgency", "unknown_value"))
    rate = d.get("rate", 10.0)
    if not _is_number(rate) or rate <= 0:
        bad.append((f"{where}: rate", "not_a_positive_number"))
    burst = d.get("burst", 20)
    if not _is_int(burst) or burst < 1:
        bad.append((f"{where}: burst", "not_a_positive_integer"))
    register_as = d.get("register_as")
    if register_as is not None:
        if not isinstance(register_as, str) or not register_as.strip():
            bad.append((f"{where}: register_as", "not_a_username"))
        elif auto is not True:
            bad.append((f"{where}: register_as", "only_with_auto_register"))
    if len(bad) > n0 or not isinstance(name, str) or not NAME.fullmatch(name):
        return None
    return SourceConfig(
        name=name,
        kind=str(kind),
        category=str(category).strip(),
        auto_register=auto is True,
        request_type=str(rtype),
        urgency=str(urgency),
        rate=float(rate),
        burst=int(burst),
        register_as=register_as.strip() if isinstance(register_as, str) else None,
    )


def parse_feeds(text: str, path: str = "<feeds>") -> FeedConfig:
    """Read a feeds file; every problem at once, or a usable configuration."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FeedConfigError(path, [("file", f"not_toml: {exc}")]) from None
    bad: list[tuple[str, str]] = []
    for table in sorted(set(doc) - {"listener", "source"}):
        bad.append((f"[{table}]", "unknown_table"))
    listener = _listener(doc, bad)
    raw = doc.get("source", [])
    if not isinstance(raw, list):
        bad.append(("[source]", "not_an_array_of_tables: write [[source]]"))
        raw = []
    lines = _headers(text)
    sources: dict[str, SourceConfig] = {}
    for i, item in enumerate(raw):
        where = f"line {lines[i]}" if i < len(lines) else f"source #{i + 1}"
        src = _source(item, where, bad)
        if src is None:
            continue
        if src.name in sources:
            bad.append((f'{where}, source "{src.name}": name', "duplicate_name"))
        sources[src.name] = src
    if bad:
        raise FeedConfigError(path, bad)
    return FeedConfig(listener, sources, path)


def load_feeds(path: Path = FEEDS_FILE) -> FeedConfig:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedConfigError(str(path), [("file", f"unreadable: {exc}")]) from None
    return parse_feeds(text, str(path))
