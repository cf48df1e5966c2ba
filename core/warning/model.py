"""What the rules produce and what an alert is: codes, candidates, rows for screens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from core.domain.enums import Urgency


class Rule(StrEnum):
    CLUSTER = "cluster"  # 聚集
    REPEAT_CALLER = "repeat_caller"  # 重复来电
    SENSITIVE_WORDS = "sensitive_words"  # 敏感词
    SURGE = "surge"  # 激增
    NEAR_BREACH = "near_breach"  # 临期预警


class Severity(StrEnum):
    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"


class AlertStatus(StrEnum):
    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"  # 已认领: someone saw it
    CLOSED = "closed"


SEVERITY_RANK = {Severity.RED: 0, Severity.ORANGE: 1, Severity.YELLOW: 2}
URGENCY_RANK = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.CRITICAL: 2}
URGENCY_ZH = {Urgency.NORMAL: "一般", Urgency.URGENT: "紧急", Urgency.CRITICAL: "特急"}


@dataclass(frozen=True)
class Candidate:
    """An alert a rule would raise. ``key`` names what the rule saw, so the same finding
    is raised once; ``detail["orders"]`` lists the orders it is about (when it is)."""

    rule: Rule
    key: str
    severity: Severity
    title: str
    detail: dict[str, Any] = field(default_factory=dict)
    unit_id: int | None = None

    @property
    def order_ids(self) -> list[int]:
        return [int(i) for i in self.detail.get("orders", [])]


@dataclass(frozen=True)
class AlertRow:
    """One alert as a screen shows it."""

    id: int
    rule: str
    key: str
    severity: str
    title: str
    detail: dict[str, Any]
    unit_id: int | None
    unit_name: str | None
    raised_at: datetime
    status: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None  # the user's display name
    closed_at: datetime | None
    closed_by: str | None
    close_note: str | None


@dataclass(frozen=True)
class AlertCounts:
    """Alerts not yet closed: how many wait for someone, how many are acknowledged, and
    by severity (both together)."""

    raised: int
    acknowledged: int
    by_severity: dict[str, int]

    @property
    def open(self) -> int:
        return self.raised + self.acknowledged


@dataclass(frozen=True)
class AlertChange:
    """What an acknowledgement or a close changed: the alert, its new status, the event."""

    alert_id: int
    status: AlertStatus
    event_id: int
