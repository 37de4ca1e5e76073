"""Sessions that can be ended: a per-user session version that logins carry.

Revision ID: t0006
Revises: t0005
"""

import sqlalchemy as sa
from alembic import op

revision = "t0006"
down_revision = "t0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "user_account",
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
        schema="tenant",
    )


def downgrade() -> None:
    op.drop_column("user_account", "session_version", schema="tenant")
