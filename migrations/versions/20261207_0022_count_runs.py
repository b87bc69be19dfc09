"""The count in the background: its runs and their chunks (issue 17 item 4)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 04:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "count_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("ballot_count", sa.Integer(), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("result_id", sa.Integer(), nullable=True),
        sa.Column("failure", sa.String(length=200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_count_runs_meeting_id_meetings", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["result_id"], ["results.id"], name="fk_count_runs_result_id_results", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_count_runs_created_by_id_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_count_runs"),
    )
    op.create_index("ix_count_runs_meeting_id", "count_runs", ["meeting_id"], unique=False)
    op.create_table(
        "count_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Text(), nullable=False),
        sa.Column("totals", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["count_runs.id"], name="fk_count_chunks_run_id_count_runs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_count_chunks"),
        sa.UniqueConstraint("run_id", "position", name=op.f("uq_count_chunks_run_id_position")),
    )
    op.create_index("ix_count_chunks_run_id", "count_chunks", ["run_id"], unique=False)


def downgrade():
    op.drop_index("ix_count_chunks_run_id", table_name="count_chunks")
    op.drop_table("count_chunks")
    op.drop_index("ix_count_runs_meeting_id", table_name="count_runs")
    op.drop_table("count_runs")
