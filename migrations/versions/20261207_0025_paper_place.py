"""Where owners hand in a paper ballot: a setting of the meeting, printed on the voters' letters (issue 19 item 5)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("meetings", sa.Column("paper_place", sa.String(length=80), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("paper_place")
