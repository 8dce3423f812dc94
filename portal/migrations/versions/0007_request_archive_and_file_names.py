"""Requests can be archived; a request's files keep the name the agent's computer gave them.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("request_drafts") as table:
        table.add_column(sa.Column("archived_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("request_attachments") as table:
        table.add_column(
            sa.Column("original_filename", sa.String(200), nullable=False, server_default="")
        )
    # Files stored before kept one name only: it was the name they were sent with.
    op.execute("UPDATE request_attachments SET original_filename = filename")


def downgrade():
    with op.batch_alter_table("request_attachments") as table:
        table.drop_column("original_filename")
    with op.batch_alter_table("request_drafts") as table:
        table.drop_column("archived_at")
