"""Owners on their own phones (issue 20): the roll's look-up of each owner's mobile number, owners' sign-in codes and
sessions, objections filed by owners (with a photo), petitions (联名) and their signatures; an SMS row may belong to
no meeting (a sign-in code)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 11:40:00

The roll's phone look-ups are filled in for the rows that exist: each number is decrypted with the platform's data
key and hashed (app.privacy), which needs the application (flask db upgrade gives it); run without it, the rows stay
without a look-up and those owners cannot sign in by SMS until their roll is imported again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

OBJECTION_TABLES = ("roll_objections", "notice_objections", "result_objections")


def _fill_phone_lookups():
    try:
        from flask import current_app

        current_app.config["DATA_KEY"]
    except (ImportError, RuntimeError, KeyError):
        return
    from app.privacy import decrypt, phone_lookup

    bind = op.get_bind()
    owners = sa.table(
        "roll_owners",
        sa.column("id", sa.Integer),
        sa.column("phone_cipher", sa.LargeBinary),
        sa.column("agent_phone_cipher", sa.LargeBinary),
        sa.column("phone_lookup", sa.String),
    )
    rows = bind.execute(
        sa.select(owners.c.id, owners.c.phone_cipher, owners.c.agent_phone_cipher).where(
            sa.or_(owners.c.phone_cipher.is_not(None), owners.c.agent_phone_cipher.is_not(None))
        )
    ).all()
    cache = {}
    for row in rows:
        cipher = row.agent_phone_cipher or row.phone_cipher
        if cipher not in cache:
            cache[cipher] = phone_lookup(decrypt(cipher))
        bind.execute(owners.update().where(owners.c.id == row.id).values(phone_lookup=cache[cipher]))


def upgrade():
    op.add_column("roll_owners", sa.Column("phone_lookup", sa.String(length=64), nullable=True))
    op.create_index("ix_roll_owners_phone_lookup", "roll_owners", ["phone_lookup"])
    _fill_phone_lookups()
    with op.batch_alter_table("sms_messages") as batch:
        batch.alter_column("meeting_id", existing_type=sa.Integer(), nullable=True)
    for table in OBJECTION_TABLES:
        op.add_column(table, sa.Column("owner_lookup", sa.String(length=64), nullable=True))
        op.add_column(table, sa.Column("photo", sa.LargeBinary(), nullable=True))
        op.add_column(table, sa.Column("photo_type", sa.String(length=16), nullable=True))
        op.create_index(f"ix_{table}_owner_lookup", table, ["owner_lookup"])
    op.create_table(
        "owner_sign_in_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("phone_lookup", sa.String(length=64), nullable=False),
        sa.Column("code_lookup", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_owner_sign_in_codes_phone_lookup", "owner_sign_in_codes", ["phone_lookup"])
    op.create_table(
        "owner_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=False, unique=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("phone_lookup", sa.String(length=64), nullable=True),
        sa.Column("owner_lookups", sa.JSON(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_owner_sessions_phone_lookup", "owner_sessions", ["phone_lookup"])
    op.create_table(
        "petitions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("community_id", sa.Integer(), sa.ForeignKey("communities.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("drafter_lookup", sa.String(length=64), nullable=False),
        sa.Column("drafter_name", sa.String(length=64), nullable=False),
        sa.Column("roll_version_id", sa.Integer(), sa.ForeignKey("roll_versions.id"), nullable=False),
        sa.Column("total_heads", sa.Integer(), nullable=False),
        sa.Column("needed_heads", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reached_on", sa.Date(), nullable=True),
        sa.Column("body_id", sa.Integer(), sa.ForeignKey("governing_bodies.id", ondelete="SET NULL"), nullable=True),
        sa.Column("convene_by", sa.Date(), nullable=True),
        sa.Column(
            "convened_meeting_id", sa.Integer(), sa.ForeignKey("meetings.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("convened_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidates.id", ondelete="SET NULL"), nullable=True),
    )
    op.create_index("ix_petitions_community_id", "petitions", ["community_id"])
    op.create_index("ix_petitions_drafter_lookup", "petitions", ["drafter_lookup"])
    op.create_table(
        "petition_signatures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("petition_id", sa.Integer(), sa.ForeignKey("petitions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("owner_lookup", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("unit_labels", sa.String(length=200), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("petition_id", "owner_lookup"),
    )
    op.create_index("ix_petition_signatures_petition_id", "petition_signatures", ["petition_id"])


def downgrade():
    op.drop_table("petition_signatures")
    op.drop_table("petitions")
    op.drop_table("owner_sessions")
    op.drop_table("owner_sign_in_codes")
    for table in OBJECTION_TABLES:
        op.drop_index(f"ix_{table}_owner_lookup", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("photo_type")
            batch.drop_column("photo")
            batch.drop_column("owner_lookup")
    with op.batch_alter_table("sms_messages") as batch:
        batch.alter_column("meeting_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_roll_owners_phone_lookup", table_name="roll_owners")
    with op.batch_alter_table("roll_owners") as batch:
        batch.drop_column("phone_lookup")
