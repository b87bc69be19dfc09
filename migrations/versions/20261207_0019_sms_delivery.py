"""Text messages: the per-number limit's keyed hash and the provider's delivery status

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    # existing rows were all kept by the console outbox: "kept", without hash, provider id or report
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phone_lookup", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("phone_cipher", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=12), server_default="kept", nullable=False))
        batch_op.add_column(sa.Column("provider_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("status_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("status_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_sms_messages_phone_lookup"), ["phone_lookup"], unique=False)


def downgrade():
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_messages_phone_lookup"))
        batch_op.drop_column("status_at")
        batch_op.drop_column("status_code")
        batch_op.drop_column("provider_id")
        batch_op.drop_column("status")
        batch_op.drop_column("phone_cipher")
        batch_op.drop_column("phone_lookup")
