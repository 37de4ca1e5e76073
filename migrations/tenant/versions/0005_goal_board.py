"""The goals board: periods whose approved unit goals are shown to everyone (公示).

Revision ID: t0005
Revises: t0004
"""

import sqlalchemy as sa
from alembic import op

revision = "t0005"
down_revision = "t0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goal_board",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_goal_board")),
        schema="tenant",
    )


def downgrade() -> None:
    op.drop_table("goal_board", schema="tenant")
