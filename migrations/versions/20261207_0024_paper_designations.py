"""Paper entry that cannot get stuck: the account the convener names to make the next entry of a paper ballot whose
entries differ (issue 19 item 2)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "paper_designations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("meeting_voter_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("designated_by_id", sa.Integer(), nullable=True),
        sa.Column("designated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_paper_designations_meeting_id_meetings", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["meeting_voter_id"],
            ["meeting_voters.id"],
            name="fk_paper_designations_meeting_voter_id_meeting_voters",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_paper_designations_user_id_users"),
        sa.ForeignKeyConstraint(
            ["designated_by_id"],
            ["users.id"],
            name="fk_paper_designations_designated_by_id_users",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["paper_entries.id"], name="fk_paper_designations_entry_id_paper_entries", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_paper_designations"),
        sa.UniqueConstraint("meeting_voter_id", name=op.f("uq_paper_designations_meeting_voter_id")),
    )
    op.create_index("ix_paper_designations_meeting_id", "paper_designations", ["meeting_id"], unique=False)


def downgrade():
    op.drop_index("ix_paper_designations_meeting_id", table_name="paper_designations")
    op.drop_table("paper_designations")
