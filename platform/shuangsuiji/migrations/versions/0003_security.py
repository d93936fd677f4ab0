"""API tokens scoped to the tenant they were made for (api_tokens.tenant_id)

Revision ID: 0003_security
Revises: 0002
Create Date: 2026-12-01 22:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_security"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tenant_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_tokens_tenant_id"), ["tenant_id"],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_api_tokens_tenant_id_tenants"), "tenants",
                                    ["tenant_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_tokens_tenant_id_tenants"),
                                 type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_api_tokens_tenant_id"))
        batch_op.drop_column("tenant_id")
