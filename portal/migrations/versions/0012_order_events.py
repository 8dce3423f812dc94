"""Gelato's webhook events, what they say about each order now, and the "needs attention" queue.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "order_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(200), nullable=False, unique=True),
        sa.Column("event", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(200), nullable=False, index=True),
        sa.Column("order_reference", sa.String(200)),
        sa.Column("item_reference", sa.String(200)),
        sa.Column("status", sa.String(200)),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dated_by", sa.String(20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_table(
        "order_states",
        sa.Column("order_id", sa.String(200), primary_key=True),
        sa.Column("order_reference", sa.String(200), index=True),
        sa.Column("status", sa.String(200)),
        sa.Column("status_at", sa.DateTime(timezone=True)),
        sa.Column("status_comment", sa.Text),
        sa.Column("min_delivery_date", sa.Date),
        sa.Column("max_delivery_date", sa.Date, index=True),
        sa.Column("estimate_at", sa.DateTime(timezone=True)),
        sa.Column("first_event_at", sa.DateTime(timezone=True)),
        sa.Column("looked_up_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "attention_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.String(200), nullable=False, index=True),
        sa.Column("order_reference", sa.String(200)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date),
        sa.Column("open_key", sa.String(230), unique=True),
        sa.Column("state", sa.String(20), nullable=False, index=True),
        sa.Column("taken_by", sa.String(100)),
        sa.Column("taken_at", sa.DateTime(timezone=True)),
        sa.Column("handled_by", sa.String(100)),
        sa.Column("handled_at", sa.DateTime(timezone=True)),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("attention_entries")
    op.drop_table("order_states")
    op.drop_table("order_events")
