"""Goals cascaded from the company to people, and their recorded actuals.

Revision ID: t0004
Revises: t0003
"""

import sqlalchemy as sa
from alembic import op

revision = "t0004"
down_revision = "t0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("period_kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("weight", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("contribution", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("measure", sa.String(length=10), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=True),
        sa.Column("baseline", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("target", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("cap", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("review_comment", sa.String(length=1000), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(unit_id is null) <> (employee_id is null)", name=op.f("ck_goal_one_owner")
        ),
        sa.CheckConstraint(
            "status in ('draft', 'submitted', 'approved', 'returned')",
            name=op.f("ck_goal_known_status"),
        ),
        sa.CheckConstraint(
            "period_kind in ('year', 'half_year', 'quarter', 'month')",
            name=op.f("ck_goal_known_period"),
        ),
        sa.CheckConstraint(
            "measure in ('numeric', 'milestone')", name=op.f("ck_goal_known_measure")
        ),
        sa.CheckConstraint(
            "direction in ('higher', 'lower')", name=op.f("ck_goal_known_direction")
        ),
        sa.CheckConstraint(
            "parent_id is null or parent_id <> id", name=op.f("ck_goal_not_own_parent")
        ),
        sa.CheckConstraint("weight >= 0 and weight <= 100", name=op.f("ck_goal_weight_percent")),
        sa.CheckConstraint(
            "contribution is null or (contribution >= 0 and contribution <= 100)",
            name=op.f("ck_goal_contribution_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["tenant.employee.id"],
            name=op.f("fk_goal_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["tenant.goal.id"],
            name=op.f("fk_goal_parent_id_goal"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_goal_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
        schema="tenant",
    )
    op.create_index(op.f("ix_goal_parent_id"), "goal", ["parent_id"], schema="tenant")
    op.create_index(op.f("ix_goal_path"), "goal", ["path"], schema="tenant")
    op.create_index("ix_goal_period_unit", "goal", ["period", "unit_id"], schema="tenant")
    op.create_index("ix_goal_period_employee", "goal", ["period", "employee_id"], schema="tenant")
    op.create_table(
        "goal_actual",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(value is null) <> (done is null)", name=op.f("ck_goal_actual_one_value")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["tenant.goal.id"],
            name=op.f("fk_goal_actual_goal_id_goal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_actual")),
        schema="tenant",
    )
    op.create_index(op.f("ix_goal_actual_goal_id"), "goal_actual", ["goal_id"], schema="tenant")


def downgrade() -> None:
    op.drop_table("goal_actual", schema="tenant")
    op.drop_table("goal", schema="tenant")
