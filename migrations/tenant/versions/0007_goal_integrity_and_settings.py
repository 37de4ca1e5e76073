"""Goal integrity: actuals corrected or withdrawn instead of overwritten, cascaded goals to
complete, who drafted and who submitted a goal (the four-eyes rule); and the tenant's own
settings.

Revision ID: t0007
Revises: t0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0007"
down_revision = "t0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "goal",
        sa.Column("to_complete", sa.Boolean(), nullable=False, server_default=sa.false()),
        schema="tenant",
    )
    op.alter_column("goal", "to_complete", server_default=None, schema="tenant")
    op.add_column("goal", sa.Column("drafted_by", sa.Integer(), nullable=True), schema="tenant")
    op.add_column("goal", sa.Column("submitted_by", sa.Integer(), nullable=True), schema="tenant")
    # Goals drafted before: their creator drafted them.
    # Goals drafted before: their creator drafted them (raw SQL runs on the tenant's
    # search_path, see migrations/README.md).
    op.execute("update goal set drafted_by = created_by")

    op.add_column(
        "goal_actual",
        sa.Column("status", sa.String(length=10), nullable=False, server_default="current"),
        schema="tenant",
    )
    op.alter_column("goal_actual", "status", server_default=None, schema="tenant")
    op.add_column(
        "goal_actual", sa.Column("replaces_id", sa.Integer(), nullable=True), schema="tenant"
    )
    op.add_column(
        "goal_actual",
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        schema="tenant",
    )
    op.add_column(
        "goal_actual", sa.Column("ended_by", sa.Integer(), nullable=True), schema="tenant"
    )
    op.add_column(
        "goal_actual",
        sa.Column("end_reason", sa.String(length=1000), nullable=True),
        schema="tenant",
    )
    op.create_foreign_key(
        op.f("fk_goal_actual_replaces_id_goal_actual"),
        "goal_actual",
        "goal_actual",
        ["replaces_id"],
        ["id"],
        source_schema="tenant",
        referent_schema="tenant",
        ondelete="CASCADE",
    )
    op.create_check_constraint(
        op.f("ck_goal_actual_known_status"),
        "goal_actual",
        "status in ('current', 'superseded', 'withdrawn')",
        schema="tenant",
    )
    op.create_check_constraint(
        op.f("ck_goal_actual_ended"),
        "goal_actual",
        "(status = 'current') = (ended_at is null and end_reason is null)",
        schema="tenant",
    )

    op.create_table(
        "tenant_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_tenant_setting")),
        schema="tenant",
    )


def downgrade() -> None:
    op.drop_table("tenant_setting", schema="tenant")
    op.drop_constraint(op.f("ck_goal_actual_ended"), "goal_actual", schema="tenant")
    op.drop_constraint(op.f("ck_goal_actual_known_status"), "goal_actual", schema="tenant")
    op.drop_constraint(
        op.f("fk_goal_actual_replaces_id_goal_actual"), "goal_actual", schema="tenant"
    )
    for column in ("end_reason", "ended_by", "ended_at", "replaces_id", "status"):
        op.drop_column("goal_actual", column, schema="tenant")
    for column in ("submitted_by", "drafted_by", "to_complete"):
        op.drop_column("goal", column, schema="tenant")
