"""The roll notice's PDF, made in the background and kept (issue 21 item 6)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 16:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "roll_notice_pdfs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "roll_version_id", sa.Integer(), sa.ForeignKey("roll_versions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("superseded_by_id", sa.Integer(), sa.ForeignKey("roll_versions.id", ondelete="CASCADE")),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("pdf", sa.LargeBinary()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True)),
        sa.Column("failure", sa.String(length=16)),
    )
    op.create_index("ix_roll_notice_pdfs_roll_version_id", "roll_notice_pdfs", ["roll_version_id"])


def downgrade():
    op.drop_index("ix_roll_notice_pdfs_roll_version_id", table_name="roll_notice_pdfs")
    op.drop_table("roll_notice_pdfs")
