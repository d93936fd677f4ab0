"""credit-risk classes of targets (issue #15 item 5): each target's class with the days it
is in force

Revision ID: 0005_credit
Revises: 0004_scale2
Create Date: 2026-12-02 04:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_credit"
down_revision: str | None = "0004_scale2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "target_credit_classes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("class_code", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["target_id"], ["targets.id"],
                                name=op.f("fk_target_credit_classes_target_id_targets")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_target_credit_classes_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_credit_classes")),
    )
    with op.batch_alter_table("target_credit_classes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_target_credit_classes_target_id"), ["target_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_target_credit_classes_tenant_id"), ["tenant_id"],
                              unique=False)
        batch_op.create_index("ix_target_credit_classes_tenant_id_starts_on",
                              ["tenant_id", "starts_on"], unique=False)


def downgrade() -> None:
    op.drop_table("target_credit_classes")
