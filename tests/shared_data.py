"""Where the project's shared sample data is (``../shared/data`` beside the repository: the
Open311 examples, the Chicago requests, the 311 replay files). Tests that read it skip, with
the place they looked, when a checkout has no such sibling; CC_SHARED_DATA names another."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def shared_data() -> Path:
    named = os.environ.get("CC_SHARED_DATA")
    return Path(named) if named else ROOT.parent / "shared" / "data"


def need(path: Path) -> Path:
    """``path`` under the shared data, or skip the test saying where it was looked for."""
    if not path.exists():
        pytest.skip(f"shared data not present: {path} (set CC_SHARED_DATA)")
    return path
