"""foundation: accounts, townships, communities, roll, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-27 13:17:25.581353

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "audit_chain_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_ok", sa.Boolean(), nullable=False),
        sa.Column("links_checked", sa.Integer(), nullable=False),
        sa.Column("first_broken_seq", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("triggered_by", sa.String(length=64), nullable=False),
        sa.Column("head_seq", sa.Integer(), nullable=True),
        sa.Column("head_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_checks")),
    )
    op.create_table(
        "townships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("admin_code", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_townships")),
        sa.UniqueConstraint("admin_code", name=op.f("uq_townships_admin_code")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("session_token", name=op.f("uq_users_session_token")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=64), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=True),
        sa.Column("township_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_audit_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_events_seq")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_actor_user_id"), ["actor_user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_township_id"), ["township_id"], unique=False)

    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("developer_name", sa.String(length=200), nullable=False),
        sa.Column("total_floor_area_centi", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total_floor_area_centi >= 0", name=op.f("ck_communities_area_not_negative")),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], name=op.f("fk_communities_township_id_townships")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_communities")),
    )
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_communities_township_id"), ["township_id"], unique=False)

    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=True),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("group_role", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'admin' AND township_id IS NULL AND community_id IS NULL) OR (role = 'township_official' AND township_id IS NOT NULL AND community_id IS NULL) OR (role = 'group_member' AND community_id IS NOT NULL AND group_role IS NOT NULL) OR (role = 'teller' AND community_id IS NOT NULL) OR (role = 'observer' AND township_id IS NOT NULL)",
            name=op.f("ck_role_grants_scope_matches_role"),
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_role_grants_community_id_communities")
        ),
        sa.ForeignKeyConstraint(["township_id"], ["townships.id"], name=op.f("fk_role_grants_township_id_townships")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_role_grants_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_grants")),
    )
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_grants_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_grants_township_id"), ["township_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_grants_user_id"), ["user_id"], unique=False)

    op.create_table(
        "roll_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_roll_versions_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_roll_versions_community_id_communities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_versions")),
        sa.UniqueConstraint("community_id", "number", name=op.f("uq_roll_versions_community_id_number")),
    )
    with op.batch_alter_table("roll_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_versions_community_id"), ["community_id"], unique=False)

    op.create_table(
        "roll_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roll_version_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=32), nullable=False),
        sa.Column("entrance", sa.String(length=32), nullable=False),
        sa.Column("room", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("area_centi", sa.BigInteger(), nullable=False),
        sa.Column("area_source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint("area_centi > 0", name=op.f("ck_roll_units_area_positive")),
        sa.ForeignKeyConstraint(
            ["roll_version_id"],
            ["roll_versions.id"],
            name=op.f("fk_roll_units_roll_version_id_roll_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_units")),
        sa.UniqueConstraint(
            "roll_version_id",
            "building",
            "entrance",
            "room",
            name=op.f("uq_roll_units_roll_version_id_building_entrance_room"),
        ),
    )
    with op.batch_alter_table("roll_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_units_roll_version_id"), ["roll_version_id"], unique=False)

    op.create_table(
        "roll_owners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roll_unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("id_number_cipher", sa.LargeBinary(), nullable=False),
        sa.Column("id_number_lookup", sa.String(length=64), nullable=False),
        sa.Column("phone_cipher", sa.LargeBinary(), nullable=True),
        sa.Column("is_representative", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["roll_unit_id"],
            ["roll_units.id"],
            name=op.f("fk_roll_owners_roll_unit_id_roll_units"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roll_owners")),
    )
    with op.batch_alter_table("roll_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roll_owners_id_number_lookup"), ["id_number_lookup"], unique=False)
        batch_op.create_index(batch_op.f("ix_roll_owners_roll_unit_id"), ["roll_unit_id"], unique=False)


def downgrade():

    with op.batch_alter_table("roll_owners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_owners_roll_unit_id"))
        batch_op.drop_index(batch_op.f("ix_roll_owners_id_number_lookup"))

    op.drop_table("roll_owners")
    with op.batch_alter_table("roll_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_units_roll_version_id"))

    op.drop_table("roll_units")
    with op.batch_alter_table("roll_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roll_versions_community_id"))

    op.drop_table("roll_versions")
    with op.batch_alter_table("role_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_grants_user_id"))
        batch_op.drop_index(batch_op.f("ix_role_grants_township_id"))
        batch_op.drop_index(batch_op.f("ix_role_grants_community_id"))

    op.drop_table("role_grants")
    with op.batch_alter_table("communities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_communities_township_id"))

    op.drop_table("communities")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_township_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_community_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_actor_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_action"))

    op.drop_table("audit_events")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("townships")
    op.drop_table("audit_chain_checks")
