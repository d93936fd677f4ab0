"""targets: a covering index for the draw's read of the pool

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00

"""
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.create_index("ix_targets_pool", ["tenant_id", "credit_code", "name"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_index("ix_targets_pool")
