"""an election's part when members and alternates are elected on separate lists, and what a run-off decides

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 22:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("list_part", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("runoff", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.drop_column("runoff")
        batch_op.drop_column("list_part")
