"""The schema: every table the help center keeps, in one place for Alembic and for the queries.

Migrations in ``portal/migrations`` create and change these tables; this file says what the newest
migration leaves, so that queries and ``alembic check`` read the same thing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

MIGRATIONS = Path(__file__).parent.parent / "migrations"
metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC)


# Listed newest first, by id, whole or by page and answer: an index for each filter.
page_feedback = Table(
    "page_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("page", String(300), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Index("ix_page_feedback_page_id", "page", "id"),
    Index("ix_page_feedback_helpful_id", "helpful", "id"),
    Index("ix_page_feedback_page_helpful_id", "page", "helpful", "id"),
)

agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("disabled_at", DateTime(timezone=True)),
    # Sessions begun before this moment are over: set on sign-out, disabling, password reset.
    Column("sessions_valid_after", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("last_sign_in_at", DateTime(timezone=True)),
    # How the agent signs the requests they send; the name when unset.
    Column("display_name", String(100)),
)

# One row per failed sign-in and subject ("account:NAME", "address:IP"), kept for the throttle's
# window only. In the database rather than in memory, so every process counts the same attempts.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject", String(200), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Append-only: the app only inserts and reads; database triggers (migration 0002) refuse the rest.
# Listed newest first, by (at, id): each filter has an index that starts with its column and ends
# with that order, so a page of any filter reads a page of index, however long the log.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("order_id", String(100)),
    Column("order_reference", String(200)),
    Column("request", Text, nullable=False),
    Column("gelato_answer", Text, nullable=False),
    Column("outcome", String(20), nullable=False),
    Index("ix_audit_log_at_id", "at", "id"),
    *(
        Index(f"ix_audit_log_{column}_at_id", column, "at", "id")
        for column in ("actor", "action", "outcome", "order_id", "order_reference")
    ),
)

# One row per reorder or cancel-and-replace form. The key is unique, so two requests carrying the
# same form cannot both place an order; the row remembers how far the action got and what it is to
# place (migration 0005), so that any process can finish it.
order_actions = Table(
    "order_actions",
    metadata,
    Column("key", String(64), primary_key=True),
    # reorder | replace
    Column("action", String(20), nullable=False),
    # The rules table's action (change-address, change-shipping-method, reorder).
    Column("slug", String(40)),
    Column("order_id", String(100), nullable=False, index=True),
    Column("order_reference", String(200)),
    Column("actor", String(100), nullable=False),
    # running | done | failed (Gelato refused: nothing placed) | uncertain (unconfirmed attempt)
    Column("state", String(20), nullable=False),
    # "" | cancel_sent | original_canceled
    Column("step", String(40), nullable=False, default=""),
    # What to place: the address as Gelato's JSON, and the shipping method.
    Column("shipping_address", Text),
    Column("shipment_method_uid", String(100)),
    Column("shipment_method_name", String(200)),
    Column("result_order_id", String(100)),
    Column("result_reference", String(200)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Support requests to Gelato, saved on every change so that nothing typed or uploaded is lost.
# ``fields`` is the form as JSON (answers, order numbers Gelato confirmed, redaction findings);
# ``status`` is draft | prepared | downloaded | sending | sent | unconfirmed.
request_drafts = Table(
    "request_drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario", String(60), nullable=False),
    Column("agent", String(100), nullable=False, index=True),
    Column("fields", Text, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Set when an agent moves an old request off the list; the list hides archived ones.
    Column("archived_at", DateTime(timezone=True)),
)

# The files of a request, kept in the database (not on a disk of one host) so that every process
# serves them. ``role`` is the requirement they answer (photos of the item, a log file...).
request_attachments = Table(
    "request_attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "draft_id",
        Integer,
        ForeignKey("request_drafts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("role", String(60), nullable=False),
    # The name it goes by everywhere (the form, the preview, the email): what it shows.
    Column("filename", String(200), nullable=False),
    # The name the agent's computer gave it, so they recognise their own file.
    Column("original_filename", String(200), nullable=False, server_default=""),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Personal API tokens. Only a keyed hash of each token is kept (``portal.api.tokens``): the
# token itself is shown once, when it is made, and is nowhere to be read afterwards.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("agent_id", Integer, ForeignKey("agents.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    # read | act
    Column("scope", String(10), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
)

# Calls per token and minute, for the API's rate limit. In the database rather than in memory, so
# that every process counts the same calls; a token keeps only its current minute's row.
api_call_counts = Table(
    "api_call_counts",
    metadata,
    Column("token_id", Integer, ForeignKey("api_tokens.id"), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("calls", Integer, nullable=False),
)

# Gelato's webhook events, each stored once: ``event_id`` is Gelato's own id, which its retries
# repeat. ``id`` counts arrivals. ``occurred_at`` is when the change happened, and ``dated_by``
# says how that is known: the event's ``created``, the item events of the same status, or its
# arrival (assumption A25). ``payload`` is the event as received, JSON.
order_events = Table(
    "order_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(200), nullable=False, unique=True),
    Column("event", String(100), nullable=False),
    Column("order_id", String(200), nullable=False, index=True),
    Column("order_reference", String(200)),
    Column("item_reference", String(200)),
    Column("status", String(200)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("dated_by", String(20), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),
)

# What the events (and the portal's own lookups) say about each order now: its status and its
# delivery estimate, each with the moment it was true, so that an older event arriving late
# changes neither. One row per Gelato order id, known or not to the portal yet.
order_states = Table(
    "order_states",
    metadata,
    Column("order_id", String(200), primary_key=True),
    Column("order_reference", String(200), index=True),
    Column("status", String(200)),
    Column("status_at", DateTime(timezone=True)),
    Column("status_comment", Text),
    Column("min_delivery_date", Date),
    Column("max_delivery_date", Date, index=True),
    Column("estimate_at", DateTime(timezone=True)),
    Column("first_event_at", DateTime(timezone=True)),
    Column("looked_up_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The "needs attention" queue: one entry per order and reason (``kind``), open until an agent marks
# it handled. ``open_key`` is ``order_id:kind`` while the entry is not handled and NULL after, so
# the unique index allows one open entry per order and reason, however many processes receive.
attention_entries = Table(
    "attention_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", String(200), nullable=False, index=True),
    Column("order_reference", String(200)),
    Column("kind", String(20), nullable=False),
    Column("reason", Text, nullable=False),
    #: When what it reports happened (the event's time; for a late order, its latest date).
    Column("since", DateTime(timezone=True), nullable=False),
    #: The latest delivery date it is about (late, estimate moved later); NULL otherwise.
    Column("due_date", Date),
    Column("open_key", String(230), unique=True),
    # open | taken | handled
    Column("state", String(20), nullable=False, index=True),
    Column("taken_by", String(100)),
    Column("taken_at", DateTime(timezone=True)),
    Column("handled_by", String(100)),
    Column("handled_at", DateTime(timezone=True)),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Requests counted per subject ("feedback:ADDRESS") in fixed windows, kept for the current window
# only. In the database rather than in memory, so every process counts against the same limit.
rate_limits = Table(
    "rate_limits",
    metadata,
    Column("subject", String(200), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("hits", Integer, nullable=False),
    Index("ix_rate_limits_window_start", "window_start"),
)

# The answers of API calls sent with an Idempotency-Key, per token: a call sent again with the
# same key gets the first answer instead of acting twice (``portal.api.idempotency``). In the
# database rather than in memory, so a retry that reaches another process is recognised too.
api_idempotency_keys = Table(
    "api_idempotency_keys",
    metadata,
    Column("token_id", Integer, ForeignKey("api_tokens.id"), primary_key=True),
    Column("key", String(255), primary_key=True),
    # SHA-256 of the method, the path and the validated inputs of the first call.
    Column("fingerprint", String(64), nullable=False),
    # running | done (the answer is kept) | retry (it failed upstream: the same call may retry)
    Column("state", String(20), nullable=False),
    # Counts the attempts, so that of two retries taking the key at once only one wins.
    Column("attempt", Integer, nullable=False),
    Column("status", Integer),
    Column("media_type", String(100)),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
