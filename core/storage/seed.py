"""Reference data every database starts with: categories, policy, calendar, counters.

Idempotent and additive: rows already present (and an administrator's edits to them)
are never overwritten.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from core.calendar import load_overrides
from core.policy import load_policy_text, parse_policy_document
from core.resources import CALENDAR_OVERRIDES, TIME_LIMIT_POLICY
from core.storage import ids
from core.storage.schema import calendar_overrides, categories, policy_versions, settings
from core.taxonomy import load_categories

DEFAULT_SETTINGS: dict[str, Any] = {
    "database_kind": "live",  # "drill" in a drill database
    "timezone": "Asia/Shanghai",
}


def seed_reference(conn: Connection, now: datetime | None = None) -> dict[str, int]:
    now = now or datetime.now(UTC)
    added = {"categories": 0, "policy_versions": 0, "calendar_overrides": 0, "settings": 0}
    for name in ids.TABLE_COUNTERS:
        ids.ensure_counter(conn, name)

    have = set(conn.execute(select(settings.c.key)).scalars())
    for key, value in DEFAULT_SETTINGS.items():
        if key not in have:
            conn.execute(insert(settings).values(key=key, value=value))
            added["settings"] += 1

    have = set(conn.execute(select(categories.c.node_id)).scalars())
    rows = [vars(c) for c in load_categories() if c.node_id not in have]
    # Parents first: level-1, then level-2, then level-3 rows reference them.
    rows.sort(key=lambda r: r["level"])
    if rows:
        conn.execute(insert(categories), rows)
        added["categories"] = len(rows)

    added["policy_versions"] = import_policy_file(conn, TIME_LIMIT_POLICY, now)

    have_days = set(conn.execute(select(calendar_overrides.c.day)).scalars())
    days = [o for o in load_overrides(CALENDAR_OVERRIDES) if o.day not in have_days]
    if days:
        conn.execute(
            insert(calendar_overrides),
            [
                {"day": o.day, "working": o.working, "note": o.note, "set_by": None, "set_at": now}
                for o in days
            ],
        )
        added["calendar_overrides"] = len(days)
    return added


def import_policy_file(conn: Connection, path: Path, now: datetime) -> int:
    """Add the file's versions that the database lacks; existing versions are immutable."""
    doc = load_policy_text(path.read_text(encoding="utf-8"), str(path))
    have = set(conn.execute(select(policy_versions.c.id)).scalars())
    new = [v for v in doc["version"] if v["id"] not in have]
    if not new:
        return 0
    for version, parsed in zip(
        new, parse_policy_document({"version": new}, str(path)), strict=True
    ):
        conn.execute(
            insert(policy_versions).values(
                id=parsed.id, effective_from=parsed.effective_from, document=version, loaded_at=now
            )
        )
    return len(new)
