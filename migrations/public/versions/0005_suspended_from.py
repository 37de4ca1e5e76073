"""A suspended tenant remembers the status it had, so resuming gives it back (a trial stays a
trial). Tenants suspended before this change take it from their last suspension's audit row.

Revision ID: p0005
Revises: p0004
"""

import sqlalchemy as sa
from alembic import op

revision = "p0005"
down_revision = "p0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tenant", sa.Column("suspended_from", sa.String(length=16), nullable=True), schema="public"
    )
    op.create_check_constraint(
        op.f("ck_tenant_suspended_from"),
        "tenant",
        "suspended_from in ('trial', 'active')",
        schema="public",
    )
    op.execute(
        """
        update public.tenant set suspended_from = coalesce(
            (select e.before ->> 'status' from public.platform_audit_entry e
              where e.record_type = 'tenant' and e.record_id = tenant.slug
                and e.action = 'tenant.suspended'
                and e.before ->> 'status' in ('trial', 'active')
              order by e.at desc, e.id desc limit 1),
            'active')
        where status = 'suspended'
        """
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_tenant_suspended_from"), "tenant", schema="public")
    op.drop_column("tenant", "suspended_from", schema="public")
