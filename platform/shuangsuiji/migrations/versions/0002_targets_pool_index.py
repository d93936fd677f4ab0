"""the draw's indexes: a covering index for its read of the pool; no index of
draw_selections.draw_id beside the unique (draw_id, credit_code) that serves it

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
    with op.batch_alter_table("draw_selections", schema=None) as batch_op:
        batch_op.drop_index("ix_draw_selections_draw_id")


def downgrade() -> None:
    with op.batch_alter_table("draw_selections", schema=None) as batch_op:
        batch_op.create_index("ix_draw_selections_draw_id", ["draw_id"], unique=False)
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_index("ix_targets_pool")
