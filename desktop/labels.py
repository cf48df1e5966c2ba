"""Core's codes (states, channels, request types, roles) as translated labels.

The source strings are English; ``QT_TRANSLATE_NOOP`` marks them for pyside6-lupdate and
``label`` translates at display time, so the language is whatever translator is installed.
An unknown code shows as itself rather than as nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QCoreApplication

CONTEXT = "Labels"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # the name lupdate knows
    """Marks ``text`` for pyside6-lupdate; typed, unlike PySide6's own (returns object)."""
    return text


STATES: Mapping[str, str] = {
    "registered": QT_TRANSLATE_NOOP("Labels", "Awaiting dispatch"),
    "dispatched": QT_TRANSLATE_NOOP("Labels", "Awaiting acceptance"),
    "in_progress": QT_TRANSLATE_NOOP("Labels", "In progress"),
    "paused": QT_TRANSLATE_NOOP("Labels", "Paused"),
    "pending_review": QT_TRANSLATE_NOOP("Labels", "Awaiting review"),
    "pending_visit": QT_TRANSLATE_NOOP("Labels", "Awaiting visit"),
    "closed": QT_TRANSLATE_NOOP("Labels", "Closed"),
    "merged": QT_TRANSLATE_NOOP("Labels", "Merged"),
    "transferred": QT_TRANSLATE_NOOP("Labels", "Transferred out"),
    "voided": QT_TRANSLATE_NOOP("Labels", "Voided"),
}

CHANNELS: Mapping[str, str] = {
    "hotline": QT_TRANSLATE_NOOP("Labels", "12345 hotline"),
    "city_platform": QT_TRANSLATE_NOOP("Labels", "City platform"),
    "grid_patrol": QT_TRANSLATE_NOOP("Labels", "Grid patrol"),
    "video_iot": QT_TRANSLATE_NOOP("Labels", "Video / IoT alert"),
    "online": QT_TRANSLATE_NOOP("Labels", "Online message"),
    "letter_visit": QT_TRANSLATE_NOOP("Labels", "Letters and visits"),
    "public_opinion": QT_TRANSLATE_NOOP("Labels", "Public opinion"),
    "walk_in": QT_TRANSLATE_NOOP("Labels", "Walk-in"),
    "department": QT_TRANSLATE_NOOP("Labels", "Department transfer"),
    "police_110": QT_TRANSLATE_NOOP("Labels", "110 transfer"),
}

REQUEST_TYPES: Mapping[str, str] = {
    "consultation": QT_TRANSLATE_NOOP("Labels", "Consultation"),
    "help": QT_TRANSLATE_NOOP("Labels", "Help"),
    "complaint": QT_TRANSLATE_NOOP("Labels", "Complaint"),
    "report": QT_TRANSLATE_NOOP("Labels", "Report"),
    "suggestion": QT_TRANSLATE_NOOP("Labels", "Suggestion"),
    "praise": QT_TRANSLATE_NOOP("Labels", "Praise"),
}

ROLES: Mapping[str, str] = {
    "duty_officer": QT_TRANSLATE_NOOP("Labels", "Duty officer"),
    "dispatcher": QT_TRANSLATE_NOOP("Labels", "Shift lead"),
    "handler": QT_TRANSLATE_NOOP("Labels", "Handler"),
    "supervisor": QT_TRANSLATE_NOOP("Labels", "Supervisor"),
    "leader": QT_TRANSLATE_NOOP("Labels", "Commander"),
    "trainer": QT_TRANSLATE_NOOP("Labels", "Trainer"),
    "admin": QT_TRANSLATE_NOOP("Labels", "Administrator"),
    "wall": QT_TRANSLATE_NOOP("Labels", "Wall display"),
}


def label(table: Mapping[str, str], code: str) -> str:
    source = table.get(code)
    return QCoreApplication.translate(CONTEXT, source) if source is not None else code


def state(code: str) -> str:
    return label(STATES, code)


def channel(code: str) -> str:
    return label(CHANNELS, code)


def request_type(code: str) -> str:
    return label(REQUEST_TYPES, code)


def roles(codes: Iterable[str]) -> str:
    """Roles in a stable order, joined with the locale's list separator."""
    sep = QCoreApplication.translate("Labels", ", ")
    return sep.join(label(ROLES, c) for c in sorted(codes))
