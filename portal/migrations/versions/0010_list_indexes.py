"""Indexes that keep the audit log's and the feedback's list pages as fast at a million rows as
at ten thousand.

The audit log is listed newest first by (at, id), so each filter's index ends with those two
columns: a page of a filter is a page of its index. Only indexes change, so SQLite keeps the table
(and the append-only triggers of 0002) as it is.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_FILTERS = ("actor", "action", "outcome", "order_id", "order_reference")
_SINGLE = ("at", "actor", "action", "order_id", "order_reference")  # made by 0002


def upgrade():
    for column in _SINGLE:
        op.drop_index(f"ix_audit_log_{column}", "audit_log")
    op.create_index("ix_audit_log_at_id", "audit_log", ["at", "id"])
    for column in _FILTERS:
        op.create_index(f"ix_audit_log_{column}_at_id", "audit_log", [column, "at", "id"])
    op.create_index("ix_page_feedback_page_id", "page_feedback", ["page", "id"])
    op.create_index("ix_page_feedback_helpful_id", "page_feedback", ["helpful", "id"])
    op.create_index("ix_page_feedback_page_helpful_id", "page_feedback", ["page", "helpful", "id"])


def downgrade():
    for name in ("page_helpful_id", "helpful_id", "page_id"):
        op.drop_index(f"ix_page_feedback_{name}", "page_feedback")
    for column in _FILTERS:
        op.drop_index(f"ix_audit_log_{column}_at_id", "audit_log")
    op.drop_index("ix_audit_log_at_id", "audit_log")
    for column in _SINGLE:
        op.create_index(f"ix_audit_log_{column}", "audit_log", [column])
