"""Background jobs that finish or fail: a heartbeat on every batch, import and count, and why one failed
(issue 18 item 1)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

WITH_FAILURE = ("letter_batches", "roll_imports", "reminder_batches")


def upgrade():
    for table in (*WITH_FAILURE, "count_runs"):
        op.add_column(table, sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    for table in WITH_FAILURE:
        op.add_column(table, sa.Column("failure", sa.String(length=16), nullable=True))
    # an import that ended kept its file until now when it crashed: the file holds names and ID numbers in clear
    op.execute("UPDATE roll_imports SET file_data = NULL WHERE status IN ('done', 'failed')")


def downgrade():
    for table in (*WITH_FAILURE, "count_runs"):
        with op.batch_alter_table(table) as batch:
            if table in WITH_FAILURE:
                batch.drop_column("failure")
            batch.drop_column("heartbeat_at")
