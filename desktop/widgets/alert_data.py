"""What the alert banner and the alerts page read and write, as blocking calls for the lanes
(never on the UI thread): early-warning alerts (``core.warning.alerts``) and the machine
feeds' 待确认 items (``core.feeds``), each kept to the user's territory."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.ids import OrderId
from core.feeds import decide as feed_decide
from core.feeds.items import FeedItem, count_pending, list_items
from core.service import OrderService
from core.warning import alerts as core_alerts
from core.warning.alerts import ALERT_ROLES
from core.warning.model import AlertChange, AlertRow, AlertStatus
from desktop.feed import Session

__all__ = ["AlertRow", "AlertState", "FeedItem", "watches_alerts"]

LIST_LIMIT = 500


def watches_alerts(session: Session) -> bool:
    """The centre's duty officers, shift leads, supervisors and commanders see alerts and
    decide feed items; handling units do not (their orders reach them as orders), nor
    does an IT administrator who holds no duty role."""
    return session.actor.has(*ALERT_ROLES)


@dataclass(frozen=True)
class AlertState:
    alerts: list[AlertRow]  # open ones (and closed ones when asked), as core orders them
    items: list[FeedItem]  # feed items of the chosen status, newest first
    items_waiting: int  # 待确认 items in all

    @property
    def unacknowledged(self) -> list[AlertRow]:
        return [a for a in self.alerts if a.status == AlertStatus.RAISED.value]


def read_state(
    session: Session, *, include_closed: bool = False, item_status: str | None = "pending"
) -> AlertState:
    store, actor = session.store, session.actor
    return AlertState(
        core_alerts.open_alerts(
            store, actor=actor, include_closed=include_closed, limit=LIST_LIMIT
        ),
        list_items(store, status=item_status, actor=actor, limit=LIST_LIMIT),
        count_pending(store, actor),
    )


def read_waiting(session: Session) -> tuple[list[AlertRow], int]:
    """The banner's: open alerts nobody has acknowledged, most severe and newest first;
    and how many feed items wait for confirmation."""
    rows = core_alerts.open_alerts(session.store, actor=session.actor, limit=LIST_LIMIT)
    waiting = [a for a in rows if a.status == AlertStatus.RAISED.value]
    return waiting, count_pending(session.store, session.actor)


def acknowledge(session: Session, alert_id: int) -> AlertChange:
    return core_alerts.acknowledge(session.store, session.actor, alert_id)


def close(session: Session, alert_id: int, note: str) -> AlertChange:
    return core_alerts.close(session.store, session.actor, alert_id, note)


def confirm_item(session: Session, item_id: int, note: str | None) -> OrderId:
    return feed_decide.confirm(OrderService(session.store), session.actor, item_id, note)


def dismiss_item(session: Session, item_id: int, reason: str) -> None:
    feed_decide.dismiss(session.store, session.actor, item_id, reason)
