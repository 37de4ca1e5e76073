"""Evidence: attachments, customer feedback, inspections with rectification notices, provider
contracts, the provider contact's role, and the inspection evidence behind a ledger entry
(saas/models/attachment.py, feedback.py, inspection.py, provider.py).

Revision ID: t0012
Revises: t0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0012"
down_revision = "t0011"
branch_labels = None
depends_on = None

OLD_ROLES = "role in ('tenant_admin', 'committee', 'manager', 'inspector', 'employee')"
NEW_ROLES = "role in ('tenant_admin', 'committee', 'manager', 'inspector', 'employee', 'provider')"


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=60), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "content_type in ('image/jpeg', 'image/png', 'application/pdf')",
            name=op.f("ck_attachment_known_type"),
        ),
        sa.CheckConstraint(
            "owner in ('ledger_entry', 'inspection', 'notice')",
            name=op.f("ck_attachment_known_owner"),
        ),
        sa.CheckConstraint("size > 0", name=op.f("ck_attachment_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        schema="tenant",
    )
    op.create_index(
        "ix_attachment_owner", "attachment", ["owner", "owner_id"], unique=False, schema="tenant"
    )
    op.create_table(
        "inspection_schedule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("every", sa.String(length=10), nullable=False),
        sa.Column("next_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("unannounced", sa.Boolean(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "every in ('week', 'month')", name=op.f("ck_inspection_schedule_known_every")
        ),
        sa.CheckConstraint(
            "method in ('inspection', 'spot_check', 'mystery')",
            name=op.f("ck_inspection_schedule_known_method"),
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_inspection_schedule_inspector_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["tenant.scheme.id"],
            name=op.f("fk_inspection_schedule_scheme_id_scheme"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_inspection_schedule_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_schedule")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_inspection_schedule_unit_id"),
        "inspection_schedule",
        ["unit_id"],
        unique=False,
        schema="tenant",
    )
    op.create_table(
        "provider_contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=False),
        sa.Column("contact_user_id", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("monthly_fee", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column(
            "tiers",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_on >= starts_on", name=op.f("ck_provider_contract_period_ordered")
        ),
        sa.CheckConstraint(
            "monthly_fee is null or monthly_fee >= 0",
            name=op.f("ck_provider_contract_fee_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_user_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_provider_contract_contact_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_provider_contract_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_contract")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_provider_contract_contact_user_id"),
        "provider_contract",
        ["contact_user_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_provider_contract_unit_id"),
        "provider_contract",
        ["unit_id"],
        unique=False,
        schema="tenant",
    )
    op.create_table(
        "feedback_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(kind = 'employee') = (employee_id is not null)",
            name=op.f("ck_feedback_link_employee_given"),
        ),
        sa.CheckConstraint(
            "kind in ('employee', 'unit')", name=op.f("ck_feedback_link_known_kind")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["tenant.employee.id"],
            name=op.f("fk_feedback_link_employee_id_employee"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_feedback_link_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feedback_link_token_hash")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_feedback_link_employee_id"),
        "feedback_link",
        ["employee_id"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        op.f("ix_feedback_link_unit_id"),
        "feedback_link",
        ["unit_id"],
        unique=False,
        schema="tenant",
    )
    op.create_table(
        "inspection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("unannounced", sa.Boolean(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("inspector_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column(
            "values",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "notes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("breakdown", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("onsite_name", sa.String(length=100), nullable=True),
        sa.Column("inspector_signature", sa.LargeBinary(), nullable=True),
        sa.Column("onsite_signature", sa.LargeBinary(), nullable=True),
        sa.Column("report_serial", sa.String(length=40), nullable=True),
        sa.Column("report", sa.LargeBinary(), nullable=True),
        sa.Column("cancelled_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(status = 'done') = (done_at is not null)", name=op.f("ck_inspection_done_when")
        ),
        sa.CheckConstraint(
            "method <> 'mystery' or unannounced", name=op.f("ck_inspection_mystery_unannounced")
        ),
        sa.CheckConstraint(
            "method in ('inspection', 'spot_check', 'mystery')",
            name=op.f("ck_inspection_known_method"),
        ),
        sa.CheckConstraint(
            "status in ('planned', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_inspection_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_inspection_inspector_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["tenant.inspection_schedule.id"],
            name=op.f("fk_inspection_schedule_id_inspection_schedule"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_inspection_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["tenant.scheme_version.id"],
            name=op.f("fk_inspection_version_id_scheme_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint("report_serial", name=op.f("uq_inspection_report_serial")),
        schema="tenant",
    )
    op.create_index(
        "ix_inspection_inspector_status",
        "inspection",
        ["inspector_id", "status"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "ix_inspection_unit_on",
        "inspection",
        ["unit_id", "planned_on"],
        unique=False,
        schema="tenant",
    )
    op.create_table(
        "rectification_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=60), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("answer_note", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verify_note", sa.Text(), nullable=True),
        sa.Column("rejections", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status in ('open', 'answered', 'accepted')",
            name=op.f("ck_rectification_notice_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["tenant.inspection.id"],
            name=op.f("fk_rectification_notice_inspection_id_inspection"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_rectification_notice_owner_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["tenant.org_unit.id"],
            name=op.f("fk_rectification_notice_unit_id_org_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_notice")),
        sa.UniqueConstraint("serial", name=op.f("uq_rectification_notice_serial")),
        schema="tenant",
    )
    op.create_index(
        "ix_notice_owner_status",
        "rectification_notice",
        ["owner_id", "status"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "ix_notice_unit_status",
        "rectification_notice",
        ["unit_id", "status"],
        unique=False,
        schema="tenant",
    )
    op.create_index(
        "uq_notice_inspection_item",
        "rectification_notice",
        ["inspection_id", "item_key"],
        unique=True,
        schema="tenant",
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind in ('praise', 'complaint')", name=op.f("ck_feedback_known_kind")),
        sa.CheckConstraint("char_length(text) <= 2000", name=op.f("ck_feedback_text_bounded")),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["tenant.ledger_entry.id"],
            name=op.f("fk_feedback_ledger_entry_id_ledger_entry"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["tenant.feedback_link.id"],
            name=op.f("fk_feedback_link_id_feedback_link"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
        sa.UniqueConstraint("reference", name=op.f("uq_feedback_reference")),
        schema="tenant",
    )
    op.create_index(
        "ix_feedback_link_text", "feedback", ["link_id", "text_hash"], unique=False, schema="tenant"
    )
    op.add_column(
        "ledger_entry", sa.Column("inspection_id", sa.Integer(), nullable=True), schema="tenant"
    )
    op.add_column(
        "ledger_entry", sa.Column("item_key", sa.String(length=60), nullable=True), schema="tenant"
    )
    op.add_column(
        "ledger_entry", sa.Column("notice_id", sa.Integer(), nullable=True), schema="tenant"
    )
    op.create_foreign_key(
        op.f("fk_ledger_entry_inspection_id_inspection"),
        "ledger_entry",
        "inspection",
        ["inspection_id"],
        ["id"],
        ondelete="RESTRICT",
        source_schema="tenant",
        referent_schema="tenant",
    )
    op.create_foreign_key(
        op.f("fk_ledger_entry_notice_id_rectification_notice"),
        "ledger_entry",
        "rectification_notice",
        ["notice_id"],
        ["id"],
        ondelete="RESTRICT",
        source_schema="tenant",
        referent_schema="tenant",
    )
    op.create_index(
        op.f("ix_ledger_entry_inspection_id"), "ledger_entry", ["inspection_id"], schema="tenant"
    )
    op.drop_constraint(op.f("ck_user_role_known_role"), "user_role", type_="check", schema="tenant")
    op.create_check_constraint(
        op.f("ck_user_role_known_role"), "user_role", NEW_ROLES, schema="tenant"
    )


def downgrade() -> None:
    op.execute("delete from user_role where role = 'provider'")
    op.drop_constraint(op.f("ck_user_role_known_role"), "user_role", type_="check", schema="tenant")
    op.create_check_constraint(
        op.f("ck_user_role_known_role"), "user_role", OLD_ROLES, schema="tenant"
    )
    op.drop_index(op.f("ix_ledger_entry_inspection_id"), table_name="ledger_entry", schema="tenant")
    op.drop_constraint(
        op.f("fk_ledger_entry_notice_id_rectification_notice"),
        "ledger_entry",
        type_="foreignkey",
        schema="tenant",
    )
    op.drop_constraint(
        op.f("fk_ledger_entry_inspection_id_inspection"),
        "ledger_entry",
        type_="foreignkey",
        schema="tenant",
    )
    op.drop_column("ledger_entry", "notice_id", schema="tenant")
    op.drop_column("ledger_entry", "item_key", schema="tenant")
    op.drop_column("ledger_entry", "inspection_id", schema="tenant")
    op.drop_table("feedback", schema="tenant")
    op.drop_table("rectification_notice", schema="tenant")
    op.drop_table("inspection", schema="tenant")
    op.drop_table("feedback_link", schema="tenant")
    op.drop_table("provider_contract", schema="tenant")
    op.drop_table("inspection_schedule", schema="tenant")
    op.drop_table("attachment", schema="tenant")
