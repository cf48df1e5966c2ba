"""The standard-address table (标准地址, part of 一标三实): address text → grid and point."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, select

from core.storage.schema import std_addresses, units

_DROP = re.compile(r"[\s\-_,，。.、·()（）【】\[\]#]+")


def normalize(text: str) -> str:
    """Full-width to half-width, no spaces or punctuation, so typing variants match."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


@dataclass(frozen=True)
class AddressMatch:
    address: str
    unit_id: int
    unit_name: str
    lon: float
    lat: float
    exact: bool


def resolve(conn: Connection, text: str, limit: int = 8) -> list[AddressMatch]:
    """Exact matches first; otherwise addresses containing what was typed."""
    key = normalize(text)
    if len(key) < 2:
        return []
    cols = (
        std_addresses.c.address,
        std_addresses.c.unit_id,
        units.c.name,
        std_addresses.c.lon,
        std_addresses.c.lat,
        std_addresses.c.normalized,
    )
    base = select(*cols).join(units, units.c.id == std_addresses.c.unit_id)
    rows = conn.execute(base.where(std_addresses.c.normalized == key).limit(limit)).all()
    if not rows:
        like = key.replace("%", "").replace("_", "")
        rows = conn.execute(
            base.where(std_addresses.c.normalized.contains(like, autoescape=True))
            .order_by(std_addresses.c.normalized)
            .limit(limit)
        ).all()
    return [
        AddressMatch(r.address, r.unit_id, r.name, r.lon, r.lat, r.normalized == key) for r in rows
    ]
