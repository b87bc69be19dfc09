"""an election's part when members and alternates are elected on separate lists, the list a candidate stands on,
what a run-off decides, and the election rules' tie rule; every kind of owner on the roll (document type,
nationality, an organisation's representative) and the document behind a voter's second factor

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
    with op.batch_alter_table("roll_owners", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_type", sa.String(length=24), server_default="resident_id", nullable=False))
        batch_op.add_column(sa.Column("nationality", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(sa.Column("agent_name", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("agent_id_cipher", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("agent_phone_cipher", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("meeting_voters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder_document", sa.String(length=24), nullable=True))


def downgrade():
    with op.batch_alter_table("meeting_voters", schema=None) as batch_op:
        batch_op.drop_column("holder_document")
    with op.batch_alter_table("roll_owners", schema=None) as batch_op:
        for column in ("agent_phone_cipher", "agent_id_cipher", "agent_name", "nationality", "id_type"):
            batch_op.drop_column(column)
    with op.batch_alter_table("meeting_plans", schema=None) as batch_op:
        batch_op.drop_column("tie_rule")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("stands_for")
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.drop_column("runoff")
        batch_op.drop_column("list_part")
