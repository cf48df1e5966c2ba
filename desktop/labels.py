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


URGENCIES: Mapping[str, str] = {
    "normal": QT_TRANSLATE_NOOP("Labels", "Normal"),
    "urgent": QT_TRANSLATE_NOOP("Labels", "Urgent"),
    "critical": QT_TRANSLATE_NOOP("Labels", "Critical"),
}

PANELS: Mapping[str, str] = {
    "county": QT_TRANSLATE_NOOP("Labels", "County level"),
    "town": QT_TRANSLATE_NOOP("Labels", "Town level"),
    "village": QT_TRANSLATE_NOOP("Labels", "Village level"),
}

QUEUES: Mapping[str, str] = {
    "dispatch": QT_TRANSLATE_NOOP("Labels", "To dispatch"),
    "accept": QT_TRANSLATE_NOOP("Labels", "To accept"),
    "progress": QT_TRANSLATE_NOOP("Labels", "Being handled"),
    "review": QT_TRANSLATE_NOOP("Labels", "To review"),
    "visit": QT_TRANSLATE_NOOP("Labels", "To visit"),
}


def urgency(code: str) -> str:
    return label(URGENCIES, code)


# --- intake: risk grades, routing reasons, duplicate reasons, field errors -------------------

RISK_GRADES: Mapping[str, str] = {
    "red": QT_TRANSLATE_NOOP("Labels", "Red"),
    "orange": QT_TRANSLATE_NOOP("Labels", "Orange"),
    "yellow": QT_TRANSLATE_NOOP("Labels", "Yellow"),
    "green": QT_TRANSLATE_NOOP("Labels", "Green"),
}

ATTACHMENT_KINDS: Mapping[str, str] = {
    "photo_before": QT_TRANSLATE_NOOP("Labels", "Site photo (before)"),
    "photo_after": QT_TRANSLATE_NOOP("Labels", "Site photo (after)"),
    "document": QT_TRANSLATE_NOOP("Labels", "Document"),
}

# core.routing.Suggestion.reasons; placeholders come from Suggestion.detail
ROUTING_REASONS: Mapping[str, str] = {
    "history": QT_TRANSLATE_NOOP(
        "Labels", "past routing of {history_orders} similar orders in {history_days} days"
    ),
    "category_owner": QT_TRANSLATE_NOOP("Labels", "the department that owns “{category}”"),
    "tier_town": QT_TRANSLATE_NOOP("Labels", "the town or street of the location"),
    "tier_village": QT_TRANSLATE_NOOP("Labels", "the village or community of the location"),
    "grid": QT_TRANSLATE_NOOP("Labels", "the grid of the location"),
}

# core.duplicates.Reason
DUPLICATE_REASONS: Mapping[str, str] = {
    "near": QT_TRANSLATE_NOOP("Labels", "same place"),
    "same_category": QT_TRANSLATE_NOOP("Labels", "same category"),
    "similar_category": QT_TRANSLATE_NOOP("Labels", "related category"),
    "similar_text": QT_TRANSLATE_NOOP("Labels", "similar wording"),
}

# core.errors.FieldError codes (and core.phone.PhoneError codes); placeholders from params
FIELD_ERRORS: Mapping[str, str] = {
    "required": QT_TRANSLATE_NOOP("Labels", "Required."),
    "too_long": QT_TRANSLATE_NOOP("Labels", "Too long: {length} characters, at most {max}."),
    "unknown_value": QT_TRANSLATE_NOOP("Labels", "Choose one of the options."),
    "unknown_category": QT_TRANSLATE_NOOP("Labels", "Pick a category from the list."),
    "category_not_selectable": QT_TRANSLATE_NOOP(
        "Labels", "This is a group: pick a category inside it."
    ),
    "phone_required": QT_TRANSLATE_NOOP("Labels", "Enter the caller's number, or tick Anonymous."),
    "phone_bad_characters": QT_TRANSLATE_NOOP(
        "Labels", "Only digits, spaces, “-” and brackets: “{char}” is not allowed."
    ),
    "phone_bad_country_code": QT_TRANSLATE_NOOP(
        "Labels", "A foreign number cannot be called back."
    ),
    "phone_bad_length": QT_TRANSLATE_NOOP(
        "Labels", "Not a phone number: {digits} digits. A mobile has 11."
    ),
    "phone_bad_mobile_prefix": QT_TRANSLATE_NOOP(
        "Labels", "No mobile number starts with {prefix}."
    ),
    "phone_missing_area_code": QT_TRANSLATE_NOOP(
        "Labels", "A landline needs its area code (e.g. 0517)."
    ),
    "phone_bad_area_code": QT_TRANSLATE_NOOP("Labels", "Unknown area code {area_code}."),
    "phone_bad_local_number": QT_TRANSLATE_NOOP(
        "Labels", "A local number never starts with {first_digit}."
    ),
    "phone_bad_extension": QT_TRANSLATE_NOOP("Labels", "An extension has at most 6 digits."),
    "phone_extension_on_mobile": QT_TRANSLATE_NOOP("Labels", "A mobile has no extension."),
    "coordinates_incomplete": QT_TRANSLATE_NOOP("Labels", "Both longitude and latitude."),
    "coordinates_out_of_range": QT_TRANSLATE_NOOP("Labels", "Not a point on the map."),
    "coordinates_swapped": QT_TRANSLATE_NOOP("Labels", "Longitude and latitude look swapped."),
    "coordinates_not_numbers": QT_TRANSLATE_NOOP("Labels", "Not a point on the map."),
    "outside_county": QT_TRANSLATE_NOOP(
        "Labels", "Outside the county: transfer the order out instead."
    ),
    "outside_centre_territory": QT_TRANSLATE_NOOP("Labels", "Outside this centre's territory."),
    "not_territorial": QT_TRANSLATE_NOOP("Labels", "A department is not a location."),
    "unknown_unit": QT_TRANSLATE_NOOP("Labels", "Unknown unit."),
    "outside_dispatch_scope": QT_TRANSLATE_NOOP(
        "Labels", "This centre cannot dispatch to that unit."
    ),
    "escalation_needs_higher_tier": QT_TRANSLATE_NOOP(
        "Labels", "Escalated before: choose a higher tier."
    ),
    "not_a_dispute_category": QT_TRANSLATE_NOOP(
        "Labels", "Dispute fields need a dispute category."
    ),
    "empty_file": QT_TRANSLATE_NOOP("Labels", "The file is empty."),
    "file_too_large": QT_TRANSLATE_NOOP("Labels", "Larger than {max_mb} MB."),
    "bad_filename": QT_TRANSLATE_NOOP("Labels", "The file name cannot be stored."),
    "unreadable": QT_TRANSLATE_NOOP("Labels", "The file cannot be read."),
    "not_a_file": QT_TRANSLATE_NOOP("Labels", "Not a file."),
}


def _fill(text: str, params: Mapping[str, object]) -> str:
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def risk_grade(code: str) -> str:
    return label(RISK_GRADES, code)


def attachment_kind(code: str) -> str:
    return label(ATTACHMENT_KINDS, code)


def routing_reason(code: str, detail: Mapping[str, object]) -> str:
    return _fill(label(ROUTING_REASONS, code), detail)


def duplicate_reason(code: str) -> str:
    return label(DUPLICATE_REASONS, code)


def field_error(code: str, params: Mapping[str, object]) -> str:
    """One input problem in words; an unknown code shows as itself."""
    values = dict(params)
    most = values.get("max")
    if isinstance(most, int):
        values["max_mb"] = most // (1024 * 1024)
    return _fill(label(FIELD_ERRORS, code), values)


# --- the order editor: hops, events, visits, disputes, field names ---------------------------

HOP_STATES: Mapping[str, str] = {
    "awaiting": QT_TRANSLATE_NOOP("Labels", "Awaiting acceptance"),
    "in_progress": QT_TRANSLATE_NOOP("Labels", "In progress"),
    "delegated": QT_TRANSLATE_NOOP("Labels", "Passed down"),
    "answered": QT_TRANSLATE_NOOP("Labels", "Answered"),
    "returned": QT_TRANSLATE_NOOP("Labels", "Returned"),
    "return_accepted": QT_TRANSLATE_NOOP("Labels", "Return accepted"),
    "withdrawn": QT_TRANSLATE_NOOP("Labels", "Withdrawn"),
    "escalated": QT_TRANSLATE_NOOP("Labels", "Escalated"),
}

HOP_ROLES: Mapping[str, str] = {
    "lead": QT_TRANSLATE_NOOP("Labels", "Lead"),
    "assist": QT_TRANSLATE_NOOP("Labels", "Assisting"),
}

EVENT_KINDS: Mapping[str, str] = {
    "registered": QT_TRANSLATE_NOOP("Labels", "Registered"),
    "answered_on_spot": QT_TRANSLATE_NOOP("Labels", "Answered on the spot"),
    "field_edited": QT_TRANSLATE_NOOP("Labels", "Field edited"),
    "source_note": QT_TRANSLATE_NOOP("Labels", "Note from the sending system"),
    "caller_added": QT_TRANSLATE_NOOP("Labels", "Caller added"),
    "attachment_added": QT_TRANSLATE_NOOP("Labels", "Attachment added"),
    "dispatched": QT_TRANSLATE_NOOP("Labels", "Dispatched"),
    "assist_added": QT_TRANSLATE_NOOP("Labels", "Assisting unit called in"),
    "accepted": QT_TRANSLATE_NOOP("Labels", "Accepted"),
    "returned": QT_TRANSLATE_NOOP("Labels", "Returned"),
    "return_accepted": QT_TRANSLATE_NOOP("Labels", "Return accepted"),
    "return_rejected": QT_TRANSLATE_NOOP("Labels", "Return rejected"),
    "passed_down": QT_TRANSLATE_NOOP("Labels", "Passed down"),
    "reassigned": QT_TRANSLATE_NOOP("Labels", "Reassigned"),
    "escalated": QT_TRANSLATE_NOOP("Labels", "Escalated"),
    "progress_noted": QT_TRANSLATE_NOOP("Labels", "Progress note"),
    "pause_requested": QT_TRANSLATE_NOOP("Labels", "Pause requested"),
    "pause_approved": QT_TRANSLATE_NOOP("Labels", "Pause approved"),
    "pause_denied": QT_TRANSLATE_NOOP("Labels", "Pause denied"),
    "resumed": QT_TRANSLATE_NOOP("Labels", "Resumed"),
    "extension_requested": QT_TRANSLATE_NOOP("Labels", "Extension requested"),
    "extension_approved": QT_TRANSLATE_NOOP("Labels", "Extension approved"),
    "extension_denied": QT_TRANSLATE_NOOP("Labels", "Extension denied"),
    "assist_answered": QT_TRANSLATE_NOOP("Labels", "Assisting answer"),
    "result_submitted": QT_TRANSLATE_NOOP("Labels", "Result submitted"),
    "review_passed": QT_TRANSLATE_NOOP("Labels", "Review passed"),
    "review_failed": QT_TRANSLATE_NOOP("Labels", "Review failed: rework"),
    "visit_recorded": QT_TRANSLATE_NOOP("Labels", "Return visit"),
    "visit_expired": QT_TRANSLATE_NOOP("Labels", "Visit window expired"),
    "reopened": QT_TRANSLATE_NOOP("Labels", "Reopened"),
    "visit_screened": QT_TRANSLATE_NOOP("Labels", "Dissatisfaction screened"),
    "appeal_filed": QT_TRANSLATE_NOOP("Labels", "Appeal filed"),
    "appeal_decided": QT_TRANSLATE_NOOP("Labels", "Appeal decided"),
    "merged": QT_TRANSLATE_NOOP("Labels", "Merged"),
    "merge_received": QT_TRANSLATE_NOOP("Labels", "Duplicate merged in"),
    "transferred": QT_TRANSLATE_NOOP("Labels", "Transferred out"),
    "voided": QT_TRANSLATE_NOOP("Labels", "Voided"),
    "supervised": QT_TRANSLATE_NOOP("Labels", "Supervision notice"),
    "limit_warned": QT_TRANSLATE_NOOP("Labels", "Deadline near"),
    "limit_overdue": QT_TRANSLATE_NOOP("Labels", "Overdue"),
}

MARK_DECISIONS: Mapping[str, str] = {
    "unreasonable": QT_TRANSLATE_NOOP("Labels", "Unreasonable: set aside"),
    "reasonable": QT_TRANSLATE_NOOP("Labels", "Reasonable: the mark stands"),
    "upheld": QT_TRANSLATE_NOOP("Labels", "Upheld: the mark is lifted"),
    "dismissed": QT_TRANSLATE_NOOP("Labels", "Dismissed: the mark stands"),
}

VISIT_RESULTS: Mapping[str, str] = {
    "satisfied": QT_TRANSLATE_NOOP("Labels", "Satisfied"),
    "basically_satisfied": QT_TRANSLATE_NOOP("Labels", "Basically satisfied"),
    "unsatisfied": QT_TRANSLATE_NOOP("Labels", "Unsatisfied"),
    "unreachable": QT_TRANSLATE_NOOP("Labels", "Unreachable"),
}

MEDIATION_OUTCOMES: Mapping[str, str] = {
    "agreement": QT_TRANSLATE_NOOP("Labels", "Mediation agreement"),
    "judicial_confirmation": QT_TRANSLATE_NOOP("Labels", "Judicial confirmation"),
    "litigation": QT_TRANSLATE_NOOP("Labels", "Referred to court"),
    "failed": QT_TRANSLATE_NOOP("Labels", "Mediation failed"),
}

SUPERVISION_LEVELS: Mapping[str, str] = {
    "yellow": QT_TRANSLATE_NOOP("Labels", "Yellow card"),
    "red": QT_TRANSLATE_NOOP("Labels", "Red card"),
}

LIMIT_CLASSES: Mapping[str, str] = {
    "general": QT_TRANSLATE_NOOP("Labels", "General"),
    "simple_dispute": QT_TRANSLATE_NOOP("Labels", "Simple dispute"),
    "hard_dispute": QT_TRANSLATE_NOOP("Labels", "Hard dispute"),
    "safety": QT_TRANSLATE_NOOP("Labels", "Safety"),
}

ORDER_FIELDS: Mapping[str, str] = {
    "title": QT_TRANSLATE_NOOP("Labels", "Title"),
    "description": QT_TRANSLATE_NOOP("Labels", "Description"),
    "category_node_id": QT_TRANSLATE_NOOP("Labels", "Category"),
    "limit_class": QT_TRANSLATE_NOOP("Labels", "Time-limit class"),
    "request_type": QT_TRANSLATE_NOOP("Labels", "Request type"),
    "urgency": QT_TRANSLATE_NOOP("Labels", "Urgency"),
    "caller_name": QT_TRANSLATE_NOOP("Labels", "Caller"),
    "phone": QT_TRANSLATE_NOOP("Labels", "Phone"),
    "anonymous": QT_TRANSLATE_NOOP("Labels", "Anonymous"),
    "confidential": QT_TRANSLATE_NOOP("Labels", "Confidential"),
    "address": QT_TRANSLATE_NOOP("Labels", "Address"),
    "location": QT_TRANSLATE_NOOP("Labels", "Location"),
    "coordinates": QT_TRANSLATE_NOOP("Labels", "Coordinates"),
    "dispute_type": QT_TRANSLATE_NOOP("Labels", "Dispute type"),
    "risk_grade": QT_TRANSLATE_NOOP("Labels", "Risk grade"),
    "parties": QT_TRANSLATE_NOOP("Labels", "Parties"),
    "leader_responsible": QT_TRANSLATE_NOOP("Labels", "Leader responsible"),
    "mediation_outcome": QT_TRANSLATE_NOOP("Labels", "Mediation outcome"),
    "external_ref": QT_TRANSLATE_NOOP("Labels", "Platform order no."),
    "upstream_due": QT_TRANSLATE_NOOP("Labels", "Platform deadline"),
    "police_incident_no": QT_TRANSLATE_NOOP("Labels", "110 incident no."),
}


def hop_state(code: str) -> str:
    return label(HOP_STATES, code)


def event_kind(code: str) -> str:
    return label(EVENT_KINDS, code)


def order_field(code: str) -> str:
    return label(ORDER_FIELDS, code)
