"""the organisation tree of a tenant (issue #15): units and tree versions (each saying
whether an operator of a unit acts for its sub-units)

Revision ID: 0004_orgs
Revises: 0003_rules
Create Date: 2026-12-02 01:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

# as the models' instants: zone-aware; microseconds on MariaDB/MySQL
_INSTANT = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mariadb").with_variant(
    mysql.DATETIME(fsp=6), "mysql")

revision: str = "0004_orgs"
down_revision: str | None = "0003_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "org_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=64), nullable=True),
        sa.Column("updated_at", _INSTANT, nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_org_units_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_units")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_org_units_tenant_id_code")),
    )
    with op.batch_alter_table("org_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_units_tenant_id"), ["tenant_id"], unique=False)
    op.create_table(
        "org_tree_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("subunits", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_org_tree_versions_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_tree_versions")),
        sa.UniqueConstraint("tenant_id", "number",
                            name=op.f("uq_org_tree_versions_tenant_id_number")),
    )
    with op.batch_alter_table("org_tree_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_org_tree_versions_tenant_id"), ["tenant_id"],
                              unique=False)


def downgrade() -> None:
    op.drop_table("org_tree_versions")
    op.drop_table("org_units")
