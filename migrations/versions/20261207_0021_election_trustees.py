"""The trustees of a meeting's election key (issue 17 item 3)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 02:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "election_trustees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("secret_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_election_trustees_meeting_id_meetings", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_election_trustees"),
    )
    op.create_index("ix_election_trustees_meeting_id", "election_trustees", ["meeting_id"], unique=False)


def downgrade():
    op.drop_index("ix_election_trustees_meeting_id", table_name="election_trustees")
    op.drop_table("election_trustees")
