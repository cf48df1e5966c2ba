"""Distinct id types, so mypy catches an order id passed where a unit id belongs."""

from typing import NewType

UnitId = NewType("UnitId", int)
UserId = NewType("UserId", int)
OrderId = NewType("OrderId", int)
HopId = NewType("HopId", int)
LimitId = NewType("LimitId", int)
EventId = NewType("EventId", int)
AttachmentId = NewType("AttachmentId", int)
