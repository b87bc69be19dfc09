"""bodies act through their own accounts: a body member's grant, the convening body of a later meeting, candidates
nominated for a later meeting's election, the public record of Shaoxing Arts 21 ¶3 and 23; a candidate's birth date,
guardianship and 党代表, and the rule of procedure on arrears

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 19:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

OLD_SCOPE = (
    "(role = 'admin' AND township_id IS NULL AND community_id IS NULL)"
    " OR (role = 'township_official' AND township_id IS NOT NULL AND community_id IS NULL)"
    " OR (role = 'group_member' AND community_id IS NOT NULL AND group_role IS NOT NULL)"
    " OR (role = 'teller' AND community_id IS NOT NULL)"
    " OR (role = 'observer' AND township_id IS NOT NULL)"
)
NEW_SCOPE = (
    OLD_SCOPE
    + " OR (role = 'body_member' AND community_id IS NOT NULL AND body_id IS NOT NULL AND group_role IS NOT NULL)"
)


def upgrade():
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_role_grants_body_id"), ["body_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_role_grants_body_id_governing_bodies"), "governing_bodies", ["body_id"], ["id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_role_grants_scope_matches_role"), type_="check")
        batch_op.create_check_constraint("scope_matches_role", sa.text(NEW_SCOPE))
    with op.batch_alter_table("governing_bodies", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=10), type_=sa.String(length=20))
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lockouts", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=32), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_meetings_body_id_governing_bodies", "governing_bodies", ["body_id"], ["id"], ondelete="SET NULL"
        )
    for table in ("candidates", "candidate_list_reviews"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=True)
            batch_op.add_column(sa.Column("meeting_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_meeting_id"), ["meeting_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_meeting_id_meetings"), "meetings", ["meeting_id"], ["id"], ondelete="CASCADE"
            )
    with op.batch_alter_table("meeting_plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("arrears_bar", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("birth_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("under_guardianship", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("party_congress_deputy", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_token", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_communities_public_token"), ["public_token"])
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("replaced", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"], ["governing_bodies.id"], name=op.f("fk_publications_body_id_governing_bodies")
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_publications_community_id_communities")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_publications_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["publications.id"], name=op.f("fk_publications_replaces_id_publications")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_body_id"), ["body_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_publications_community_id"), ["community_id"], unique=False)


def downgrade():
    op.drop_table("publications")
    with op.batch_alter_table("candidates", schema=None) as batch_op:
        batch_op.drop_column("party_congress_deputy")
        batch_op.drop_column("under_guardianship")
        batch_op.drop_column("birth_date")
    with op.batch_alter_table("meeting_plans", schema=None) as batch_op:
        batch_op.drop_column("arrears_bar")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_communities_public_token"), type_="unique")
        batch_op.drop_column("public_token")
    for table in ("candidate_list_reviews", "candidates"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_meeting_id_meetings"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_meeting_id"))
            batch_op.drop_column("meeting_id")
            batch_op.alter_column("group_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_meetings_body_id_governing_bodies", type_="foreignkey")
        batch_op.drop_column("body_id")
        batch_op.drop_column("contact_phone")
    with op.batch_alter_table("credentials", schema=None) as batch_op:
        batch_op.drop_column("lockouts")
    op.execute("DELETE FROM governing_bodies WHERE kind = 're_election_group'")
    with op.batch_alter_table("governing_bodies", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=20), type_=sa.String(length=10))
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_role_grants_scope_matches_role"), type_="check")
        batch_op.create_check_constraint("scope_matches_role", sa.text(OLD_SCOPE))
        batch_op.drop_constraint(batch_op.f("fk_role_grants_body_id_governing_bodies"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_role_grants_body_id"))
        batch_op.drop_column("body_id")
