"""The acting user. Every core call takes one."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.enums import Role
from core.domain.ids import UnitId, UserId


@dataclass(frozen=True)
class Actor:
    user_id: UserId
    username: str
    display_name: str
    unit_id: UnitId
    unit_path: str
    roles: frozenset[Role]

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)
