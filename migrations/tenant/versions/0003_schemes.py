"""Assessment schemes and their versions; published versions are frozen by a trigger.

Revision ID: t0003
Revises: t0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "t0003"
down_revision = "t0002"
branch_labels = None
depends_on = None

# search_path is the tenant's schema, so unqualified names land there.
FROZEN_FUNCTION = """CREATE FUNCTION scheme_version_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = 'scheme version ' || OLD.id || ' is ' || OLD.status || '; it cannot be deleted';
    END IF;
    IF NEW.definition IS DISTINCT FROM OLD.definition OR NEW.number <> OLD.number
       OR NEW.scheme_id <> OLD.scheme_id OR NEW.status = 'draft'
       OR NEW.published_at IS DISTINCT FROM OLD.published_at THEN
      RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = 'scheme version ' || OLD.id || ' is ' || OLD.status || '; it cannot be changed';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END
$$"""
FROZEN_TRIGGER = """CREATE TRIGGER scheme_version_frozen BEFORE UPDATE OR DELETE ON scheme_version
FOR EACH ROW EXECUTE FUNCTION scheme_version_frozen()"""


def upgrade() -> None:
    op.create_table(
        "scheme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("template", sa.String(length=40), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheme")),
        schema="tenant",
    )
    op.create_table(
        "scheme_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scheme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('draft', 'published', 'archived')",
            name=op.f("ck_scheme_version_known_status"),
        ),
        sa.CheckConstraint(
            "status = 'draft' or published_at is not null",
            name=op.f("ck_scheme_version_published_when"),
        ),
        sa.ForeignKeyConstraint(
            ["scheme_id"],
            ["tenant.scheme.id"],
            name=op.f("fk_scheme_version_scheme_id_scheme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheme_version")),
        schema="tenant",
    )
    op.create_index(
        "uq_scheme_version_number",
        "scheme_version",
        ["scheme_id", "number"],
        unique=True,
        schema="tenant",
    )
    op.create_index(
        "uq_scheme_version_one_draft",
        "scheme_version",
        ["scheme_id"],
        unique=True,
        schema="tenant",
        postgresql_where=sa.text("status = 'draft'"),
    )
    op.execute(FROZEN_FUNCTION)
    op.execute(FROZEN_TRIGGER)


def downgrade() -> None:
    op.drop_table("scheme_version", schema="tenant")
    op.drop_table("scheme", schema="tenant")
    op.execute("DROP FUNCTION scheme_version_frozen()")
