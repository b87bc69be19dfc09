"""owner roll: versions published and frozen, imports, objections

Existing versions get source "import", an empty fingerprint and an empty diff (server defaults), so the
upgrade works on a database that already holds rolls.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 14:16:58.615999

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "roll_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_data", sa.LargeBinary(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("roll_version_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_roll_imports_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_roll_imports_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["roll_version_id"],
            ["roll_versions.id"],
            name=op.f("fk_roll_imports_roll_version_id_roll_versions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_imports")),
    )
    with op.batch_alter_table("roll_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_imports_community_id"), ["community_id"], unique=False)

    op.create_table(
        "roll_objections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roll_version_id", sa.Integer(), nullable=False),
        sa.Column("unit_label", sa.String(length=100), nullable=False),
        sa.Column("objector_name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("correction_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"], ["users.id"], name=op.f("fk_roll_objections_answered_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["correction_version_id"],
            ["roll_versions.id"],
            name=op.f("fk_roll_objections_correction_version_id_roll_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_roll_objections_recorded_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["roll_version_id"], ["roll_versions.id"], name=op.f("fk_roll_objections_roll_version_id_roll_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_objections")),
    )
    with op.batch_alter_table("roll_objections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_objections_roll_version_id"), ["roll_version_id"], unique=False)

    with op.batch_alter_table("roll_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="import"))
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("diff", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column("notice_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("notice_starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("notice_ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("frozen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("frozen_by_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_roll_versions_notice_token"), ["notice_token"])
        batch_op.create_foreign_key(
            batch_op.f("fk_roll_versions_published_by_id_users"),
            "users",
            ["published_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_roll_versions_frozen_by_id_users"), "users", ["frozen_by_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():

    with op.batch_alter_table("roll_versions", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_roll_versions_frozen_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_roll_versions_published_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_roll_versions_notice_token"), type_="unique")
        batch_op.drop_column("frozen_by_id")
        batch_op.drop_column("frozen_at")
        batch_op.drop_column("published_by_id")
        batch_op.drop_column("published_at")
        batch_op.drop_column("notice_ends_on")
        batch_op.drop_column("notice_starts_on")
        batch_op.drop_column("notice_token")
        batch_op.drop_column("diff")
        batch_op.drop_column("fingerprint")
        batch_op.drop_column("source")

    with op.batch_alter_table("roll_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_objections_roll_version_id"))

    op.drop_table("roll_objections")
    with op.batch_alter_table("roll_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_imports_community_id"))

    op.drop_table("roll_imports")
