"""The organisation and its people: org tree, position levels, employees, eligibility rules,
one-time account links, spreadsheet imports; audit log indexes.

Revision ID: t0002
Revises: t0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0002"
down_revision = "t0001"
branch_labels = None
depends_on = None

AUDIT_COLUMNS = ("actor", "at", "record_id", "record_type")


def _indexes(table: str, columns: tuple[str, ...]) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], schema="tenant")


def upgrade() -> None:
    op.create_table(
        "import_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("errors", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('uploaded', 'checked', 'committed', 'failed', 'discarded')",
            name=op.f("ck_import_batch_known_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
        schema="tenant",
    )
    op.create_table(
        "org_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=True),
        sa.Column("path", sa.String(length=1000), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind in ('company', 'business_unit', 'department', 'team', 'site', 'provider')",
            name=op.f("ck_org_unit_known_kind"),
        ),
        sa.CheckConstraint(
            "parent_id is null or parent_id <> id", name=op.f("ck_org_unit_not_own_parent")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_org_unit_parent_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_org_unit_code")),
        schema="tenant",
    )
    _indexes("org_unit", ("category", "manager_id", "parent_id", "path"))
    op.create_table(
        "position_level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_position_level")),
        sa.UniqueConstraint("name", name=op.f("uq_position_level_name")),
        schema="tenant",
    )
    op.create_table(
        "account_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "purpose in ('invite', 'reset')", name=op.f("ck_account_token_known_purpose")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_account_token_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
        schema="tenant",
    )
    _indexes("account_token", ("user_id",))
    op.create_table(
        "eligibility_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("position_level_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.String(length=60), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'level_at_least') = (position_level_id is not null)",
            name=op.f("ck_eligibility_rule_level_given"),
        ),
        sa.CheckConstraint(
            "kind in ('level_at_least', 'unit_category', 'employment_form')",
            name=op.f("ck_eligibility_rule_known_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["position_level_id"],
            ["tenant.position_level.id"],
            name=op.f("fk_eligibility_rule_position_level_id_position_level"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligibility_rule")),
        schema="tenant",
    )
    op.create_table(
        "employee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("initials", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=100), nullable=True),
        sa.Column("position_level_id", sa.Integer(), nullable=True),
        sa.Column("employment_form", sa.String(length=40), nullable=True),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("hire_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status in ('active', 'on_leave', 'left')", name=op.f("ck_employee_known_status")
        ),
        sa.CheckConstraint(
            "manager_id is null or manager_id <> id", name=op.f("ck_employee_not_own_manager")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"],
            ["tenant.employee.id"],
            name=op.f("fk_employee_manager_id_employee"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["position_level_id"],
            ["tenant.position_level.id"],
            name=op.f("fk_employee_position_level_id_position_level"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_employee_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_employee_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee")),
        sa.UniqueConstraint("number", name=op.f("uq_employee_number")),
        sa.UniqueConstraint("user_id", name=op.f("uq_employee_user_id")),
        schema="tenant",
    )
    _indexes("employee", ("initials", "manager_id", "name", "position_level_id", "unit_id"))
    # A unit's manager is an employee of it: the cycle is closed after both tables exist.
    op.create_foreign_key(
        op.f("fk_org_unit_manager_id_employee"),
        "org_unit",
        "employee",
        ["manager_id"],
        ["id"],
        source_schema="tenant",
        referent_schema="tenant",
        ondelete="SET NULL",
    )
    _indexes("audit_entry", AUDIT_COLUMNS)


def downgrade() -> None:
    for column in AUDIT_COLUMNS:
        op.drop_index(op.f(f"ix_audit_entry_{column}"), "audit_entry", schema="tenant")
    op.drop_constraint(
        op.f("fk_org_unit_manager_id_employee"), "org_unit", type_="foreignkey", schema="tenant"
    )
    for table in (
        "employee",
        "eligibility_rule",
        "account_token",
        "position_level",
        "org_unit",
        "import_batch",
    ):
        op.drop_table(table, schema="tenant")
