"""Order actions remember what they place and who they are for, so any process can finish one.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("slug", sa.String(40)),
    ("order_reference", sa.String(200)),
    ("shipping_address", sa.Text),
    ("shipment_method_uid", sa.String(100)),
    ("shipment_method_name", sa.String(200)),
    ("result_reference", sa.String(200)),
)


def upgrade():
    with op.batch_alter_table("order_actions") as table:
        for name, kind in _COLUMNS:
            table.add_column(sa.Column(name, kind))
        table.create_index("ix_order_actions_order_id", ["order_id"])


def downgrade():
    with op.batch_alter_table("order_actions") as table:
        table.drop_index("ix_order_actions_order_id")
        for name, _kind in reversed(_COLUMNS):
            table.drop_column(name)
