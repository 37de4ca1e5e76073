"""The pool of pre-built tenant schemas that makes onboarding a rename.

Revision ID: p0003
Revises: p0002
"""

import sqlalchemy as sa
from alembic import op

revision = "p0003"
down_revision = "p0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_pool",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_schema_pool")),
        schema="public",
    )


def downgrade() -> None:
    op.drop_table("schema_pool", schema="public")
