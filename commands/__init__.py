"""Administrators' sub-commands of main.py. No Qt: they run on a server too.

Each module has ``register(subparsers)`` and ``run(args) -> int``; main.py lists them.
"""

from __future__ import annotations

import argparse
from typing import Any

_opened: list[Any] = []


def open_store(args: argparse.Namespace, create: bool = False) -> Any:
    """The command's database; main.py closes it when the command returns."""
    from core.storage.db import resolve_url
    from core.store import open_store as _open

    store = _open(resolve_url(args.db), create=create)
    _opened.append(store)
    return store


def close_stores() -> None:
    """Close the connections of every store a command opened (main() may run in a test)."""
    while _opened:
        _opened.pop().engine.dispose()
