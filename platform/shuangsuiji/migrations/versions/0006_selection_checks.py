"""PostgreSQL: the draw's selections checked by statement instead of two per-row foreign keys
(issue #17 item 7; db/selection_checks.py says what is checked and how it stays safe under
concurrency). SQLite and MariaDB keep their foreign keys: nothing changes there.

Revision ID: 0006_selection_checks
Revises: 0005_joint
Create Date: 2026-12-02 08:00:00

"""
from collections.abc import Sequence

from alembic import op

from shuangsuiji.db import selection_checks

revision: str = "0006_selection_checks"
down_revision: str | None = "0005_joint"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        selection_checks.use_statement_checks(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        selection_checks.use_foreign_keys(bind)
