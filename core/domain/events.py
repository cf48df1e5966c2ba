"""Event kinds. Every transition and every field edit on an order is one event."""

from enum import StrEnum

# Bump when the payload layout of any event kind changes; readers dispatch on it.
EVENT_FORMAT = 1


class EventKind(StrEnum):
    # 制单
    REGISTERED = "registered"
    ANSWERED_ON_SPOT = "answered_on_spot"
    FIELD_EDITED = "field_edited"
    SOURCE_NOTE = "source_note"  # a note of the sending system's own timeline (imports)
    CALLER_ADDED = "caller_added"
    ATTACHMENT_ADDED = "attachment_added"
    # 派单 / 接单
    DISPATCHED = "dispatched"
    ASSIST_ADDED = "assist_added"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    RETURN_ACCEPTED = "return_accepted"
    RETURN_REJECTED = "return_rejected"
    PASSED_DOWN = "passed_down"
    REASSIGNED = "reassigned"
    ESCALATED = "escalated"
    # 做单
    PROGRESS_NOTED = "progress_noted"
    PAUSE_REQUESTED = "pause_requested"
    PAUSE_APPROVED = "pause_approved"
    PAUSE_DENIED = "pause_denied"
    RESUMED = "resumed"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_DENIED = "extension_denied"
    ASSIST_ANSWERED = "assist_answered"
    RESULT_SUBMITTED = "result_submitted"
    # 评单
    REVIEW_PASSED = "review_passed"
    REVIEW_FAILED = "review_failed"
    VISIT_RECORDED = "visit_recorded"
    VISIT_EXPIRED = "visit_expired"  # the service closed it: window over, only unreachable
    REOPENED = "reopened"
    # marks against a unit, and lifting them (core.marks)
    VISIT_SCREENED = "visit_screened"  # 不满意甄别: an unsatisfied visit judged (un)reasonable
    APPEAL_FILED = "appeal_filed"  # 申诉 by a marked unit
    APPEAL_DECIDED = "appeal_decided"  # upheld (the mark is lifted) or dismissed
    # elsewhere
    MERGED = "merged"
    MERGE_RECEIVED = "merge_received"
    TRANSFERRED = "transferred"
    VOIDED = "voided"
    SUPERVISED = "supervised"
    # time conditions, written by the service process
    LIMIT_WARNED = "limit_warned"
    LIMIT_OVERDUE = "limit_overdue"
    # not about one order (order_id is NULL): they wake the screens that show them
    FEED_RECEIVED = "feed_received"  # a machine-feed alert waits as 待确认 (core.feeds)
    FEED_DECIDED = "feed_decided"  # confirmed (an order registered) or dismissed
    ALERT_RAISED = "alert_raised"  # an early-warning rule fired (core.warning)
    ALERT_ACKNOWLEDGED = "alert_acknowledged"
    ALERT_CLOSED = "alert_closed"
    DRILL_INJECT = "drill_inject"  # a drill scenario's inject arrived: its order or feed item
    DRILL_SITUATION = "drill_situation"  # a drill's situation: a unit unreachable, back, a notice
