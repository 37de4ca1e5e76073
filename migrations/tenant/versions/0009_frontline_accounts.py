"""Accounts for front-line staff: people get a mobile number and an e-mail address (each
unique where set), accounts may have no e-mail (they log in with the employee number or the
mobile number), and set-up links can be printed on a sheet.

Revision ID: t0009
Revises: t0007
"""

import sqlalchemy as sa
from alembic import op

revision = "t0009"
down_revision = "t0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("employee", sa.Column("mobile", sa.String(length=20)), schema="tenant")
    op.add_column("employee", sa.Column("email", sa.String(length=254)), schema="tenant")
    op.create_unique_constraint(op.f("uq_employee_mobile"), "employee", ["mobile"], schema="tenant")
    op.create_unique_constraint(op.f("uq_employee_email"), "employee", ["email"], schema="tenant")
    # A linked account's e-mail is its person's e-mail from now on.
    op.execute(
        "update employee set email = lower(u.email) from user_account u"
        " where employee.user_id = u.id"
    )
    op.alter_column("user_account", "email", nullable=True, schema="tenant")
    op.create_table(
        "account_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["tenant.user_account.id"],
            name=op.f("fk_account_sheet_created_by_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_sheet")),
        schema="tenant",
    )
    op.create_index(
        op.f("ix_account_sheet_created_by_id"), "account_sheet", ["created_by_id"], schema="tenant"
    )
    op.add_column("account_token", sa.Column("sheet_id", sa.Integer()), schema="tenant")
    op.create_foreign_key(
        op.f("fk_account_token_sheet_id_account_sheet"),
        "account_token",
        "account_sheet",
        ["sheet_id"],
        ["id"],
        source_schema="tenant",
        referent_schema="tenant",
        ondelete="SET NULL",
    )
    op.create_index(
        op.f("ix_account_token_sheet_id"), "account_token", ["sheet_id"], schema="tenant"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_account_token_sheet_id"), "account_token", schema="tenant")
    op.drop_constraint(
        op.f("fk_account_token_sheet_id_account_sheet"), "account_token", schema="tenant"
    )
    op.drop_column("account_token", "sheet_id", schema="tenant")
    op.drop_index(op.f("ix_account_sheet_created_by_id"), "account_sheet", schema="tenant")
    op.drop_table("account_sheet", schema="tenant")
    # Accounts without an e-mail cannot survive the old schema.
    op.execute("delete from user_account where email is null")
    op.alter_column("user_account", "email", nullable=False, schema="tenant")
    op.drop_constraint(op.f("uq_employee_email"), "employee", schema="tenant")
    op.drop_constraint(op.f("uq_employee_mobile"), "employee", schema="tenant")
    op.drop_column("employee", "email", schema="tenant")
    op.drop_column("employee", "mobile", schema="tenant")
