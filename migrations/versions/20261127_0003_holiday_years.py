"""holiday years added by administrators

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 15:04:22.867677

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "holiday_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_holiday_years_added_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_holiday_years")),
    )


def downgrade():

    op.drop_table("holiday_years")
