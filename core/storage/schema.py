"""The database schema, as SQLAlchemy Core tables. Alembic migrates both backends from it.

Ids of orders, hops, limits and events are allocated from counter rows inside the
writing transaction (see ``core.storage.ids``), never from sequences: event ids must
follow commit order with no gaps, and bulk paths need ids before they insert.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from core.storage.types import Json, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

# Tables the database keeps for itself on PostgreSQL, outside this metadata: no client
# writes them (migration 0008's triggers do). Schema comparisons leave them out.
DATABASE_ONLY = frozenset({"order_reach"})

# --- settings and counters -------------------------------------------------------------

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Json, nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# --- organisation ----------------------------------------------------------------------

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("level", Integer, nullable=False),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(128), nullable=False),
    # Materialised path "/1/4/17/": a prefix test answers "is inside" on both backends.
    Column("path", String(512), nullable=False),
    Column("grid_kind", String(16), nullable=True),
    Column("polygon", Json, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Index("ix_units_path", "path"),
    Index("ix_units_parent", "parent_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(64), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("password_hash", String(256), nullable=False),
    Column("phone", String(32), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    # The PostgreSQL login role of this user (``python main.py roles create``); row-level
    # security maps ``session_user`` back to the user through it.
    Column("db_role", String(63), nullable=True, unique=True),
)

user_roles = Table(
    "user_roles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), primary_key=True),
    Column("role", String(32), primary_key=True),
)

# --- reference data --------------------------------------------------------------------

categories = Table(
    "categories",
    metadata,
    Column("node_id", String(64), primary_key=True),
    Column("code", String(16), nullable=False),
    Column("level", Integer, nullable=False),
    Column("name", String(128), nullable=False),
    Column("parent_node_id", String(64), ForeignKey("categories.node_id"), nullable=True),
    Column("remark", Text, nullable=False, default=""),
    Column("selectable", Boolean, nullable=False),
    Column("is_dispute", Boolean, nullable=False, default=False),
    Column("limit_class", String(32), nullable=False, default="general"),
    Column("default_tier", Integer, nullable=True),
    Column("owner_unit_code", String(64), nullable=True),
    Index("ix_categories_code", "code"),
)

std_addresses = Table(
    "std_addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("address", String(256), nullable=False),
    Column("normalized", String(256), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Index("ix_std_addresses_normalized", "normalized"),
)

calendar_overrides = Table(
    "calendar_overrides",
    metadata,
    Column("day", Date, primary_key=True),
    Column("working", Boolean, nullable=False),
    Column("note", String(256), nullable=False, default=""),
    Column("set_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("set_at", UTCDateTime, nullable=False),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("effective_from", UTCDateTime, nullable=False),
    Column("document", Json, nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
)

# --- work orders -----------------------------------------------------------------------

orders = Table(
    "orders",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("number", String(32), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("state", String(16), nullable=False),
    Column("channel", String(24), nullable=False),
    Column("request_type", String(16), nullable=False),
    Column("category_node_id", String(64), ForeignKey("categories.node_id"), nullable=False),
    Column("limit_class", String(32), nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("caller_name", String(64), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("phone_kind", String(16), nullable=True),
    Column("phone_digits", String(24), nullable=True),
    Column("anonymous", Boolean, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("address", String(256), nullable=True),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("location_unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("centre_unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("lead_unit_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("tier", Integer, nullable=True),
    Column("planned_tier", Integer, nullable=True),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("registered_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    # disputes 矛盾纠纷
    Column("dispute_type", String(64), nullable=True),
    Column("risk_grade", String(8), nullable=True),
    Column("parties", Json, nullable=True),
    Column("leader_responsible", String(64), nullable=True),
    Column("mediation_outcome", String(32), nullable=True),
    # upstream platforms
    Column("external_ref", String(64), nullable=True),
    # the system an imported order came from (core.imports): with external_ref, the key
    # that makes a second import of the same file register nothing twice
    Column("external_source", String(40), nullable=True),
    Column("upstream_due", UTCDateTime, nullable=True),
    Column("police_incident_no", String(64), nullable=True),
    # outcomes and counters
    Column("answer_text", Text, nullable=True),
    Column("result_text", Text, nullable=True),
    Column("return_count", Integer, nullable=False, default=0),
    Column("rework_count", Integer, nullable=False, default=0),
    Column("reopen_count", Integer, nullable=False, default=0),
    Column("escalation_count", Integer, nullable=False, default=0),
    Column("supervision_count", Integer, nullable=False, default=0),
    Column("extension_count", Integer, nullable=False, default=0),
    Column("visit_attempts", Integer, nullable=False, default=0),
    Column("visit_result", String(24), nullable=True),
    Column("pending_request", Json, nullable=True),
    Column("paused_at", UTCDateTime, nullable=True),
    Column("escalated_from_level", Integer, nullable=True),
    Column("merged_into_id", BigInteger, ForeignKey("orders.id"), nullable=True),
    Column("transfer_destination", String(128), nullable=True),
    Column("void_reason", Text, nullable=True),
    # What a list may show of the caller, kept by core whenever phone, name or
    # confidential change: the masked number and the name, both NULL when confidential.
    # Roles without the right to the full columns read these (see core.storage.dbroles).
    Column("phone_masked", String(40), nullable=True),
    Column("caller_shown", String(64), nullable=True),
    Index("ix_orders_state", "state", "registered_at"),
    Index("ix_orders_centre_state", "centre_unit_id", "state"),
    Index("ix_orders_lead_state", "lead_unit_id", "state"),
    Index("ix_orders_phone_digits", "phone_digits"),
    Index("ix_orders_registered_at", "registered_at", "id"),
    Index("ix_orders_location", "location_unit_id"),
    Index("ix_orders_external_ref", "external_ref"),
    Index("uq_orders_external", "external_source", "external_ref", unique=True),
    Index("ix_orders_merged_into", "merged_into_id"),
)

order_callers = Table(
    "order_callers",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False),
    Column("name", String(64), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("phone_kind", String(16), nullable=True),
    Column("phone_digits", String(24), nullable=True),
    Column("source", String(16), nullable=False),
    Column("from_order_id", BigInteger, ForeignKey("orders.id"), nullable=True),
    Column("added_at", UTCDateTime, nullable=False),
    Column("phone_masked", String(40), nullable=True),
    Index("ix_order_callers_order", "order_id"),
    Index("ix_order_callers_phone_digits", "phone_digits"),
)

hops = Table(
    "hops",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False),
    Column("parent_id", BigInteger, ForeignKey("hops.id"), nullable=True),
    Column("seq", Integer, nullable=False),
    Column("role", String(8), nullable=False),
    Column("sender_unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("receiver_unit_id", Integer, ForeignKey("units.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("dispatched_at", UTCDateTime, nullable=False),
    Column("dispatched_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("accepted_at", UTCDateTime, nullable=True),
    Column("answered_at", UTCDateTime, nullable=True),
    Column("answer_text", Text, nullable=True),
    Column("return_reason", Text, nullable=True),
    Column("note", Text, nullable=True),
    # Leads with order_id and matches the queue queries' correlated lookups on all three
    # columns, so SQLite (no statistics) never prefers a unit's index over the order's.
    Index("ix_hops_order_role_state", "order_id", "role", "state"),
    Index("ix_hops_parent", "parent_id"),
    Index("ix_hops_receiver_state", "receiver_unit_id", "state"),
    Index("ix_hops_sender_state", "sender_unit_id", "state"),
)

time_limits = Table(
    "time_limits",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False),
    Column("hop_id", BigInteger, ForeignKey("hops.id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("policy_version", String(64), nullable=False),
    Column("rule_id", String(64), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("start_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime, nullable=False),
    Column("warn_at", UTCDateTime, nullable=False),
    Column("calendar_fallback", Boolean, nullable=False),
    Column("upstream_capped", Boolean, nullable=False),
    Column("paused_at", UTCDateTime, nullable=True),
    Column("extensions", Integer, nullable=False, default=0),
    Column("extended_days", Integer, nullable=False, default=0),
    Column("ended_at", UTCDateTime, nullable=True),
    # Frozen once when the limit ends: statistics never change afterwards.
    Column("ended_overdue", Boolean, nullable=True),
    Column("warned", Boolean, nullable=False, default=False),
    Column("overdue_marked", Boolean, nullable=False, default=False),
    # order_id first, then the open mark: "this order's open limits" in one index range.
    Index("ix_time_limits_order_open", "order_id", "ended_at", "due_at"),
    Index("ix_time_limits_hop", "hop_id"),
    Index("ix_time_limits_open_due", "ended_at", "due_at"),
    Index("ix_time_limits_kind_due", "kind", "due_at"),
)

attachment_blobs = Table(
    "attachment_blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False),
    Column("hop_id", BigInteger, ForeignKey("hops.id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("filename", String(256), nullable=False),
    Column("mime", String(128), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), ForeignKey("attachment_blobs.sha256"), nullable=False),
    Column("added_at", UTCDateTime, nullable=False),
    Column("added_by", Integer, ForeignKey("users.id"), nullable=False),
    Index("ix_attachments_order", "order_id"),
    Index("ix_attachments_hop", "hop_id"),
)

# --- the event log ---------------------------------------------------------------------

events = Table(
    "events",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=True),
    Column("order_version", Integer, nullable=True),
    Column("hop_id", BigInteger, nullable=True),
    Column("kind", String(32), nullable=False),
    Column("format", Integer, nullable=False),
    Column("actor_user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("actor_unit_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=True),
    Column("reason", Text, nullable=True),
    # Frozen at the moment of the event: was any open limit of the order overdue?
    Column("overdue", Boolean, nullable=False),
    Column("payload", Json, nullable=False),
    # The caller's name and numbers out of ``payload`` (same layout): user roles may not
    # read this column. Replay merges both.
    Column("private_payload", Json, nullable=True),
    UniqueConstraint("order_id", "order_version", name="uq_events_order_version"),
    Index("ix_events_at", "at"),
    Index("ix_events_kind_at", "kind", "at"),
)

state_intervals = Table(
    "state_intervals",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("valid_from", UTCDateTime, nullable=False),
    Column("valid_to", UTCDateTime, nullable=True),
    Column("from_event_id", BigInteger, nullable=False),
    Column("to_event_id", BigInteger, nullable=True),
    Index("ix_state_intervals_order", "order_id", "valid_from"),
    Index("ix_state_intervals_state_time", "state", "valid_from", "valid_to"),
    # The intervals alive at a past moment T in some states (the wall's time travel):
    # valid_to IS NULL or valid_to > T, two ranges of this index per state.
    Index("ix_state_intervals_state_to", "state", "valid_to", "valid_from"),
)

# Every read of a full phone number or a confidential informant (cc_reveal_* on PostgreSQL,
# core.privacy on both backends).
phone_reads = Table(
    "phone_reads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=True),
    Column("db_role", String(63), nullable=True),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=False),
    Column("caller_id", BigInteger, nullable=True),
    Column("field", String(32), nullable=False),
    Column("reason", Text, nullable=False),
    Index("ix_phone_reads_order", "order_id"),
    Index("ix_phone_reads_at", "at"),
)

# --- working together ------------------------------------------------------------------

# "张三 is editing": a soft lock, advisory only (a save is guarded by the order's version).
# It expires on its own, so a crashed workstation never leaves an order locked.
order_locks = Table(
    "order_locks",
    metadata,
    Column("order_id", BigInteger, ForeignKey("orders.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("display_name", String(64), nullable=False),
    Column("workstation", String(128), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# --- assessment ------------------------------------------------------------------------

# A published (locked) period: the figures of every grouping the assessment report uses,
# computed once at publication (core.analytics.published). They never change afterwards,
# whatever is registered or acted on later with times inside the period.
published_periods = Table(
    "published_periods",
    metadata,
    Column("period", String(7), primary_key=True),  # "2026-10" or "2026"
    Column("published_at", UTCDateTime, nullable=False),
    Column("published_by", String(64), nullable=False),
    Column("rules_hash", String(64), nullable=False),
    Column("figures", Json, nullable=False),
)

# --- machine feeds and early warning ---------------------------------------------------

# An alert from an IoT or video source (core.feeds). Unless its source auto-registers, it
# waits here as 待确认 until a duty officer confirms it (an order is registered) or
# dismisses it (a false alarm never becomes intake). One row per source and source id:
# a repeated message is a duplicate, not a second alert.
feed_items = Table(
    "feed_items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(40), nullable=False),
    Column("source_id", String(128), nullable=False),
    Column("kind", String(16), nullable=False),  # iot, video
    Column("received_at", UTCDateTime, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("category_code", String(16), nullable=True),
    Column("title", Text, nullable=False),
    Column("address", Text, nullable=True),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=True),  # the grid found
    Column("payload", Json, nullable=False),  # the message as received (validated)
    Column("status", String(12), nullable=False),  # pending, confirmed, dismissed, registered
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decided_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("decision_note", Text, nullable=True),
    Column("order_id", BigInteger, ForeignKey("orders.id"), nullable=True),
    UniqueConstraint("source", "source_id", name="uq_feed_items_source"),
    Index("ix_feed_items_status_received", "status", "received_at"),
)

# An early-warning alert (core.warning): raised by a rule, acknowledged by someone, closed.
# ``key`` names what the rule saw (the grid and window of a cluster, the caller of a repeat),
# so a rule run again over the same orders raises nothing twice.
alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rule", String(32), nullable=False),
    Column("key", String(200), nullable=False),
    Column("severity", String(8), nullable=False),  # red, orange, yellow
    Column("title", Text, nullable=False),
    Column("detail", Json, nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id"), nullable=True),
    Column("raised_at", UTCDateTime, nullable=False),
    Column("status", String(12), nullable=False),  # raised, acknowledged, closed
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("acknowledged_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("closed_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("close_note", Text, nullable=True),
    UniqueConstraint("rule", "key", name="uq_alerts_rule_key"),
    Index("ix_alerts_status_raised", "status", "raised_at"),
)
