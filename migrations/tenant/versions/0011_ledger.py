"""The performance ledger: dated entries per subject (saas/models/ledger.py).

Revision ID: t0011
Revises: t0010
"""

import sqlalchemy as sa
from alembic import op

revision = "t0011"
down_revision = "t0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("points", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("fine", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("validity", sa.String(length=10), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind in ('employee', 'unit', 'provider')", name=op.f("ck_ledger_entry_known_kind")
        ),
        sa.CheckConstraint(
            "source in ('internal', 'customer', 'inspection')",
            name=op.f("ck_ledger_entry_known_source"),
        ),
        sa.CheckConstraint(
            "validity is null or validity in ('pending', 'valid', 'invalid')",
            name=op.f("ck_ledger_entry_known_validity"),
        ),
        sa.CheckConstraint(
            "(kind = 'employee') = (employee_id is not null)",
            name=op.f("ck_ledger_entry_employee_given"),
        ),
        sa.CheckConstraint(
            "(event is null) = (label is not null and points is not null)",
            name=op.f("ck_ledger_entry_rule_or_free"),
        ),
        sa.CheckConstraint("fine >= 0", name=op.f("ck_ledger_entry_fine_not_negative")),
        sa.CheckConstraint(
            "(withdrawn_at is null) = (withdrawn_reason is null)",
            name=op.f("ck_ledger_entry_withdrawn"),
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["tenant.employee.id"],
            name=op.f("fk_ledger_entry_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_ledger_entry_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
        schema="tenant",
    )
    op.create_index(
        "ix_ledger_entry_employee_on",
        "ledger_entry",
        ["employee_id", "on"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "ix_ledger_entry_unit_on", "ledger_entry", ["unit_id", "on"], unique=False, schema="tenant"
    )


def downgrade() -> None:
    op.drop_table("ledger_entry", schema="tenant")
