"""Agents have a display name, which signs the requests they send.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("agents") as table:
        table.add_column(sa.Column("display_name", sa.String(100)))


def downgrade():
    with op.batch_alter_table("agents") as table:
        table.drop_column("display_name")
