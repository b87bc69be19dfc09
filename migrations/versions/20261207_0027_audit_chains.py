"""One audit hash chain per community (issue 21 item 3): an event's chain (its community, or 0 for the platform's
events) and its place in it; the heads of all chains anchored in each verification (a Merkle root); on PostgreSQL a
sequence numbers the events, so that no lock is shared by every community

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 12:10:00

Events written before this revision keep their one chain (``chain`` NULL), verified as before by ``seq``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_events", sa.Column("chain", sa.Integer(), nullable=True))
    op.add_column("audit_events", sa.Column("chain_seq", sa.Integer(), nullable=True))
    with op.batch_alter_table("audit_events") as batch:
        batch.create_unique_constraint("uq_audit_events_chain_chain_seq", ["chain", "chain_seq"])
    op.add_column("audit_chain_checks", sa.Column("heads", sa.JSON(), nullable=True))
    op.add_column("audit_chain_checks", sa.Column("root", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        start = (bind.execute(sa.text("SELECT max(seq) FROM audit_events")).scalar() or 0) + 1
        op.execute(sa.text(f"CREATE SEQUENCE audit_event_seq START WITH {int(start)}"))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text("DROP SEQUENCE audit_event_seq"))
    with op.batch_alter_table("audit_chain_checks") as batch:
        batch.drop_column("root")
        batch.drop_column("heads")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_constraint("uq_audit_events_chain_chain_seq", type_="unique")
        batch.drop_column("chain_seq")
        batch.drop_column("chain")
