"""Indexes for filtering the platform audit log by time, actor and record.

Revision ID: p0002
Revises: p0001
"""

from alembic import op

revision = "p0002"
down_revision = "p0001"
branch_labels = None
depends_on = None

COLUMNS = ("actor", "at", "record_id", "record_type")


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(
            op.f(f"ix_platform_audit_entry_{column}"),
            "platform_audit_entry",
            [column],
            schema="public",
        )


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(
            op.f(f"ix_platform_audit_entry_{column}"), "platform_audit_entry", schema="public"
        )
