"""Administrators' sub-commands of main.py. No Qt: they run on a server too.

Each module has ``register(subparsers)`` and ``run(args) -> int``; main.py lists them.
"""

from __future__ import annotations

import argparse
from typing import Any


def open_store(args: argparse.Namespace, create: bool = False) -> Any:
    from core.storage.db import resolve_url
    from core.store import open_store as _open

    return _open(resolve_url(args.db), create=create)
