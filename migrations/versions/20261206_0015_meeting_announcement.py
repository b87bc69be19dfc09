"""meeting announcement: the day, the announced content's SHA-256 and its notice; a committee's election day; the township's
confirmation of a group without a residents' committee member

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 16:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("announcement_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("announcement_notice_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_meetings_announcement_notice_id_notices"),
            "notices",
            ["announcement_notice_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("governing_bodies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("elected_on", sa.Date(), nullable=True))
    with op.batch_alter_table("preparatory_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("composition_confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("preparatory_groups", schema=None) as batch_op:
        batch_op.drop_column("composition_confirmed_at")
    with op.batch_alter_table("governing_bodies", schema=None) as batch_op:
        batch_op.drop_column("elected_on")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_meetings_announcement_notice_id_notices"), type_="foreignkey")
        batch_op.drop_column("announcement_notice_id")
        batch_op.drop_column("announcement_sha256")
        batch_op.drop_column("announced_on")
