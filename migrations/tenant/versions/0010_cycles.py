"""Assessment cycles: cycles, their subjects, external raters, rating sheets, scoring runs
and results (saas/models/cycle.py).

Revision ID: t0010
Revises: t0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision = "t0010"
down_revision = "t0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("scheme_version_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=30), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("subject_kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rating_due", sa.Date(), nullable=True),
        sa.Column("peer_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status in ('draft', 'open', 'scoring', 'review', 'published', 'closed')",
            name=op.f("ck_cycle_known_status"),
        ),
        sa.CheckConstraint(
            "subject_kind in ('employee', 'unit', 'provider')",
            name=op.f("ck_cycle_known_subject_kind"),
        ),
        sa.CheckConstraint(
            "peer_count >= 0 and peer_count <= 20", name=op.f("ck_cycle_peer_count_range")
        ),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_cycle_period_in_order")),
        sa.ForeignKeyConstraint(
            ["scheme_version_id"],
            ["tenant.scheme_version.id"],
            name=op.f("fk_cycle_scheme_version_id_scheme_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_cycle_scheme_version_id"),
        "cycle",
        ["scheme_version_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "uq_cycle_version_period",
        "cycle",
        ["scheme_version_id", "period"],
        unique=True,
        schema="tenant",
    )
    op.create_table(
        "cycle_subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("excluded_because", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'employee') = (employee_id is not null)",
            name=op.f("ck_cycle_subject_employee_given"),
        ),
        sa.CheckConstraint(
            "kind in ('employee', 'unit', 'provider')", name=op.f("ck_cycle_subject_known_kind")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["tenant.cycle.id"],
            name=op.f("fk_cycle_subject_cycle_id_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["tenant.employee.id"],
            name=op.f("fk_cycle_subject_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_cycle_subject_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_subject")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_cycle_subject_cycle_id"),
        "cycle_subject",
        ["cycle_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_cycle_subject_employee_id"),
        "cycle_subject",
        ["employee_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_cycle_subject_unit_id"),
        "cycle_subject",
        ["unit_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "uq_cycle_subject_employee",
        "cycle_subject",
        ["cycle_id", "employee_id"],
        unique=True,
        schema="tenant",
        postgresql_where=sa.text("employee_id is not null"),
    )
    op.create_index(
        "uq_cycle_subject_unit",
        "cycle_subject",
        ["cycle_id", "unit_id"],
        unique=True,
        schema="tenant",
        postgresql_where=sa.text("employee_id is null"),
    )
    op.create_table(
        "external_rater",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["tenant.cycle.id"],
            name=op.f("fk_external_rater_cycle_id_cycle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_rater")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_external_rater_token_hash")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_external_rater_cycle_id"),
        "external_rater",
        ["cycle_id"],
        unique=False,
        schema="tenant",
    )
    op.create_table(
        "scoring_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("inputs", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("started_by", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('running', 'finished', 'failed')", name=op.f("ck_scoring_run_known_status")
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["tenant.cycle.id"],
            name=op.f("fk_scoring_run_cycle_id_cycle"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_run")),
        schema="tenant",
    )
    op.create_index(
        "uq_scoring_run_number", "scoring_run", ["cycle_id", "number"], unique=True, schema="tenant"
    )
    op.create_index(
        "uq_scoring_run_one_running",
        "scoring_run",
        ["cycle_id"],
        unique=True,
        schema="tenant",
        postgresql_where=sa.text("status = 'running'"),
    )
    op.create_table(
        "cycle_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("cycle_subject_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("final", sa.Numeric(precision=12, scale=4), nullable=True),
        sa.Column("band", sa.String(length=120), nullable=True),
        sa.Column("award", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("fines", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("pay_coefficient", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column("consequence", sa.String(length=30), nullable=True),
        sa.Column("disqualified", sa.Boolean(), nullable=False),
        sa.Column("disqualified_next", sa.Boolean(), nullable=False),
        sa.Column("breakdown", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("trace", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_subject_id"],
            ["tenant.cycle_subject.id"],
            name=op.f("fk_cycle_result_cycle_subject_id_cycle_subject"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["tenant.scoring_run.id"],
            name=op.f("fk_cycle_result_run_id_scoring_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_result")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_cycle_result_cycle_subject_id"),
        "cycle_result",
        ["cycle_subject_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "ix_cycle_result_run_final",
        "cycle_result",
        ["run_id", "final"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "uq_cycle_result_run_subject",
        "cycle_result",
        ["run_id", "cycle_subject_id"],
        unique=True,
        schema="tenant",
    )
    op.create_table(
        "rating_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("cycle_subject_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("rater_key", sa.String(length=30), nullable=False),
        sa.Column("rater_employee_id", sa.Integer(), nullable=True),
        sa.Column("rater_user_id", sa.Integer(), nullable=True),
        sa.Column("rater_external_id", sa.Integer(), nullable=True),
        sa.Column("values", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_because", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'submitted') = (submitted_at is not null)",
            name=op.f("ck_rating_sheet_submitted_when"),
        ),
        sa.CheckConstraint(
            "source in ('self', 'supervisor', 'peer', 'subordinate', 'customer', 'committee',"
            " 'third_party')",
            name=op.f("ck_rating_sheet_known_source"),
        ),
        sa.CheckConstraint(
            "status in ('assigned', 'draft', 'submitted')",
            name=op.f("ck_rating_sheet_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["tenant.cycle.id"],
            name=op.f("fk_rating_sheet_cycle_id_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_subject_id"],
            ["tenant.cycle_subject.id"],
            name=op.f("fk_rating_sheet_cycle_subject_id_cycle_subject"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_employee_id"],
            ["tenant.employee.id"],
            name=op.f("fk_rating_sheet_rater_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["rater_external_id"],
            ["tenant.external_rater.id"],
            name=op.f("fk_rating_sheet_rater_external_id_external_rater"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rater_user_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_rating_sheet_rater_user_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_sheet")),
        schema="tenant",
    )
    op.create_index(
        "ix_rating_sheet_cycle_status",
        "rating_sheet",
        ["cycle_id", "status"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_rating_sheet_cycle_subject_id"),
        "rating_sheet",
        ["cycle_subject_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_rating_sheet_rater_employee_id"),
        "rating_sheet",
        ["rater_employee_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_rating_sheet_rater_external_id"),
        "rating_sheet",
        ["rater_external_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_rating_sheet_rater_user_id"),
        "rating_sheet",
        ["rater_user_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "uq_rating_sheet_rater",
        "rating_sheet",
        ["cycle_subject_id", "source", "rater_key"],
        unique=True,
        schema="tenant",
    )


def downgrade() -> None:
    for table in (
        "cycle_result",
        "scoring_run",
        "rating_sheet",
        "external_rater",
        "cycle_subject",
        "cycle",
    ):
        op.drop_table(table, schema="tenant")
