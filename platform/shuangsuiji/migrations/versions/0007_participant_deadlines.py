"""joint tasks: whether a participant's publication deadline was provisional (a year its own
working-day calendar does not cover, services/joint_deadlines.py)

Revision ID: 0007_participant_deadlines
Revises: 0006_selection_checks
Create Date: 2026-12-02 13:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_participant_deadlines"
down_revision: str | None = "0006_selection_checks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant_publications") as batch:
        batch.add_column(sa.Column("provisional", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("participant_publications") as batch:
        batch.drop_column("provisional")
