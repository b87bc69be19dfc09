"""an election's part when members and alternates are elected on separate lists, the list a candidate stands on,
what a run-off decides, and the election rules' tie rule

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
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stands_for", sa.String(length=10), nullable=True))
    with op.batch_alter_table("meeting_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tie_rule", sa.String(length=8), server_default="runoff", nullable=False))


def downgrade():
    with op.batch_alter_table("meeting_plans", schema=None) as batch_op:
        batch_op.drop_column("tie_rule")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("stands_for")
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.drop_column("runoff")
        batch_op.drop_column("list_part")
