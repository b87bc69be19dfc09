"""Pseudonyms per meeting, the credential behind each ballot, proxies confirmed by the owner, staff phones
(issue 16 items 1 and 2)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 01:00:00

Proxies recorded before this revision that have voted or hold a link already are marked confirmed
"before_confirmation" (a link in a proxy's hands keeps working); a proxy with no link yet waits for the owner's
confirmation like a new one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("roll_root", sa.String(length=64), nullable=True))
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credential_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_ballots_credential_id_credentials", "credentials", ["credential_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("proxies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed_via", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("confirm_code_lookup", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("confirm_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("confirm_failures", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_foreign_key(
            "fk_proxies_confirmed_by_id_users", "users", ["confirmed_by_id"], ["id"], ondelete="SET NULL"
        )
    op.execute(
        "UPDATE proxies SET confirmed_via = 'before_confirmation', confirmed_at = recorded_at "
        "WHERE confirmed_at IS NULL AND (status = 'used' "
        "OR id IN (SELECT proxy_id FROM credentials WHERE proxy_id IS NOT NULL))"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_lookup", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_users_phone_lookup", ["phone_lookup"], unique=False)


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_phone_lookup")
        batch_op.drop_column("phone_lookup")
    with op.batch_alter_table("proxies", schema=None) as batch_op:
        batch_op.drop_constraint("fk_proxies_confirmed_by_id_users", type_="foreignkey")
        for column in (
            "confirm_failures",
            "confirm_expires_at",
            "confirm_code_lookup",
            "confirmed_by_id",
            "confirmed_at",
            "confirmed_via",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_constraint("fk_ballots_credential_id_credentials", type_="foreignkey")
        batch_op.drop_column("credential_id")
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("roll_root")
