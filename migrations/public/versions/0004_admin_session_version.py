"""Platform admin sessions that can be ended: a per-admin session version that logins carry.

Revision ID: p0004
Revises: p0003
"""

import sqlalchemy as sa
from alembic import op

revision = "p0004"
down_revision = "p0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "platform_admin",
        sa.Column("session_version", sa.Integer(), server_default="0", nullable=False),
        schema="public",
    )


def downgrade() -> None:
    op.drop_column("platform_admin", "session_version", schema="public")
